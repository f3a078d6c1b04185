/**
 * Outbox costs: one `append()` (median ns) for MemoryOutbox and SqliteOutbox,
 * the SqliteOutbox write it defers to the end of the task, and RSS while
 * 200,000 tiles are appended with nothing draining (a long PLATO outage).
 *
 * Run: `deno run -A bench/outbox_bench.ts [appends]`. Add
 * `--v8-flags=--expose-gc` to collect garbage before each memory reading, so
 * the heap column shows what is retained rather than what awaits collection.
 *
 * The flatness figure is RSS net of the heap V8 has committed but holds free:
 * under a steady allocation rate V8 grows its young generation in steps (up
 * to its cap), which raises raw RSS by tens of MiB at moments that vary from
 * run to run while nothing is retained. Raw RSS and V8's committed heap are
 * printed beside it.
 *
 * @module
 */
import { MemoryOutbox, type Outbox } from "../lib/outbox.ts";
import { SqliteOutbox } from "../lib/runtime/sqlite_outbox.ts";
import { buildTile, type Tile } from "../lib/tile.ts";
import { type Figure, report, summary } from "./_stats.ts";

const tile = (i: number): Tile =>
  buildTile({
    scoutName: "bench",
    room: "bench/outbox",
    checkpointType: "periodic",
    question: `observation ${i}`,
    answer: { status: 200, latencyMs: 12.5, i },
  });

let lastSamples: number[] = []; // for BENCH_JSON: the rounds behind the last perCall()
/** MiB, per outage() reading: raw RSS, live JS heap, V8's committed heap, and RSS net of its free part. */
const rssReadings: { n: number; rss: number; heap: number; committed: number; net: number }[] = [];
const figures: Figure[] = [];
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
const endOfTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).padStart(6);

/**
 * Median ns of one call of `step`, timed in rounds of `per` calls. `cold`
 * ends the task between rounds (a timer, as between a scout's ticks), which
 * also lets a SqliteOutbox write outside the timed window.
 */
async function perCall(
  rounds: number,
  per: number,
  step: () => void,
  after?: () => void,
  cold = true,
): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    step();
    after?.();
    samples.push(((performance.now() - start) * 1e6) / per);
    if (cold) await endOfTask();
  }
  lastSamples = samples;
  return median(samples);
}

const appends = Number(Deno.args[0] ?? 200_000);
const every = appends / 10;
const gc = (globalThis as { gc?: () => void }).gc;
const dir = await Deno.makeTempDir({ prefix: "outbox_bench_" });
const ns = (x: number) => `${x.toFixed(0).padStart(8)} ns`;

/** RSS while PLATO is down: appends, nothing drains, the bound holds. Runs first for a clean RSS. */
async function outage(): Promise<void> {
  const path = `${dir}/outage.db`;
  const outbox = SqliteOutbox.open(path, { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 });
  console.log(
    `PLATO down: ${appends} appends, nothing drains, maxEntries 50,000 (1,000 per task)` +
      (gc ? ", GC before each reading:" : " (no --expose-gc: heap includes garbage):"),
  );
  console.log(
    "  appended   size   dropped  rss MiB  heap MiB  file+wal MiB  v8 committed  net rss",
  );
  const report = (n: number) => {
    gc?.();
    const { rss, heapUsed, heapTotal } = Deno.memoryUsage();
    const net = rss - (heapTotal - heapUsed);
    rssReadings.push({
      n,
      rss: rss / 1024 / 1024,
      heap: heapUsed / 1024 / 1024,
      committed: heapTotal / 1024 / 1024,
      net: net / 1024 / 1024,
    });
    const file = Deno.statSync(path).size + Deno.statSync(`${path}-wal`).size;
    const size = String(outbox.size()).padStart(6);
    const dropped = String(outbox.dropped).padStart(9);
    console.log(
      `  ${String(n).padStart(8)} ${size} ${dropped} ${mib(rss)}    ${mib(heapUsed)}    ${
        mib(file)
      }       ${mib(heapTotal)}   ${mib(net)}`,
    );
  };
  report(0);
  for (let n = 0; n < appends;) {
    for (let k = 0; k < 1000; k++) outbox.append(tile(n++));
    await endOfTask();
    if (n % every === 0) report(n);
  }
  const full = tile(0);
  const atBound = await perCall(2000, 1, () => outbox.append(full), () => outbox.sync(), false);
  console.log(`  at the bound, 1 tile per task (drop + write)        ${ns(atBound)}\n`);
  outbox.close();
}

/** What one append costs, and the write SqliteOutbox defers to the end of the task. */
async function costs(): Promise<void> {
  const tiles = Array.from({ length: 1000 }, (_, i) => tile(i));
  const appendAll = (outbox: Outbox) => () => {
    for (const t of tiles) outbox.append(t);
  };
  const memory = new MemoryOutbox({ capacity: 100_000 });
  const sqlite = SqliteOutbox.open(`${dir}/append.db`, { maxEntries: 1e6, maxBytes: 2 ** 30 });
  await perCall(20, 1000, appendAll(memory)); // Warm up.
  await perCall(20, 1000, appendAll(sqlite));
  const memoryNs = await perCall(200, 1000, appendAll(memory));
  const memorySamples = lastSamples;
  const sqliteNs = await perCall(200, 1000, appendAll(sqlite));
  figures.push({
    name: "SqliteOutbox.append() (buffered; what the CLI's emit() pays)",
    unit: "ns per call",
    ...summary(lastSamples),
    against: { name: "MemoryOutbox.append()", ...summary(memorySamples) },
    target: "median < 2,000 ns (issue 2's emit() budget, which the durable outbox shares)",
    met: summary(lastSamples).median < 2000,
  });
  const writeNs = await perCall(200, 1000, appendAll(sqlite), () => sqlite.sync());
  const one = () => sqlite.append(tiles[0]);
  const oneWarmNs = await perCall(2000, 1, one, () => sqlite.sync(), false);
  const oneColdNs = await perCall(2000, 1, one, () => sqlite.sync());
  sqlite.close();

  console.log("append() cost, median of rounds of 1,000 calls:");
  console.log(`  MemoryOutbox.append()                               ${ns(memoryNs)}`);
  console.log(`  SqliteOutbox.append() (buffered, what emit() pays)  ${ns(sqliteNs)}`);
  console.log("SqliteOutbox write at the end of the task (runs on the event loop):");
  console.log(`  1,000 tiles per task, per tile                      ${ns(writeNs)}`);
  console.log(`  1 tile per task, back to back                       ${ns(oneWarmNs)}`);
  console.log(`  1 tile per task, after a timer (cold caches)        ${ns(oneColdNs)}`);
}

try {
  await outage();
  await costs();
  // Steady state: after the outbox's whole content has been replaced once at the bound.
  const steady = rssReadings.filter((r) => r.n > 2 * 50_000);
  if (steady.length >= 3) {
    const third = Math.floor(steady.length / 3);
    const first = summary(steady.slice(0, third).map((r) => r.net));
    const last = summary(steady.slice(-third).map((r) => r.net));
    const growth = last.median / first.median - 1;
    const span = (key: "heap" | "rss" | "committed") =>
      `${steady[0][key].toFixed(1)} -> ${steady.at(-1)![key].toFixed(1)} MiB`;
    figures.unshift({
      name:
        `SqliteOutbox memory (RSS net of V8's free heap), ${appends} appends, nothing draining (in-process, last third)`,
      unit: "MiB",
      ...last,
      against: { name: "first third of the readings after warm-up", ...first },
      target: "flat: last-third median within 10% of first-third median",
      met: Math.abs(growth) <= 0.1,
      note: `${(growth * 100).toFixed(1)}% last vs first third of the readings after ` +
        `100,000 appends (the 50,000-entry outbox replaced once at its bound); live JS heap ${
          span("heap")
        }; raw RSS ${span("rss")}, V8's committed heap ${
          span("committed")
        } (V8 grows its young generation in steps under a steady allocation rate; ` +
        `that is the raw RSS difference); RSS ${
          rssReadings[0].rss.toFixed(1)
        } MiB before the first append.` +
        (gc ? "" : " Run without --expose-gc: RSS includes uncollected garbage."),
    });
  }
  report(figures);
} finally {
  await Deno.remove(dir, { recursive: true });
}
