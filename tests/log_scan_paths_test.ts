import assert from "node:assert/strict";
import { LogWatcher } from "../lib/log/log_watcher.ts";
import { IntervalAggregator } from "../lib/log/interval_summary.ts";
import { KnownSignatures } from "../lib/log/known_signatures.ts";
import { LineScanner } from "../lib/log/line_scanner.ts";
import { compilePattern } from "../lib/log/pattern.ts";
import { MemoryState } from "../lib/state.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";

/** Mixed lines: ASCII and multi-byte text around the matches, CRLF, JSON, UUIDs, hex. */
function logText(n: number): string {
  const words = ["ERROR", "WARN", "error", "Warn", "INFO", "DEBUG", "ÉRROR", "WARNING"];
  const tails = [
    "order 12 failed (request_id=550e8400-e29b-41d4-a716-44665544%%%%)",
    "café €%% déjà vu 日本 ERROR inside",
    'user "bob" at /var/lib/x%% from 10.0.0.%%:80',
    "session=5f3a9b2c%%d took %%ms",
    "😀 emoji %% then WARN",
  ];
  let text = "";
  for (let i = 0; i < n; i++) {
    const word = words[i % words.length];
    const tail = tails[(i * 7) % tails.length].replaceAll("%%", String(i % 97));
    const eol = i % 5 === 0 ? "\r\n" : "\n";
    text += i % 11 === 0
      ? `{"ts":"2026-05-19T10:00:${i % 60}Z","level":"${word.toLowerCase()}","k${
        i % 3
      }":"${tail}"}${eol}`
      : `2026-05-19T10:00:00Z ${word} ${tail}${eol}`;
  }
  return text;
}

/** What the summary should be, from the lines one by one on the plain-text path. */
function reference(text: string, pattern: string, ignoreCase: boolean) {
  const re = new RegExp(pattern, ignoreCase ? "i" : "");
  const agg = new IntervalAggregator({ known: new KnownSignatures() });
  let lines = 0;
  for (let line of text.split("\n").slice(0, -1)) {
    lines++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (re.test(line)) agg.add(line, 0, line.length);
  }
  return { lines, summary: agg.take() };
}

async function summarise(path: string, pattern: string, ignoreCase: boolean, chunkSize: number) {
  const watcher = new LogWatcher({
    path,
    pattern,
    ignoreCase,
    source: denoFileSource(),
    state: new MemoryState(),
    fromStart: true,
    chunkSize,
    tickBudget: 1 << 30,
  });
  try {
    const s = await watcher.tick();
    assert.equal(s.backlog, 0);
    return s;
  } finally {
    await watcher.close();
  }
}

const cases: Array<[string, boolean]> = [
  ["ERROR|WARN", false], // literal alternation
  ["(ERROR|WARN)\\b", false], // regex over the block
  ["error|warn", true], // ignore case
  ["ÉRROR|日本", false], // multi-byte literals
  ["(?<!É)RROR", false], // lookbehind: line by line
];

for (const [pattern, ignoreCase] of cases) {
  Deno.test(`LogWatcher summarises /${pattern}/${ignoreCase ? "i" : ""} exactly as line-by-line matching does, whatever the chunking`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "log_scan_paths_" });
    try {
      const path = `${dir}/app.log`;
      const mixed = logText(3_000);
      // All-ASCII blocks take the byte path, the others the text path.
      for (const text of [mixed, mixed.replace(/[^ -~\t\r\n]/gu, "?")]) {
        await Deno.writeTextFile(path, text);
        const want = reference(text, pattern, ignoreCase);
        if (text === mixed) assert.ok(want.summary.matched > 50);
        await check(path, pattern, ignoreCase, want);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

async function check(
  path: string,
  pattern: string,
  ignoreCase: boolean,
  want: ReturnType<typeof reference>,
): Promise<void> {
  for (const chunkSize of [7, 4096, 1 << 20]) {
    const got = await summarise(path, pattern, ignoreCase, chunkSize);
    assert.equal(got.linesScanned, want.lines, `chunk ${chunkSize}`);
    assert.equal(got.matched, want.summary.matched, `chunk ${chunkSize}`);
    assert.deepEqual(got.levels, want.summary.levels, `chunk ${chunkSize}`);
    assert.equal(got.firstLine, want.summary.firstLine);
    assert.equal(got.lastLine, want.summary.lastLine);
    assert.deepEqual(got.signatures, want.summary.signatures, `chunk ${chunkSize}`);
    assert.deepEqual(got.otherSignatures, want.summary.otherSignatures);
    assert.deepEqual(got.newSignatures, want.summary.newSignatures, `chunk ${chunkSize}`);
  }
}

Deno.test("LineScanner counts every line of a block many counting spans long", () => {
  let text = "", want = 0;
  for (let i = 0; i < 40_000; i++) {
    text += i % 7 === 0 ? "\n" : `${i} ${i % 3 === 0 ? "ERROR" : "ok"} ${"x".repeat(i % 23)}\r\n`;
    if (i % 7 !== 0 && i % 3 === 0) want++;
  }
  assert.ok(text.length > 4 * 65_536);
  let matched = 0;
  const scanner = new LineScanner({ pattern: compilePattern("ERROR"), onMatch: () => matched++ });
  scanner.scanBlock(text);
  scanner.scanBlock("one\n");
  assert.equal(scanner.lines, 40_001);
  assert.equal(matched, want);
});

Deno.test("A literal pattern keyed on its rarest letters finds exactly what indexOf finds, as the text changes", () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 0x100000000) * n);
  };
  const pick = (set: string, n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += set[rand(set.length)];
    return s;
  };
  for (let round = 0; round < 40; round++) {
    // Words over a small alphabet: repeated letters, prefixes of each other,
    // single letters, overlaps ("aa" in "aaa").
    const words = Array.from({ length: 1 + rand(3) }, () => pick("abcE\u00e9", 1 + rand(4)));
    const pattern = compilePattern(words.join("|"));
    assert.equal(pattern.mode, "literal");
    // More blocks than the resampling period; which letters are rare changes halfway.
    for (let block = 0; block < 300; block++) {
      const alphabet = block < 150 ? "aaaabbcE\u00e9\n " : "abccccEEEE\u00e9\n ";
      const text = pick(alphabet, 50 + rand(200));
      for (let from = 0; from <= text.length;) {
        const at = pattern.find(text, from);
        let want = -1, end = -1;
        for (const w of words) {
          const i = text.indexOf(w, from);
          if (i !== -1 && (want === -1 || i < want)) want = i;
        }
        for (const w of words) if (text.startsWith(w, want)) end = Math.max(end, want + w.length);
        assert.equal(at, want, `${JSON.stringify(words)} in ${JSON.stringify(text)} from ${from}`);
        if (at === -1) break;
        assert.ok(pattern.matchEnd <= end && pattern.matchEnd > at);
        from = at + 1 + rand(3);
      }
    }
  }
});

Deno.test("IntervalAggregator counts exactly past its shape cache's size, from text or from bytes", async () => {
  const { signatureOf } = await import("../lib/log/signature.ts");
  const letters = "ghijklmnopqrstuvwxyz";
  const word = (i: number) => {
    let w = "";
    for (let n = i + 1; n > 0; n = Math.floor(n / letters.length)) w += letters[n % letters.length];
    return w;
  };
  // 20,000 shapes (more than the cache holds), each seen twice, spread out.
  const lines: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20_000; i++) {
      const j = (i * 7919 + round * 104_729) % 20_000;
      lines.push(`2026-05-19T10:00:0${round}Z ERROR op ${word(j)} failed code ${j % 97}`);
    }
  }
  const want = new Map<string, number>();
  for (const line of lines) want.set(signatureOf(line), (want.get(signatureOf(line)) ?? 0) + 1);
  const block = lines.join("\n") + "\n";
  const bytes = new TextEncoder().encode(block);
  for (const units of [undefined, bytes]) {
    const agg = new IntervalAggregator({
      known: new KnownSignatures({ capacity: 50_000 }),
      topK: 30_000,
      maxDistinct: 30_000,
    });
    let start = 0;
    for (const line of lines) {
      agg.add(block, start, start + line.length, units);
      start += line.length + 1;
    }
    const s = agg.take();
    assert.equal(s.matched, lines.length);
    assert.deepEqual(s.levels, { ERROR: lines.length });
    assert.equal(s.signatures.length, want.size);
    for (const sig of s.signatures) assert.equal(sig.count, want.get(sig.signature), sig.signature);
  }
});
