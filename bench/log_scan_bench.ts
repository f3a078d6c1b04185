/**
 * Lines scanned per second by the log engine with `--pattern "ERROR|WARN"`,
 * against `grep -cE "ERROR|WARN"` on the same generated file in the same run.
 *
 *     deno run -A bench/log_scan_bench.ts [--mb 256] [--rounds 3]
 *
 * Two engine figures: "scan" does what `grep -c` does (read in chunks, decode,
 * count lines, find and count the matching ones); "summary" is the whole scout
 * path, which also folds every matching line into the interval summary
 * (level, signature, samples). The temp file is deleted at the end.
 *
 * @module
 */

import { LineScanner } from "../lib/log/line_scanner.ts";
import { LogWatcher } from "../lib/log/log_watcher.ts";
import { compilePattern } from "../lib/log/pattern.ts";
import { Tailer } from "../lib/log/tailer.ts";
import { MemoryState } from "../lib/state.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";

const PATTERN = "ERROR|WARN";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

/** A seeded generator of realistic mixed-level lines. */
function* logLines(): Generator<string> {
  let seed = 0x2f6b1d;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 0x100000000;
  };
  const hex = (n: number) => Math.floor(rand() * 16 ** n).toString(16).padStart(n, "0");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const users = ["alice", "bob", "carol", "dave", "erin"];
  const paths = ["/api/items", "/api/users", "/api/orders", "/healthz", "/static/app.js"];
  let t = Date.UTC(2026, 4, 19);
  for (;;) {
    t += Math.floor(rand() * 40);
    const ts = new Date(t).toISOString();
    const r = rand();
    const id = Math.floor(rand() * 1e6);
    const path = paths[id % paths.length];
    if (r < 0.04) {
      yield `${ts} ERROR [worker-${
        id % 8
      }] Failed to process order ${id}: connection refused to 10.0.${id % 255}.${
        id % 7
      }:5432 after ${id % 3000}ms (request_id=${uuid()})\n`;
    } else if (r < 0.05) {
      yield `{"ts":"${ts}","level":"error","msg":"payment declined for user ${
        users[id % 5]
      }","code":${id % 50},"trace":"${hex(16)}"}\n`;
    } else if (r < 0.15) {
      yield `${ts} WARN  [http] Slow request GET ${path}/${id} took ${1000 + (id % 4000)}ms user=${
        users[id % 5]
      }\n`;
    } else if (r < 0.3) {
      yield `${ts} DEBUG [cache] miss key=session:${hex(12)} ttl=300 size=${id % 9000}\n`;
    } else {
      yield `${ts} INFO  [http] GET ${path}/${id} 200 ${id % 500}ms ip=192.168.${id % 256}.${
        id % 200
      } ua="Mozilla/5.0 (X11; Linux x86_64)" req=${uuid()}\n`;
    }
  }
}

async function generate(path: string, bytes: number): Promise<{ lines: number; bytes: number }> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const lines = logLines();
  let written = 0, count = 0;
  try {
    while (written < bytes) {
      let text = "";
      for (let i = 0; i < 20_000; i++) text += lines.next().value;
      count += 20_000;
      const chunk = enc.encode(text);
      for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
      written += chunk.length;
    }
  } finally {
    file.close();
  }
  return { lines: count, bytes: written };
}

async function engine(path: string): Promise<{ ms: number; lines: number; matched: number }> {
  const watcher = new LogWatcher({
    path,
    pattern: PATTERN,
    source: denoFileSource(),
    state: new MemoryState(),
    fromStart: true,
  });
  const start = performance.now();
  let lines = 0, matched = 0;
  try {
    for (;;) {
      const s = await watcher.tick();
      await watcher.commit();
      lines += s.linesScanned;
      matched += s.matched;
      if (s.bytesRead === 0 && s.backlog === 0) break;
    }
  } finally {
    await watcher.close();
  }
  return { ms: performance.now() - start, lines, matched };
}

async function scan(path: string): Promise<{ ms: number; lines: number; matched: number }> {
  let matched = 0;
  const scanner = new LineScanner({ pattern: compilePattern(PATTERN), onMatch: () => matched++ });
  const tailer = new Tailer({
    path,
    source: denoFileSource(),
    state: new MemoryState(),
    fromStart: true,
    onBlock: (text) => scanner.scanBlock(text),
  });
  const start = performance.now();
  try {
    for (;;) {
      const t = await tailer.tick();
      if (t.bytesRead === 0 && t.backlog === 0) break;
    }
  } finally {
    await tailer.close();
  }
  return { ms: performance.now() - start, lines: scanner.lines, matched };
}

async function grep(path: string): Promise<{ ms: number; matched: number }> {
  const start = performance.now();
  const out = await new Deno.Command("grep", { args: ["-cE", PATTERN, path], stdout: "piped" })
    .output();
  const ms = performance.now() - start;
  return { ms, matched: Number(new TextDecoder().decode(out.stdout).trim()) };
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1)! };
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)}M`;

if (import.meta.main) {
  const mb = arg("mb", 256), rounds = arg("rounds", 3);
  const dir = await Deno.makeTempDir({ prefix: "log_scan_bench_" });
  const path = `${dir}/bench.log`;
  try {
    const gen = await generate(path, mb * 1024 * 1024);
    console.log(
      `file: ${(gen.bytes / 1024 / 1024).toFixed(0)} MiB, ${gen.lines} lines, pattern "${PATTERN}"`,
    );
    await grep(path); // warm the page cache
    const scans: number[] = [], summaries: number[] = [], greps: number[] = [];
    let matched = 0;
    for (let r = 0; r < rounds; r++) {
      const g = await grep(path);
      const sc = await scan(path);
      const e = await engine(path);
      for (const x of [sc, e]) {
        if (x.lines !== gen.lines || x.matched !== g.matched) {
          throw new Error(
            `Mismatch: engine saw ${x.lines} lines / ${x.matched} matches, grep ${g.matched}`,
          );
        }
      }
      matched = g.matched;
      greps.push(gen.lines / (g.ms / 1000));
      scans.push(gen.lines / (sc.ms / 1000));
      summaries.push(gen.lines / (e.ms / 1000));
      console.log(
        `round ${r + 1}: grep ${g.ms.toFixed(0)} ms, scan ${sc.ms.toFixed(0)} ms, summary ${
          e.ms.toFixed(0)
        } ms, ${g.matched} matching`,
      );
    }
    const g = stats(greps);
    console.log("lines/s            min      median   max      ratio (median / grep median)");
    for (const [name, values] of [["grep -cE", greps], ["scan", scans], ["summary", summaries]]) {
      const v = stats(values as number[]);
      console.log(
        `${(name as string).padEnd(18)} ${fmt(v.min).padEnd(8)} ${fmt(v.median).padEnd(8)} ${
          fmt(v.max).padEnd(8)
        } ${(v.median / g.median).toFixed(3)}x`,
      );
    }
    // For bench/run_all.ts: BENCH_JSON figures (issue 5's target: >= 0.2x grep's rate).
    const { report } = await import("./_stats.ts");
    const ns = (linesPerSecond: number) => Math.round(1e9 / linesPerSecond);
    const grepFig = { name: `grep -cE "${PATTERN}", same file, same run`, ...g };
    const perLine = { grep: ns(g.median), scan: ns(stats(scans).median) };
    const summaryNs = ns(stats(summaries).median), allowed = ns(g.median / 5);
    // What the summary adds per matching line: the shape hash, signature cache, levels, samples.
    const perMatch = Math.round((summaryNs - perLine.scan) * gen.lines / matched);
    report([["scan (what grep -c does)", scans], ["summary (the whole scout path)", summaries]]
      .map(([what, values]) => {
        const v = stats(values as number[]), ratio = v.median / g.median;
        const summary = (what as string).startsWith("summary");
        return {
          name: `Log ${what} vs grep -cE`,
          unit: "lines/s",
          ...v,
          against: grepFig,
          target: ">= 0.2x grep's rate (medians)",
          met: ratio >= 0.2,
          note: `${ratio.toFixed(3)}x grep; ${(gen.bytes / 1048576).toFixed(0)} MiB, ` +
            `${gen.lines} lines (${matched} matching), ${rounds} rounds. Per line (medians): ` +
            `grep ${perLine.grep} ns, scan ${perLine.scan} ns, summary ${summaryNs} ns; ` +
            `0.2x allows ${allowed} ns. The scan reads 1 MiB chunks (the next read overlapping ` +
            `the scan), decodes them in 48 KiB line-aligned pieces, counts newlines with one ` +
            `native match per piece and finds each word with indexOf from its rarest letter; ` +
            `the summary adds ` +
            `${perMatch} ns per matching line, mostly hashing the line's shape 8 bytes at a time.` +
            (ratio >= 0.2 ? "" : ` The gap is ${ns(v.median) - allowed} ns per line` +
              (summary
                ? `; folding matches costs ${summaryNs - perLine.scan} ns per line over the ` +
                  `plain scan, so a cheaper per-match fold closes it.`
                : ": the scan itself (read, decode, count lines, match) must get faster.")),
        };
      }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
