/**
 * The README's first command: a real scout run end to end with no setup.
 *
 * It starts the embedded local PLATO room server (SQLite in a temp folder),
 * a small real HTTP service that fails for a while, and a log file that
 * service writes to; runs the built-in HTTP and log scouts against them with
 * the same machinery as the CLI (durable outbox, one emitter, scheduling); then
 * prints the tiles that landed in the rooms.
 *
 * Run: `npx -y deno@2 task demo` (or `deno task demo`). Takes ~8 seconds.
 */
import { validateConfig } from "../lib/config/load.ts";
import { formatProblem } from "../lib/config/issues.ts";
import { createPlatoClient } from "../lib/client.ts";
import { createLogger } from "../lib/logger.ts";
import { runConfig } from "../lib/runtime/runner.ts";
import { startLocalPlato } from "../lib/runtime/serve.ts";
import { formatTile } from "../lib/runtime/cli/read.ts";
import { BUILTIN_SCOUTS } from "../scouts/mod.ts";

const seconds = Number(Deno.env.get("DEMO_SECONDS") ?? 8);
const dir = await Deno.makeTempDir({ prefix: "plato-scout-demo-" });
const plato = await startLocalPlato({ port: 0, dbPath: `${dir}/plato.db` });
console.log(`Local PLATO room server on ${plato.url} (tiles in ${plato.dbPath})`);

// A real service to watch: healthy, then failing for a while, then healthy again.
const logPath = `${dir}/app.log`;
await Deno.writeTextFile(logPath, "");
const started = Date.now();
let requests = 0;
const phase = () => {
  const t = (Date.now() - started) / 1000;
  return t > seconds * 0.35 && t < seconds * 0.65 ? "down" : "up";
};
const app = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async () => {
  requests++;
  const down = phase() === "down";
  const line = down
    ? `${new Date().toISOString()} ERROR db pool exhausted after ${1000 + requests * 7}ms (conn=${
      requests % 5
    })\n`
    : `${new Date().toISOString()} INFO GET /health 200 in ${3 + (requests % 4)}ms\n`;
  await Deno.writeTextFile(logPath, line, { append: true });
  if (requests % 3 === 0) {
    await Deno.writeTextFile(
      logPath,
      `${new Date().toISOString()} WARN slow query took ${400 + requests}ms\n`,
      { append: true },
    );
  }
  return down
    ? Response.json({ status: "degraded", db: "unavailable" }, { status: 503 })
    : Response.json({
      status: "ok",
      uptime_s: Math.round((Date.now() - started) / 1000),
      requests,
    });
});
const appUrl = `http://127.0.0.1:${app.addr.port}/health`;
console.log(`Watched service on ${appUrl}, writing ${logPath}\n`);

const result = validateConfig({
  scouts: [
    {
      scout: { name: "demo-http-scout", scout_room: "demo/scout-reports/http", poll_interval: 1 },
      watch: { type: "http", url: appUrl, timeout: 2 },
    },
    {
      scout: { name: "demo-log-scout", scout_room: "demo/scout-reports/logs", poll_interval: 2 },
      watch: { type: "log", file: logPath, pattern: "ERROR|WARN" },
    },
  ],
  emission: { min_interval_seconds: 0.5 },
}, { kinds: BUILTIN_SCOUTS });
if (!result.ok) throw new Error(result.problems.map(formatProblem).join("; "));

const ac = new AbortController();
const timer = setTimeout(() => ac.abort(), seconds * 1000);
const code = await runConfig(result.config, {
  kinds: BUILTIN_SCOUTS,
  platoUrl: plato.url,
  stateDir: `${dir}/state`,
  signal: ac.signal,
  logger: createLogger({ name: "demo", level: Deno.env.get("SCOUT_LOG_LEVEL") ?? "warn" }),
});
clearTimeout(timer);

const client = createPlatoClient({ url: plato.url });
const rooms = await client.listRooms();
let total = 0;
for (const [room, info] of Object.entries(rooms.ok ? rooms.value : {})) {
  const page = await client.readRoom(room, { limit: 1000 });
  if (!page.ok) continue;
  total += page.value.tiles.length;
  console.log(`── room ${room}: ${info.tile_count} tile(s)`);
  for (const tile of page.value.tiles) {
    const lines = formatTile(tile).split("\n");
    console.log(
      [
        ...lines.slice(0, 9),
        ...(lines.length > 9 ? [`    … (${lines.length - 9} more lines)`] : []),
      ].join("\n"),
    );
  }
  console.log();
}
console.log(`${total} tile(s) landed in ${plato.url} (scouts exited with ${code}).`);
await app.shutdown();
await plato.stop();
await Deno.remove(dir, { recursive: true });
if (code !== 0 || total === 0) Deno.exit(1);
