/**
 * The core's conformance cases, written against the web platform only so the
 * same module runs under Deno, Bun, Node and workerd (Hono/unstorage style:
 * one suite, every runtime). The host starts a FakePlato and queues two
 * faults (a 503, then a dropped connection) before each run.
 *
 * @module
 */
import { CheckpointType } from "../../lib/checkpoint_type.ts";
import { createPlatoClient } from "../../lib/client.ts";
import { Emitter } from "../../lib/emitter.ts";
import { createLogger } from "../../lib/logger.ts";
import { Scout } from "../../lib/scout.ts";
import { buildTile } from "../../lib/tile.ts";

/** One case's outcome. */
export interface CaseResult {
  name: string;
  ok: boolean;
  detail?: string;
}

function check(condition: unknown, message: string): void {
  if (!condition) throw new Error(message);
}

/** How many tiles a successful run stores on the server. */
export const TILES_PER_RUN = 5;

/**
 * Run every case against a PLATO server.
 *
 * @param platoUrl The server; it must answer the first two submits with a 503 and a dropped connection.
 * @param runtime A label that makes this run's tiles unique on the server.
 * @returns One result per case.
 */
export async function runCoreConformance(platoUrl: string, runtime: string): Promise<CaseResult[]> {
  const run = `${runtime}-${crypto.randomUUID().slice(0, 8)}`;
  const logger = createLogger({ level: "silent" });
  const results: CaseResult[] = [];
  const test = async (name: string, body: () => Promise<void> | void) => {
    try {
      await body();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).stack ?? String(error) });
    }
  };

  await test("buildTile() builds the wire form with a string answer and tags", () => {
    const tile = buildTile({
      scoutName: "core-scout",
      room: "tests/core",
      checkpointType: CheckpointType.PERIODIC,
      question: "core check",
      answer: { run, n: 1 },
      now: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    check(typeof tile.answer === "string", "answer is not a string");
    check(JSON.parse(tile.answer).run === run, "answer does not round-trip");
    check(tile.domain === "tests/core", `domain is ${tile.domain}`);
    check(tile.tags.includes("checkpoint:periodic"), `tags are ${tile.tags}`);
    check(tile.timestamp.startsWith("2026-01-02T03:04:05"), `timestamp is ${tile.timestamp}`);
    check(tile.question.includes("core check"), `question is ${tile.question}`);
  });

  await test("the emitter keeps tiles through an outage and delivers them after it", async () => {
    const emitter = new Emitter({
      client: createPlatoClient({ url: platoUrl }),
      autoFlush: false,
      logger,
    });
    for (let i = 0; i < 3; i++) {
      emitter.emit(buildTile({
        scoutName: "core-scout",
        room: "tests/core",
        checkpointType: CheckpointType.PERIODIC,
        question: `outage tile ${i} of ${run}`,
        answer: { run, i, note: "kept while the server was down" },
      }));
    }
    const down = await emitter.flush(); // 503
    check(down.delivered === 0 && down.pending === 3, `503: ${JSON.stringify(down)}`);
    const dropped = await emitter.flush(); // connection closed without an answer
    check(dropped.delivered === 0 && dropped.pending === 3, `drop: ${JSON.stringify(dropped)}`);
    const up = await emitter.flush();
    check(up.delivered === 3 && up.pending === 0, `recovery: ${JSON.stringify(up)}`);
    check(emitter.stats.retries === 2, `retries: ${emitter.stats.retries}`);
  });

  await test("a scout cycle emits its startup and periodic tiles and they arrive", async () => {
    class CoreScout extends Scout<{ run: string; value: number }> {
      protected override collect() {
        return { run, value: 42 };
      }
    }
    const scout = new CoreScout({
      scoutName: "core-scout",
      scoutRoom: "tests/core",
      platoUrl,
      logger,
      emitter: new Emitter({
        client: createPlatoClient({ url: platoUrl }),
        autoFlush: false,
        logger,
      }),
    });
    const tick = await scout.tick();
    check(tick.ok, `tick failed: ${tick.error}`);
    check(scout.counts.tiles === 2, `tiles: ${scout.counts.tiles}`);
    const report = await scout.emitter.flush();
    check(report.delivered === 2 && report.pending === 0, `flush: ${JSON.stringify(report)}`);
  });
  return results;
}

/**
 * The first fault a host queues: a 503 that also ends the connection, so the
 * next request (the dropped one) goes over a fresh connection in every
 * runtime — a client may transparently retry a request that failed on a
 * reused keep-alive connection (Deno's does), which would hide the drop.
 */
export const OUTAGE_503 = {
  status: 503,
  body: { error: "down" },
  headers: { connection: "close" },
};
