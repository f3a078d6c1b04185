import { resolve } from "node:path";
import { type Command, parseFlags } from "./command.ts";
import { UsageError } from "../usage_error.ts";
import { DEFAULT_HOST, DEFAULT_PORT, isLoopback, startLocalPlato } from "../serve.ts";

/** Where `plato-scout serve` keeps tiles unless `--db` says otherwise. */
export const DEFAULT_DB_PATH = ".plato/rooms.db";

const HELP = `plato-scout serve: run a local PLATO room server

Usage: plato-scout serve [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--db PATH] [--gate fleet]

Flags:
  --port N     Port to listen on (default ${DEFAULT_PORT}; 0 picks a free port and prints it)
  --host ADDR  Address to bind (default ${DEFAULT_HOST}); a non-loopback address needs PLATO_API_KEY
  --db PATH    SQLite database file (default ${DEFAULT_DB_PATH})
  --gate MODE  'schema' (default: the tile schema only) or 'fleet' (the fleet's P0 gate, duplicates included)

Environment:
  PLATO_API_KEY  When set, every route but /health requires 'Authorization: Bearer <key>'

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM; a second one stops at once.`;

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new UsageError(`serve: '--port' must be an integer 0..65535, got '${value}'`);
  }
  return n;
}

/** The first SIGINT/SIGTERM resolves `promise`, a second one `again`. */
function waitForSignal(): { promise: Promise<string>; again: Promise<string>; dispose(): void } {
  const first = Promise.withResolvers<string>();
  const second = Promise.withResolvers<string>();
  let seen = 0;
  const listeners: Array<[Deno.Signal, () => void]> = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => (seen++ === 0 ? first : second).resolve(signal);
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // SIGTERM cannot be listened to on Windows; Ctrl-C still works.
    }
  }
  return {
    promise: first.promise,
    again: second.promise,
    dispose: () => listeners.forEach(([s, l]) => Deno.removeSignalListener(s, l)),
  };
}

/** `plato-scout serve`: a local PLATO room server until SIGINT/SIGTERM. */
export const serveCommand: Command = {
  name: "serve",
  summary: "Run a local PLATO room server (SQLite-backed)",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags("serve", argv, {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      gate: { type: "string" },
    });
    const port = values.port !== undefined ? parsePort(values.port) : DEFAULT_PORT;
    const hostname = values.host ?? DEFAULT_HOST;
    const gate = values.gate ?? "schema";
    if (gate !== "schema" && gate !== "fleet") {
      throw new UsageError(`serve: '--gate' must be 'schema' or 'fleet', got '${gate}'`);
    }
    if (values.db === "") throw new UsageError("serve: '--db' must not be empty");
    const apiKey = envVar("PLATO_API_KEY");
    if (!isLoopback(hostname) && !apiKey) {
      throw new UsageError(
        `serve: refusing to listen on '${hostname}' without PLATO_API_KEY (set it, or use --host ${DEFAULT_HOST})`,
      );
    }
    const dbPath = resolve(values.db ?? DEFAULT_DB_PATH);
    await Deno.mkdir(resolve(dbPath, ".."), { recursive: true });

    const signals = waitForSignal();
    try {
      const server = await startLocalPlato({ port, hostname, dbPath, gate, apiKey });
      console.log(`plato-scout: PLATO room server listening on ${server.url} (gate: ${gate})`);
      console.log(`plato-scout: tiles stored in ${dbPath}`);
      if (apiKey) console.log("plato-scout: PLATO_API_KEY is required (except on /health)");
      const signal = await Promise.race([signals.promise, server.finished.then(() => "")]);
      const forced = await Promise.race([server.stop().then(() => ""), signals.again]);
      if (forced) {
        // The database is consistent at every commit: leaving it open loses nothing acknowledged.
        console.error(`plato-scout: stopped at once on a second ${forced}`);
        return 130;
      }
      console.log(`plato-scout: stopped${signal ? ` on ${signal}` : ""}`);
      return 0;
    } finally {
      signals.dispose();
    }
  },
};
