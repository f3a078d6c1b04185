/**
 * Issue 4's memory figure: the resident set size of the real `plato-scout`
 * process (`deno run -A cli.ts --config scout.yaml`) through a long PLATO
 * outage at a high emission rate. The config runs many HTTP scouts at a short
 * interval against a local target served by this process, and points
 * `plato_url` at a loopback port nothing listens on (every connection is
 * refused). Once a second the bench reads the CLI's `VmRSS` from
 * `/proc/<pid>/status` and its `/metrics` (SCOUT_METRICS_PORT=0): tiles
 * emitted, outbox depth, tiles dropped by the outbox bound.
 *
 * Flat means: after the warm-up, the median RSS of the last third of the
 * samples is within 10% of the median of the first third, and the outbox
 * never holds more than `outbox_max_entries` (set low enough that the bound is
 * reached during the run, so both the filling and the drop-oldest phases are
 * measured).
 *
 *     deno run -A bench/outage_rss_bench.ts
 *
 * Environment: BENCH_OUTAGE_SECONDS (default 60; 20 with BENCH_QUICK=1),
 * BENCH_OUTAGE_SCOUTS (default 50), BENCH_OUTAGE_INTERVAL (seconds, default
 * 0.2), BENCH_OUTAGE_MAX_ENTRIES (default 5000). Linux only (/proc). The CLI
 * is stopped with SIGTERM (killed if it does not exit) and temp files removed.
 *
 * @module
 */
import { type Figure, report, summary } from "./_stats.ts";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const SECONDS = env("BENCH_OUTAGE_SECONDS", QUICK ? 20 : 60);
const SCOUTS = env("BENCH_OUTAGE_SCOUTS", 50);
const INTERVAL = env("BENCH_OUTAGE_INTERVAL", 0.2);
const MAX_ENTRIES = env("BENCH_OUTAGE_MAX_ENTRIES", 5000);
const WARMUP_S = Math.max(5, Math.round(SECONDS / 6));
const CLI = new URL("../cli.ts", import.meta.url).pathname;

interface Sample {
  t: number;
  rssMiB: number;
  /** Anonymous memory (heaps: V8, SQLite, allocator) and file-backed pages (code, mmaps). */
  anonMiB: number;
  fileMiB: number;
  emitted: number;
  depth: number;
  dropped: number;
}

function memory(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const mib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) / 1024;
  return { rssMiB: mib("VmRSS"), anonMiB: mib("RssAnon"), fileMiB: mib("RssFile") };
}

/** Sum of every series of a metric in the Prometheus text format. */
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}

/** A loopback port with nothing listening on it. */
function deadPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const dir = await Deno.makeTempDir({ prefix: "outage_rss_bench_" });
const target = Deno.serve(
  { port: 0, hostname: "127.0.0.1", onListen: () => {} },
  () => Response.json({ status: "ok", queue_depth: 3, workers: 8 }),
);
const plato = `http://127.0.0.1:${deadPort()}`;
const scouts = Array.from({ length: SCOUTS }, (_, i) =>
  [
    `  - scout: { name: outage-${i}, scout_room: bench/outage, poll_interval: ${INTERVAL} }`,
    `    watch: { type: http, url: "http://127.0.0.1:${target.addr.port}/stats?s=${i}" }`,
  ].join("\n")).join("\n");
await Deno.writeTextFile(
  `${dir}/scout.yaml`,
  `scouts:\n${scouts}\nemission:\n  outbox_max_entries: ${MAX_ENTRIES}\n`,
);

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    CLI,
    "--config",
    `${dir}/scout.yaml`,
    "--plato-url",
    plato,
    "--state-dir",
    `${dir}/state`,
    "--deadline",
    "1",
  ],
  stdin: "null",
  stdout: "null",
  stderr: "piped",
  env: { SCOUT_METRICS_PORT: "0", NO_COLOR: "1" },
}).spawn();

// Read stderr to the end (so the CLI never blocks on a full pipe); find the metrics port in it.
let stderrLines = 0;
let stderrTail = "";
const { promise: metricsPort, resolve: resolvePort } = Promise.withResolvers<number>();
const drained = (async () => {
  let buffer = "";
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      stderrLines++;
      stderrTail = line;
      const m = /metrics on :(\d+)\/metrics/.exec(line);
      if (m) resolvePort(Number(m[1]));
    }
  }
})();

const samples: Sample[] = [];
let exitedEarly: Deno.CommandStatus | undefined;
child.status.then((s) => exitedEarly = s);
try {
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  const port = await Promise.race([
    metricsPort,
    child.status.then((s) => Promise.reject(new Error(`CLI exited ${s.code}: ${stderrTail}`))),
    new Promise<never>((_, reject) =>
      startTimer = setTimeout(() => reject(new Error(`CLI did not start: ${stderrTail}`)), 30_000)
    ),
  ]).finally(() => clearTimeout(startTimer));
  const start = performance.now();
  for (let s = 1; s <= SECONDS; s++) {
    await new Promise((r) => setTimeout(r, start + s * 1000 - performance.now()));
    if (exitedEarly) throw new Error(`CLI exited (${exitedEarly.code}): ${stderrTail}`);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    samples.push({
      t: s,
      ...memory(child.pid),
      emitted: metric(text, "plato_scout_tiles_emitted_total"),
      depth: metric(text, "plato_scout_outbox_depth"),
      dropped: metric(text, "plato_scout_tiles_dropped_total"),
    });
  }
} finally {
  if (!exitedEarly) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 15_000);
    await child.status;
    clearTimeout(timer);
  }
  await drained;
  await target.shutdown();
  await Deno.remove(dir, { recursive: true });
}

console.log(
  `${SCOUTS} HTTP scouts every ${INTERVAL} s, PLATO refusing connections for ${SECONDS} s, ` +
    `outbox_max_entries ${MAX_ENTRIES}; warm-up ${WARMUP_S} s`,
);
console.log("     t s   rss MiB  anon MiB  file MiB   emitted   outbox   dropped");
const every = Math.max(1, Math.round(SECONDS / 12));
for (const s of samples) {
  if (s.t % every !== 0 && s.t !== 1) continue;
  console.log(
    `${String(s.t).padStart(8)} ${s.rssMiB.toFixed(1).padStart(9)} ${
      s.anonMiB.toFixed(1).padStart(9)
    } ${s.fileMiB.toFixed(1).padStart(9)} ${String(s.emitted).padStart(9)} ${
      String(s.depth).padStart(8)
    } ${String(s.dropped).padStart(9)}`,
  );
}

const steady = samples.filter((s) => s.t > WARMUP_S);
const third = Math.max(1, Math.floor(steady.length / 3));
const first = summary(steady.slice(0, third).map((s) => s.rssMiB));
const last = summary(steady.slice(-third).map((s) => s.rssMiB));
const growth = last.median / first.median - 1;
const maxDepth = Math.max(...samples.map((s) => s.depth));
const final = samples.at(-1)!;
const rate = (final.emitted - steady[0].emitted) / (final.t - steady[0].t);
const bounded = maxDepth <= MAX_ENTRIES;
const flat = Math.abs(growth) <= 0.10;
const reachedBound = final.dropped > 0;
console.log(
  `RSS first third ${first.median.toFixed(1)} MiB, last third ${last.median.toFixed(1)} MiB ` +
    `(${(growth * 100).toFixed(1)}%); ${rate.toFixed(0)} tiles/s emitted; outbox max ${maxDepth}` +
    ` (bound ${MAX_ENTRIES}), ${final.dropped} dropped oldest; ${stderrLines} log lines`,
);

const figures: Figure[] = [{
  name: "CLI RSS during a long PLATO outage (last third of the run)",
  unit: "MiB",
  ...last,
  against: { name: "RSS in the first third after warm-up, same run", ...first },
  target: "flat: last-third median within 10% of first-third median; outbox <= outbox_max_entries",
  met: flat && bounded,
  note:
    `${SECONDS} s outage, ${SCOUTS} HTTP scouts every ${INTERVAL} s (${
      rate.toFixed(0)
    } tiles/s, ${final.emitted} tiles); RSS ${(growth * 100).toFixed(1)}% last vs first third; ` +
    `outbox peaked at ${maxDepth} of ${MAX_ENTRIES}` +
    (reachedBound
      ? `, ${final.dropped} oldest tiles dropped and counted at the bound.`
      : " (the bound was not reached: run longer or lower BENCH_OUTAGE_MAX_ENTRIES).") +
    (flat ? "" : " RSS grew beyond 10%: memory is not flat.") +
    (bounded ? "" : " The outbox exceeded its bound."),
}];
report(figures);
