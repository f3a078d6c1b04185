import assert from "node:assert/strict";
import type { FileSource } from "../lib/log/file_source.ts";
import { Tailer, type TailerOptions } from "../lib/log/tailer.ts";
import { MemoryState } from "../lib/state.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";

const enc = new TextEncoder();

/** A writer that appends to a path the way an application does (O_APPEND). */
class AppWriter {
  #file: Deno.FsFile | null = null;
  constructor(readonly path: string) {}
  async open(): Promise<void> {
    this.#file = await Deno.open(this.path, { append: true, create: true });
  }
  async write(text: string): Promise<void> {
    const bytes = enc.encode(text);
    for (let done = 0; done < bytes.length;) done += await this.#file!.write(bytes.subarray(done));
  }
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** Lines `0..n-1`, every third one matching, written in pieces that split lines. */
function lineText(i: number): string {
  return `2026-05-19T10:00:00Z ${i % 3 === 0 ? "ERROR" : "INFO"} seq=${i} payload ${
    "x".repeat(i % 50)
  }\n`;
}

function tailer(
  path: string,
  state: MemoryState,
  seen: number[],
  extra: Partial<TailerOptions> = {},
) {
  return new Tailer({
    path,
    source: denoFileSource(),
    state,
    chunkSize: 4096,
    tickBudget: 64 * 1024,
    onBlock: (text) => {
      for (const line of text.slice(0, -1).split("\n")) {
        const m = /seq=(\d+)/.exec(line);
        assert.ok(m, `unexpected line ${JSON.stringify(line)}`);
        seen.push(Number(m[1]));
      }
    },
    ...extra,
  });
}

/** Tick until a tick reads nothing. */
async function drain(t: Tailer): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const r = await t.tick();
    if (r.bytesRead === 0 && r.backlog === 0) return;
  }
  throw new Error("tailer did not catch up");
}

function assertSequence(seen: number[], n: number): void {
  assert.equal(seen.length, n, `saw ${seen.length} lines, expected ${n}`);
  for (let i = 0; i < n; i++) if (seen[i] !== i) assert.fail(`line ${i}: saw seq ${seen[i]}`);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "log_tailer_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write lines [from, to) in pieces of uneven size, ticking in between. */
async function writeAndTick(w: AppWriter, t: Tailer, from: number, to: number): Promise<void> {
  let text = "";
  for (let i = from; i < to; i++) text += lineText(i);
  let at = 0, k = 0;
  while (at < text.length) {
    const size = 1000 + ((k++ * 7919) % 9000);
    await w.write(text.slice(at, at + size));
    at += size;
    if (k % 3 === 0) await t.tick();
  }
}

Deno.test("Tailer starts at the end of an existing file on first start, then follows it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "old seq=-1\nold seq=-2\n");
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen);
    await t.tick();
    assert.deepEqual(seen, []);
    await Deno.writeTextFile(path, lineText(0) + lineText(1), { append: true });
    await t.tick();
    assert.deepEqual(seen, [0, 1]);
    await t.close();
  });
});

Deno.test("Tailer reads every line once across a rename-and-create rotation mid-stream", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const w = new AppWriter(path);
    await w.open();
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen);
    await t.tick();
    await writeAndTick(w, t, 0, 50_000);
    // logrotate: rename, the application writes a little more to the old
    // file, then reopens its log at the path.
    await Deno.rename(path, `${path}.1`);
    await w.write(lineText(50_000) + lineText(50_001).slice(0, 10));
    await w.write(lineText(50_001).slice(10));
    w.close();
    await w.open();
    assert.equal((await t.tick()).rotations, 1);
    await writeAndTick(w, t, 50_002, 100_000);
    w.close();
    await drain(t);
    assertSequence(seen, 100_000);
    await t.close();
  });
});

Deno.test("Tailer restarts at 0 after a copytruncate mid-stream and loses no line", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const w = new AppWriter(path);
    await w.open();
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen);
    await t.tick();
    await writeAndTick(w, t, 0, 50_000);
    await drain(t);
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await w.write(lineText(50_000));
    const r = await t.tick();
    assert.equal(r.truncations, 1);
    await writeAndTick(w, t, 50_001, 100_000);
    w.close();
    await drain(t);
    assertSequence(seen, 100_000);
    await t.close();
  });
});

/** The Deno file source, with every file given one identity: a new file reusing a deleted one's inode. */
function sameInodeSource(): FileSource {
  const inner = denoFileSource();
  return {
    async stat(path) {
      const info = await inner.stat(path);
      return info && { ...info, identity: "8:1234" };
    },
    async open(path) {
      const file = await inner.open(path);
      if (!file) return null;
      return {
        identity: "8:1234",
        size: () => file.size(),
        read: (offset, buffer) => file.read(offset, buffer),
        close: () => file.close(),
      };
    },
  };
}

Deno.test("Tailer reads a new file that reuses the old one's inode from its start, after a restart", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    let text = "";
    for (let i = 0; i < 100; i++) text += `old ${lineText(i)}`;
    await Deno.writeTextFile(path, text);
    const before: number[] = [];
    const first = tailer(path, state, before, { source: sameInodeSource(), fromStart: true });
    await drain(first);
    await first.commit();
    await first.close();
    assertSequence(before, 100);
    // While the scout is down: logrotate compresses the old file away, and the
    // new file gets its inode; it is already longer than the saved offset.
    await Deno.remove(path);
    text = "";
    for (let i = 0; i < 200; i++) text += lineText(i);
    await Deno.writeTextFile(path, text);
    const after: number[] = [];
    const second = tailer(path, state, after, { source: sameInodeSource() });
    assert.equal((await second.tick()).rotations, 1);
    await drain(second);
    assertSequence(after, 200);
    await second.close();
  });
});

Deno.test("Tailer resumes in place after a copytruncate and a restart (the saved head follows the new content)", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    const seen: number[] = [];
    const w = new AppWriter(path);
    await w.open();
    const first = tailer(path, state, seen);
    await first.tick();
    await writeAndTick(w, first, 0, 1000);
    await drain(first);
    await first.commit();
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await writeAndTick(w, first, 1000, 1500);
    await drain(first);
    await first.commit();
    await first.close();
    let more = "";
    for (let i = 1500; i < 1600; i++) more += lineText(i);
    await w.write(more); // while the scout is down
    w.close();
    const second = tailer(path, state, seen);
    await drain(second);
    assertSequence(seen, 1600);
    await second.close();
  });
});

Deno.test("Tailer resumes after a restart mid-stream with no duplicate and no gap", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const w = new AppWriter(path);
    await w.open();
    const state = new MemoryState();
    const seen: number[] = [];
    let t = tailer(path, state, seen);
    await t.tick();
    await t.commit();
    for (let round = 0; round < 5; round++) {
      await writeAndTick(w, t, round * 20_000, round * 20_000 + 19_999);
      // A partial line is pending at the restart.
      await w.write(lineText(round * 20_000 + 19_999).slice(0, 7));
      await t.tick();
      await t.commit();
      await t.close();
      // Written while the scout is down.
      await w.write(lineText(round * 20_000 + 19_999).slice(7));
      t = tailer(path, state, seen);
    }
    w.close();
    await drain(t);
    assertSequence(seen, 100_000);
    await t.close();
  });
});

Deno.test("Tailer follows a file that is deleted and later created again", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen);
    await t.tick();
    await Deno.writeTextFile(path, lineText(0) + lineText(1), { append: true });
    await t.tick();
    await Deno.remove(path);
    assert.equal((await t.tick()).status, "missing");
    assert.equal((await t.tick()).status, "missing");
    await Deno.writeTextFile(path, lineText(2) + lineText(3));
    const r = await t.tick();
    assert.equal(r.status, "ok");
    assert.equal(r.rotations, 1);
    assertSequence(seen, 4);
    await t.close();
  });
});

Deno.test("Tailer reads a file that does not exist yet from its start once it appears", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/later.log`;
    const state = new MemoryState();
    const seen: number[] = [];
    const t = tailer(path, state, seen);
    assert.equal((await t.tick()).status, "missing");
    await Deno.writeTextFile(path, lineText(0) + lineText(1));
    await t.tick();
    assertSequence(seen, 2);
    await t.close();
  });
});

Deno.test("Tailer bounds one tick by its byte budget and continues on the next", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen, { chunkSize: 1024, tickBudget: 8192 });
    await t.tick();
    let text = "";
    for (let i = 0; i < 1000; i++) text += lineText(i);
    await Deno.writeTextFile(path, text, { append: true });
    const first = await t.tick();
    assert.equal(first.bytesRead, 8192);
    assert.equal(first.backlog, text.length - 8192);
    await drain(t);
    assertSequence(seen, 1000);
    await t.close();
  });
});

Deno.test("Tailer reads a 10 MB single line in bounded chunks and keeps its start", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const lines: string[] = [];
    const t = new Tailer({
      path,
      source: denoFileSource(),
      state: new MemoryState(),
      chunkSize: 64 * 1024,
      tickBudget: 1024 * 1024,
      onBlock: (text) => lines.push(...text.slice(0, -1).split("\n")),
    });
    await t.tick();
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x62);
    big.set(enc.encode("ERROR huge "), 0);
    await Deno.writeFile(path, big, { append: true });
    await Deno.writeTextFile(path, "\nERROR after seq=1\n", { append: true });
    for (let i = 0; i < 20; i++) await t.tick();
    assert.equal(lines.length, 2);
    assert.equal(lines[0].length, 8192);
    assert.ok(lines[0].startsWith("ERROR huge bbb"));
    assert.equal(lines[1], "ERROR after seq=1");
    assert.equal(t.cutLines, 1);
    await t.close();
  });
});

Deno.test("Tailer gets past a line longer than its tick budget across restarts, reading it once", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const big = new Uint8Array(3 * 1024 * 1024).fill(0x78);
    big.set(enc.encode("ERROR huge "), 0);
    await Deno.writeFile(path, big);
    await Deno.writeTextFile(path, "\nERROR after seq=1\n", { append: true });
    const state = new MemoryState();
    const lines: string[] = [];
    let cut = 0;
    // Each --once run: a new tailer, one tick, a commit.
    for (let run = 0; run < 5; run++) {
      const t = new Tailer({
        path,
        source: denoFileSource(),
        state,
        chunkSize: 64 * 1024,
        tickBudget: 1024 * 1024,
        fromStart: true,
        onBlock: (text) => lines.push(...text.slice(0, -1).split("\n")),
      });
      const r = await t.tick();
      await t.commit();
      await t.close();
      cut += t.cutLines;
      assert.ok(r.offset > 0, `run ${run} saved offset 0`);
    }
    assert.equal(lines.length, 2);
    assert.equal(lines[0], "ERROR huge " + "x".repeat(8192 - 11));
    assert.equal(lines[1], "ERROR after seq=1");
    assert.equal(cut, 1);
  });
});

Deno.test("Tailer starting at the end skips the rest of a last line longer than its look-back", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "ERROR complete 1\nERROR long " + "z".repeat(10_000));
    const lines: string[] = [];
    const state = new MemoryState();
    const open = () =>
      new Tailer({
        path,
        source: denoFileSource(),
        state,
        chunkSize: 4096,
        onBlock: (text) => lines.push(...text.slice(0, -1).split("\n")),
      });
    // A running tailer, and a restart after its first commit.
    const running = open();
    await running.tick();
    await running.commit();
    await Deno.writeTextFile(path, " ERROR tail fragment\nINFO next\n", { append: true });
    await running.tick();
    await running.commit();
    await running.close();
    assert.deepEqual(lines, ["INFO next"]);
    const restarted = open();
    await restarted.tick();
    await restarted.close();
    assert.deepEqual(lines, ["INFO next"]);
  });
});

/** A file source that checks how the tailer reads: one read at a time, never into a chunk in use. */
function watchedSource(failRead = -1) {
  const inner = denoFileSource();
  const log = {
    reads: [] as Array<{ offset: number; n: number }>,
    overlapped: 0,
    inFlight: null as Uint8Array | null,
  };
  const source: FileSource = {
    stat: (path) => inner.stat(path),
    async open(path) {
      const file = await inner.open(path);
      if (!file) return null;
      return {
        identity: file.identity,
        size: () => file.size(),
        close: () => file.close(),
        async read(offset: number, buffer: Uint8Array) {
          assert.equal(log.inFlight, null, "two reads at once");
          log.inFlight = buffer;
          try {
            if (log.reads.length === failRead) throw new Error("disk on fire");
            const n = await file.read(offset, buffer);
            log.reads.push({ offset, n });
            return n;
          } finally {
            log.inFlight = null;
          }
        },
      };
    },
  };
  /** Check a block handed to onBlock against the read in flight. */
  const scanning = (bytes: Uint8Array) => {
    if (log.inFlight === null) return;
    assert.notEqual(bytes.buffer, log.inFlight.buffer, "scanning the chunk being read into");
    log.overlapped++;
  };
  return { source, log, scanning };
}

Deno.test("Tailer reads the next chunk while it scans one, one read at a time, in order", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    let text = "";
    for (let i = 0; i < 5_000; i++) text += lineText(i);
    await Deno.writeTextFile(path, text);
    const { source, log, scanning } = watchedSource();
    const seen: number[] = [];
    const t = tailer(path, new MemoryState(), seen, {
      source,
      fromStart: true,
      tickBudget: 100_000,
      onBlock: (block, bytes) => {
        scanning(bytes);
        for (const line of block.slice(0, -1).split("\n")) {
          seen.push(Number(/seq=(\d+)/.exec(line)![1]));
        }
      },
    });
    await drain(t);
    assertSequence(seen, 5_000);
    assert.ok(log.overlapped > 10, `${log.overlapped} blocks scanned during a read`);
    let at = 0;
    for (const r of log.reads) {
      // Besides the reads in sequence, a tick may read again the bytes just
      // before its position, to check the file was not truncated and regrown.
      if (r.offset < at && r.offset + r.n === at && r.n <= 256) continue;
      assert.equal(r.offset, at);
      at += r.n;
    }
    assert.equal(at, enc.encode(text).length);
    await t.close();
  });
});

Deno.test("Tailer lets the read it started finish when scanning throws, and reports a failed read", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    let text = "";
    for (let i = 0; i < 2_000; i++) text += lineText(i);
    await Deno.writeTextFile(path, text);
    const { source, log } = watchedSource();
    const t = tailer(path, new MemoryState(), [], {
      source,
      fromStart: true,
      onBlock: () => {
        throw new Error("scan failed");
      },
    });
    await assert.rejects(t.tick(), /scan failed/);
    assert.equal(log.inFlight, null);
    await t.close();

    const failing = watchedSource(3);
    const seen: number[] = [];
    const u = tailer(path, new MemoryState(), seen, { source: failing.source, fromStart: true });
    await assert.rejects(u.tick(), /disk on fire/);
    assert.equal(failing.log.inFlight, null);
    assert.ok(seen.length > 0);
    await u.close();
  });
});

/** A tailer that keeps the raw lines it is handed. */
function lineTailer(
  path: string,
  state: MemoryState,
  lines: string[],
  extra: Partial<TailerOptions> = {},
) {
  return tailer(path, state, [], {
    onBlock: (text) => lines.push(...text.slice(0, -1).split("\n")),
    ...extra,
  });
}

/** One run of a cron job: resume from the state, read all, save, stop. */
async function run(path: string, state: MemoryState, extra: Partial<TailerOptions> = {}) {
  const lines: string[] = [];
  const t = lineTailer(path, state, lines, extra);
  const ticks = [];
  for (let i = 0; i < 1000; i++) {
    const r = await t.tick();
    ticks.push(r);
    if (r.bytesRead === 0 && r.backlog === 0) break;
  }
  await t.commit();
  await t.close();
  return {
    lines,
    rotations: ticks.reduce((n, r) => n + r.rotations, 0),
    truncations: ticks.reduce((n, r) => n + r.truncations, 0),
    status: ticks[0].status,
  };
}

Deno.test("Tailer finishes a file renamed while it was stopped, then reads the new one", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "old 1\n");
    assert.deepEqual((await run(path, state)).lines, []);
    await Deno.writeTextFile(path, "ERROR a\nERROR b\n", { append: true });
    await Deno.rename(path, `${path}.1`);
    await Deno.writeTextFile(path, "new 1\n");
    const r = await run(path, state);
    assert.deepEqual(r.lines, ["ERROR a", "ERROR b", "new 1"]);
    assert.equal(r.rotations, 1);
    assert.equal(r.truncations, 0);
    await Deno.writeTextFile(path, "new 2\n", { append: true });
    assert.deepEqual((await run(path, state)).lines, ["new 2"]);
  });
});

Deno.test("Tailer finishes the copy of a file copytruncated while it was stopped", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "old 1\nold 2\n");
    await run(path, state);
    await Deno.writeTextFile(path, "ERROR a\nERROR b\n", { append: true });
    // An older rotation that must not be taken for the copy.
    await Deno.writeTextFile(`${path}.2`, "older 1\nolder 2\nolder 3\nolder 4\n");
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await Deno.writeTextFile(path, "new 1\n", { append: true });
    const r = await run(path, state);
    assert.deepEqual(r.lines, ["ERROR a", "ERROR b", "new 1"]);
    assert.equal(r.truncations, 1);
    assert.equal(r.rotations, 0);
  });
});

Deno.test("Tailer notices, on restart, a file truncated and regrown past the offset behind the same banner", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const banner = `# myapp 1.0 ${"=".repeat(300)}\n`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, banner + "old 1\nold 2\nold 3\n");
    await run(path, state, { fromStart: true });
    await Deno.writeTextFile(path, "old 4\n", { append: true });
    await Deno.copyFile(path, `${path}.1`);
    let text = banner;
    for (let i = 1; i <= 10; i++) text += `new ${i}\n`;
    await Deno.writeTextFile(path, text); // truncates in place, as copytruncate does
    const r = await run(path, state);
    const expected = ["old 4", banner.slice(0, -1)];
    for (let i = 1; i <= 10; i++) expected.push(`new ${i}`);
    assert.deepEqual(r.lines, expected);
    assert.equal(r.truncations, 1);
    // Without the copy (compressed: not read), the new file is still read whole.
    await Deno.writeTextFile(path, "new 11\n", { append: true });
    await Deno.copyFile(path, `${path}.1.gz`);
    await Deno.remove(`${path}.1`);
    text = banner;
    for (let i = 1; i <= 12; i++) text += `again ${i}\n`;
    await Deno.writeTextFile(path, text);
    const again = await run(path, state);
    assert.deepEqual(again.lines, text.slice(0, -1).split("\n"));
    assert.equal(again.truncations, 1);
  });
});

Deno.test("Tailer notices a file truncated and regrown past the offset between two ticks", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const banner = `# myapp 1.0 ${"=".repeat(300)}\n`;
    await Deno.writeTextFile(path, banner + "old 1\n");
    const lines: string[] = [];
    const t = lineTailer(path, new MemoryState(), lines, { fromStart: true });
    await t.tick();
    await Deno.writeTextFile(path, "old 2\n", { append: true });
    await Deno.copyFile(path, `${path}.1`);
    await Deno.writeTextFile(path, banner + "new 1\nnew 2\nnew 3\n");
    const r = await t.tick();
    assert.equal(r.truncations, 1);
    assert.deepEqual(lines, [
      banner.slice(0, -1),
      "old 1",
      "old 2",
      banner.slice(0, -1),
      "new 1",
      "new 2",
      "new 3",
    ]);
    await t.close();
  });
});

Deno.test("Tailer finishes the copy, in a running tailer, of a file copytruncated between two ticks", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "");
    const lines: string[] = [];
    const t = lineTailer(path, new MemoryState(), lines);
    await t.tick();
    await Deno.writeTextFile(path, "one\ntw", { append: true });
    await t.tick();
    await Deno.writeTextFile(path, "o\nthree\n", { append: true });
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await Deno.writeTextFile(path, "four\n", { append: true });
    const r = await t.tick();
    assert.deepEqual(lines, ["one", "two", "three", "four"]);
    assert.equal(r.truncations, 1);
    assert.equal(r.rotations, 0);
    await Deno.writeTextFile(path, "five\n", { append: true });
    await t.tick();
    assert.deepEqual(lines.slice(4), ["five"]);
    await t.close();
  });
});

Deno.test("Tailer reads a file renamed while it was stopped even before the new one exists", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "");
    await run(path, state);
    await Deno.writeTextFile(path, "a\nb\n", { append: true });
    await Deno.rename(path, `${path}-20261203`);
    const r = await run(path, state);
    assert.deepEqual(r.lines, ["a", "b"]);
    assert.equal(r.status, "missing");
    assert.equal(r.rotations, 1);
    // The application still writes to it, then opens the new file: counted once.
    await Deno.writeTextFile(`${path}-20261203`, "c\n", { append: true });
    await Deno.writeTextFile(path, "d\n");
    const next = await run(path, state);
    assert.deepEqual(next.lines, ["c", "d"]);
    assert.equal(next.rotations, 0);
  });
});

Deno.test("Tailer reads every line once across restarts when the rotated file's end outlasts a tick's budget", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "");
    await run(path, state);
    let text = "";
    for (let i = 0; i < 3000; i++) text += lineText(i);
    await Deno.writeTextFile(path, text, { append: true });
    await Deno.rename(path, `${path}.1`);
    text = "";
    for (let i = 3000; i < 3100; i++) text += lineText(i);
    await Deno.writeTextFile(path, text);
    const seen: number[] = [];
    let rotations = 0;
    for (let round = 0; round < 20 && seen.length < 3100; round++) {
      // One tick per run, and a run that crashes before saving between each two.
      const crashed = tailer(path, state, []);
      await crashed.tick();
      await crashed.close();
      const t = tailer(path, state, seen, { tickBudget: 64 * 1024 });
      rotations += (await t.tick()).rotations;
      await t.commit();
      await t.close();
    }
    assertSequence(seen, 3100);
    assert.equal(rotations, 1);
  });
});

Deno.test("Tailer keeps today's behaviour with a file source that cannot list a directory", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    const inner = denoFileSource();
    const source: FileSource = { stat: (p) => inner.stat(p), open: (p) => inner.open(p) };
    await Deno.writeTextFile(path, "");
    await run(path, state, { source });
    await Deno.writeTextFile(path, "lost\n", { append: true });
    await Deno.rename(path, `${path}.1`);
    await Deno.writeTextFile(path, "new\n");
    const r = await run(path, state, { source });
    assert.deepEqual(r.lines, ["new"]);
    assert.equal(r.rotations, 1);
  });
});

Deno.test("Tailer resumes in place from a position saved before the tail hash existed", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "one\ntwo\n");
    await run(path, state);
    const key = `log:offset:${path}`;
    const saved = JSON.parse((await state.get(key))!);
    assert.equal(typeof saved.t, "string");
    delete saved.t;
    await state.set(key, JSON.stringify(saved));
    await Deno.writeTextFile(path, "three\n", { append: true });
    const r = await run(path, state);
    assert.deepEqual(r.lines, ["three"]);
    assert.equal(r.rotations + r.truncations, 0);
  });
});

Deno.test("Tailer counts a copytruncate found while it was stopped as a truncation even when the head changed", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/app.log`;
    const state = new MemoryState();
    await Deno.writeTextFile(path, "ERROR c\n");
    await run(path, state);
    await Deno.writeTextFile(path, "ERROR d\n", { append: true });
    await Deno.copyFile(path, `${path}.1`);
    await Deno.writeTextFile(path, "ERROR e\n");
    const r = await run(path, state);
    assert.deepEqual(r.lines, ["ERROR d", "ERROR e"]);
    assert.equal(r.truncations, 1);
    assert.equal(r.rotations, 0);
  });
});
