import assert from "node:assert/strict";
import { LogWatcher, type LogWatcherOptions } from "../lib/log/log_watcher.ts";
import { MemoryState } from "../lib/state.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";

const enc = new TextEncoder();

async function append(path: string, text: string): Promise<void> {
  const file = await Deno.open(path, { append: true, create: true });
  try {
    const bytes = enc.encode(text);
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  } finally {
    file.close();
  }
}

const LEVELS = ["INFO", "ERROR", "INFO", "WARN", "DEBUG", "INFO", "ERROR"];

/** Line i of a realistic mixed log; returns the text and whether it matches ERROR|WARN. */
function line(i: number): string {
  const level = LEVELS[i % LEVELS.length];
  if (level === "ERROR") {
    return `2026-05-19T10:00:${String(i % 60).padStart(2, "0")}Z ERROR [worker-${
      i % 8
    }] order ${i} failed: connection refused to 10.0.${i % 255}.${i % 7}:5432\n`;
  }
  if (level === "WARN") return `2026-05-19T10:00:00Z WARN slow request GET /api/items/${i}\n`;
  return `2026-05-19T10:00:00Z ${level} served request id=${i.toString(16)}\n`;
}
const matches = (i: number) =>
  i % LEVELS.length === 1 || i % LEVELS.length === 3 ||
  i % LEVELS.length === 6;

function lines(from: number, to: number): { text: string; matching: number } {
  let text = "", matching = 0;
  for (let i = from; i < to; i++) {
    text += line(i);
    if (matches(i)) matching++;
  }
  return { text, matching };
}

function watcher(path: string, state: MemoryState, extra: Partial<LogWatcherOptions> = {}) {
  return new LogWatcher({
    path,
    pattern: "ERROR|WARN",
    source: denoFileSource(),
    state,
    chunkSize: 8192,
    tickBudget: 256 * 1024,
    ...extra,
  });
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "log_watcher_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Tick (and commit) until caught up; returns the matched count of those summaries. */
async function drain(w: LogWatcher): Promise<number> {
  let matched = 0;
  for (let i = 0; i < 10_000; i++) {
    const s = await w.tick();
    await w.commit();
    matched += s.matched;
    if (s.bytesRead === 0 && s.backlog === 0) return matched;
  }
  throw new Error("watcher did not catch up");
}

Deno.test("LogWatcher accounts for every matching line of 100,000 across a rename rotation and a copytruncate", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "before start ERROR not counted\n");
    const w = watcher(path, new MemoryState());
    let expected = 0, counted = 0;
    counted += (await w.tick()).matched;
    for (let k = 0; k < 100; k++) {
      const batch = lines(k * 1000, (k + 1) * 1000);
      expected += batch.matching;
      if (k === 33) {
        // rename-and-create; the old file gets this batch's first half late.
        const half = batch.text.indexOf("\n", batch.text.length >> 1) + 1;
        await Deno.rename(path, `${path}.1`);
        await append(`${path}.1`, batch.text.slice(0, half));
        await append(path, batch.text.slice(half));
      } else if (k === 66) {
        counted += await drain(w);
        await Deno.copyFile(path, `${path}.1`);
        await Deno.truncate(path, 0);
        await append(path, batch.text);
      } else {
        await append(path, batch.text);
      }
      const s = await w.tick();
      await w.commit();
      counted += s.matched;
      if (k === 33) assert.equal(s.rotations, 1);
      if (k === 66) assert.equal(s.truncations, 1);
    }
    counted += await drain(w);
    assert.equal(counted, expected);
    await w.close();
  });
});

Deno.test("LogWatcher resumes after restarts mid-stream without counting a line twice or missing one", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const state = new MemoryState();
    let w = watcher(path, state);
    let counted = (await w.tick()).matched;
    await w.commit();
    let expected = 0;
    for (let k = 0; k < 10; k++) {
      const batch = lines(k * 10_000, (k + 1) * 10_000);
      expected += batch.matching;
      const cut = batch.text.length - 5;
      await append(path, batch.text.slice(0, cut));
      const s = await w.tick();
      await w.commit();
      counted += s.matched;
      await w.close();
      await append(path, batch.text.slice(cut));
      w = watcher(path, state);
    }
    counted += await drain(w);
    assert.equal(counted, expected);
    await w.close();
  });
});

Deno.test("LogWatcher turns a million matching lines into a handful of summaries", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const w = watcher(path, new MemoryState(), { chunkSize: 1 << 20, tickBudget: 64 << 20 });
    await w.tick();
    const file = await Deno.open(path, { append: true });
    for (let k = 0; k < 100; k++) {
      let text = "";
      for (let i = k * 10_000; i < (k + 1) * 10_000; i++) {
        text += i % 2
          ? `ERROR job ${i} failed after ${i % 977}ms\n`
          : `WARN queue depth ${i} above ${i % 100}\n`;
      }
      const bytes = enc.encode(text);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    }
    file.close();
    const summaries = [];
    for (let i = 0; i < 10; i++) {
      const s = await w.tick();
      await w.commit();
      if (s.bytesRead === 0) break;
      summaries.push(s);
    }
    const matched = summaries.reduce((n, s) => n + s.matched, 0);
    const fresh = summaries.reduce((n, s) => n + s.newSignatures.length, 0);
    assert.equal(matched, 1_000_000);
    assert.ok(summaries.length <= 2, `${summaries.length} summaries`);
    assert.equal(fresh, 2);
    assert.deepEqual(summaries[0].levels, { ERROR: summaries[0].levels.ERROR, WARN: 500_000 });
    assert.deepEqual(summaries[0].signatures.map((s) => s.signature).sort(), [
      "ERROR job <num> failed after <num>ms",
      "WARN queue depth <num> above <num>",
    ]);
    await w.close();
  });
});

Deno.test("LogWatcher reports a new signature once, even across a restart", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const state = new MemoryState();
    let w = watcher(path, state);
    await w.tick();
    await append(path, "ERROR disk 91% full\nERROR disk 95% full\n");
    const first = await w.tick();
    await w.commit();
    assert.deepEqual(first.newSignatures.map((s) => [s.signature, s.count]), [[
      "ERROR disk <num>% full",
      2,
    ]]);
    await w.close();
    w = watcher(path, state);
    await append(path, "ERROR disk 99% full\nERROR cannot open /etc/app.conf\n");
    const second = await w.tick();
    assert.deepEqual(second.newSignatures.map((s) => s.signature), [
      "ERROR cannot open <path>",
    ]);
    assert.equal(second.matched, 2);
    await w.close();
  });
});

Deno.test("LogWatcher caps new signatures per interval and reports the rest later", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const w = watcher(path, new MemoryState(), { maxNewPerInterval: 3, topK: 2 });
    await w.tick();
    const words = ["alpha", "beta", "gamma", "delta", "epsilon"];
    await append(path, words.map((x) => `ERROR ${x} broke\n`).join(""));
    const s = await w.tick();
    await w.commit();
    assert.equal(s.newSignatures.length, 3);
    assert.equal(s.newSignaturesUnreported, 2);
    assert.equal(s.signatures.length, 2);
    assert.deepEqual(s.otherSignatures, { distinct: 3, lines: 3 });
    await append(path, words.map((x) => `ERROR ${x} broke\n`).join(""));
    const again = await w.tick();
    assert.deepEqual(again.newSignatures.map((x) => x.signature), [
      "ERROR delta broke",
      "ERROR epsilon broke",
    ]);
    await w.close();
  });
});
