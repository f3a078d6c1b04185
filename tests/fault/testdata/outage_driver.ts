/**
 * Fault-suite driver (a separate process, like the CLI): builds the delivery
 * path exactly as `runConfig` (lib/runtime/runner.ts) does — `SqliteOutbox`
 * in `<state-dir>/scout.db` with the config's outbox bounds, the PLATO client,
 * and one `Emitter` with the config's batch size, concurrency, flush interval
 * and gate policy — then emits `--count` tiles in scout-sized chunks, printing
 * its memory (after a forced GC: run with `--v8-flags=--expose-gc`) at backlog
 * checkpoints, and keeps delivering until the outbox is empty.
 *
 * It exists because the real CLI's scouts emit a few tiles per cycle, so
 * 10,000 emissions through them would take minutes; the emitter, outbox and
 * client below are the very objects the CLI uses.
 *
 * Output: one JSON object per line on stdout (`event`: `mem`, `backlog`,
 * `delivered`).
 *
 * Usage: deno run -A --v8-flags=--expose-gc outage_driver.ts --plato-url URL
 *        --state-dir DIR --count N --room ROOM
 */
import { parseArgs } from "node:util";
import { BUILTIN_SCOUTS } from "../../../scouts/mod.ts";
import { createPlatoClient } from "../../../lib/client.ts";
import { validateConfig } from "../../../lib/config/load.ts";
import { Emitter } from "../../../lib/emitter.ts";
import { createLogger } from "../../../lib/logger.ts";
import { MetricsRegistry } from "../../../lib/metrics.ts";
import { SqliteOutbox } from "../../../lib/runtime/sqlite_outbox.ts";
import { buildTile } from "../../../lib/tile.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "plato-url": { type: "string" },
    "state-dir": { type: "string" },
    count: { type: "string" },
    room: { type: "string" },
    "deliver-timeout": { type: "string", default: "120" },
  },
});
const count = Number(values.count);
const room = values.room!;
const stateDir = values["state-dir"]!;

// The same defaults a scout.yaml without an `emission:` section gets.
const validated = validateConfig(
  { scout: { name: "outage-driver", scout_room: room }, watch: { type: "log", file: "x.log" } },
  { kinds: BUILTIN_SCOUTS },
);
if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
const emission = validated.config.emission;

const log = createLogger({ name: "plato-scout" });
await Deno.mkdir(stateDir, { recursive: true });
const outbox = SqliteOutbox.open(`${stateDir}/scout.db`, {
  maxEntries: emission.outboxMaxEntries,
  maxBytes: emission.outboxMaxBytes,
  onError: (e) => log.error(`Outbox storage failed (tiles kept in memory): ${e.message}`),
});
const emitter = new Emitter({
  client: createPlatoClient({ url: values["plato-url"]! }),
  outbox,
  batchSize: emission.batchSize,
  concurrency: emission.concurrency,
  minIntervalMs: emission.minIntervalSeconds * 1000,
  gate: emission.gate,
  name: "plato-scout",
  logger: log,
  metrics: new MetricsRegistry(),
});

const gc = (globalThis as { gc?: () => void }).gc;
function vmRssKb(): number {
  const m = Deno.readTextFileSync("/proc/self/status").match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : -1;
}
function mem(label: string) {
  gc?.();
  const u = Deno.memoryUsage();
  console.log(JSON.stringify({
    event: "mem",
    label,
    backlog: outbox.size(),
    vmRssKb: vmRssKb(),
    heapUsed: u.heapUsed,
    rss: u.rss,
    gc: gc !== undefined,
  }));
}
const tick = () => new Promise((r) => setTimeout(r, 0));

const CHECKPOINTS = new Set([1_000, 2_500, 5_000, 7_500, count]);
const CHUNK = 100; // about what one busy cycle of a few scouts emits
for (let i = 0; i < count;) {
  for (const end = Math.min(count, i + CHUNK); i < end; i++) {
    emitter.emit(buildTile({
      id: `outage-${i}`,
      scoutName: "outage-driver",
      room,
      checkpointType: "periodic",
      question: `Outage emission ${i} of ${count}`,
      answer: {
        n: i,
        observed_at: new Date().toISOString(),
        detail: "payload of a realistic size ".repeat(10),
      },
      tags: ["periodic", "fault"],
    }));
  }
  await tick(); // end the task: the outbox writes this chunk to SQLite
  if (CHECKPOINTS.has(i)) mem(`emitted ${i}`);
}
console.log(JSON.stringify({ event: "backlog", pending: outbox.size(), stats: emitter.stats }));

const deadline = Date.now() + Number(values["deliver-timeout"]) * 1000;
while (outbox.size() > 0 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100));
}
mem("after delivery");
const report = await emitter.close({ deadlineMs: 1000 });
console.log(JSON.stringify({ event: "delivered", stats: emitter.stats, report }));
Deno.exit(report.pending === 0 ? 0 : 1);
