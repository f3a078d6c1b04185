/**
 * Scouts on Deno Deploy: one top-level `Deno.cron` per schedule (Deploy
 * registers the crons it finds when the module's top level runs at deploy
 * time; registrations made later, inside handlers, are not picked up). Each
 * cron runs one cycle of its scouts and delivers within a deadline.
 *
 * Configure with environment variables in the Deploy dashboard: `PLATO_URL`,
 * `PLATO_API_KEY`, and `SCOUTS` (scout.yaml as JSON; the example below is
 * used when it is unset). Locally: `deno run -A --unstable-cron examples/deno_deploy/main.ts`.
 *
 * Outside this repository, import from the package instead:
 *   import { createPlatoClient, createLogger, Emitter, MemoryState, MetricsRegistry } from "@plato/scout";
 *   import { buildScouts, validateConfig } from "@plato/scout/config";
 *   import { BUILTIN_SCOUTS } from "@plato/scout/scouts";
 *   import { cronFor } from "@plato/scout/deno";
 *
 * @module
 */
import {
  createLogger,
  createPlatoClient,
  DEFAULT_PLATO_URL,
  Emitter,
  MemoryState,
  MetricsRegistry,
} from "../../mod.ts";
import { buildScouts, formatProblem, validateConfig } from "../../lib/config/mod.ts";
import { cronFor } from "../../lib/runtime/deno_schedule.ts";
import { BUILTIN_SCOUTS } from "../../scouts/mod.ts";

const EXAMPLE = {
  scouts: [{
    scout: { name: "api-health", scout_room: "fleet/scout-reports/api", cron: "*/5 * * * *" },
    watch: { type: "http", url: "https://example.com/", expect_status: ["2xx"] },
  }],
};

const env = (name: string) => Deno.env.get(name);
const raw = env("SCOUTS") ? JSON.parse(env("SCOUTS")!) : EXAMPLE;
const result = validateConfig(raw, { kinds: BUILTIN_SCOUTS, env });
if (!result.ok) {
  throw new TypeError(`Invalid SCOUTS: ${result.problems.map(formatProblem).join("; ")}`);
}
const config = result.config;
const platoUrl = config.platoUrl ?? env("PLATO_URL") ?? DEFAULT_PLATO_URL;
const apiKey = env("PLATO_API_KEY");
const logger = createLogger({ name: "plato-scout", secrets: apiKey ? [apiKey] : [] });
const metrics = new MetricsRegistry();
// Isolates come and go between cron runs: tiles not delivered within a run's
// deadline wait in memory only while this isolate lives.
const emitter = new Emitter({
  client: createPlatoClient({ url: platoUrl, apiKey }),
  batchSize: config.emission.batchSize,
  gate: config.emission.gate,
  autoFlush: false,
  logger,
  metrics,
});
const scouts = buildScouts(config, {
  kinds: BUILTIN_SCOUTS,
  emitter,
  host: { state: new MemoryState() },
  platoUrl,
  apiKey,
  logger,
  metrics,
});

// One cron per schedule: a scout's `cron`, else its poll interval as cron.
const bySchedule = new Map<string, typeof scouts>();
for (const entry of scouts) {
  const schedule = entry.cron ?? cronFor(entry.pollInterval) ?? "* * * * *";
  bySchedule.set(schedule, [...(bySchedule.get(schedule) ?? []), entry]);
}
for (const [schedule, group] of bySchedule) {
  const name = `plato-scout ${schedule}`.replace(/[^A-Za-z0-9 _-]/g, "_");
  Deno.cron(name, schedule, async () => {
    await Promise.all(group.map(({ scout }) => scout.tick()));
    const report = await emitter.drain({ deadlineMs: 20_000 });
    logger.info(`${schedule}: delivered ${report.delivered}, ${report.pending} waiting`);
  });
}
