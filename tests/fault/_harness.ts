/**
 * Shared plumbing for the fault suite: the real `plato-scout serve` and the real
 * CLI as separate processes on loopback, rooms read back in full by cursor,
 * bounded waits on real conditions, and the scout's SQLite outbox read from disk.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** The CLI entry point every scenario runs. */
export const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** A child process whose output lines are collected as they arrive. */
export interface Proc {
  child: Deno.ChildProcess;
  /** Every line seen so far on the watched stream(s). */
  lines: string[];
  /** Wait (bounded) until a line matches; returns the match. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited and its output is fully read. */
  done: Promise<Deno.CommandStatus>;
  /** SIGKILL, if still running, and wait for it. Safe to call twice. */
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

function collect(child: Deno.ChildProcess, streams: ReadableStream<Uint8Array>[]): Proc {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      if (parts.length) {
        lines.push(...parts);
        waiters.forEach((w) => w());
      }
    }
    if (buffer) lines.push(buffer);
    waiters.forEach((w) => w());
  };
  const pumped = Promise.all(streams.map(pump));
  let exited = false;
  const done = (async () => {
    const status = await child.status;
    exited = true;
    await pumped;
    waiters.forEach((w) => w());
    return status;
  })();
  const waitForLine = (re: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < lines.length; seen++) {
          const m = lines[seen].match(re);
          if (m) return finish(() => resolve(m));
        }
        if (exited) {
          finish(() => reject(new Error(`process exited before ${re}:\n${lines.join("\n")}`)));
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`no line matching ${re} in ${timeoutMs} ms:\n${lines.join("\n")}`))
          ),
        timeoutMs,
      );
      const finish = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  const kill = async (signal: Deno.Signal = "SIGKILL") => {
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    }
    return await done;
  };
  return { child, lines, waitForLine, done, kill };
}

/** Spawn `deno run -A cli.ts ...args`, collecting stdout and stderr lines together. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  denoFlags: string[] = [],
): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...denoFlags, CLI, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", SCOUT_METRICS_PORT: "", ...env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  return collect(child, [child.stdout, child.stderr]);
}

/** Spawn any Deno script (a driver under testdata/), collecting its output lines. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  denoFlags: string[] = [],
): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...denoFlags, script, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", ...env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  return collect(child, [child.stdout, child.stderr]);
}

/** A running `plato-scout serve` process. */
export interface ServeProc extends Proc {
  url: string;
  port: number;
}

/** Start `plato-scout serve --port <port> --db <db>` and wait for the line with its URL. */
export async function spawnServe(
  dbPath: string,
  options: { port?: number; gate?: "fleet" | "schema"; env?: Record<string, string> } = {},
): Promise<ServeProc> {
  const args = ["serve", "--port", String(options.port ?? 0), "--db", dbPath];
  if (options.gate) args.push("--gate", options.gate);
  const proc = spawnCli(args, options.env ?? {});
  try {
    const m = await proc.waitForLine(/listening on (http:\/\/127\.0\.0\.1:(\d+))/, 30_000);
    return { ...proc, url: m[1], port: Number(m[2]) };
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A stored tile as read back. */
export type StoredTile = Record<string, unknown> & { id: string; question: string; answer: string };

/** Every tile of a room, following the server's cursor page by page. */
export async function roomTiles(
  url: string,
  room: string,
  headers: HeadersInit = {},
): Promise<StoredTile[]> {
  const out: StoredTile[] = [];
  let after = "0";
  for (let page = 0; page < 10_000; page++) {
    const res = await fetch(`${url}/room/${room}?after=${after}&limit=1000`, { headers });
    if (!res.ok) throw new Error(`GET /room/${room}: ${res.status} ${await res.text()}`);
    const body = await res.json();
    out.push(...body.tiles);
    if (!body.has_more) return out;
    after = String(body.cursor);
  }
  throw new Error("room paging did not end");
}

/** How many times each id appears. */
export function countIds(tiles: Array<{ id: unknown }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tiles) counts.set(String(t.id), (counts.get(String(t.id)) ?? 0) + 1);
  return counts;
}

/** Ids stored more than once. */
export function doubled(tiles: Array<{ id: unknown }>): string[] {
  return [...countIds(tiles)].filter(([, n]) => n > 1).map(([id]) => id);
}

/**
 * Poll `probe` until it returns a value other than `undefined`, or fail after
 * `timeoutMs` naming `what` and the last value seen.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; last?: () => unknown } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}` +
          (options.last ? `; last: ${JSON.stringify(options.last())}` : ""),
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/** Ids of the tiles waiting in a scout's durable outbox (`<state-dir>/scout.db`). */
export function outboxIds(stateDir: string): string[] {
  const db = new DatabaseSync(`${stateDir}/scout.db`, { readOnly: true });
  try {
    const rows = db.prepare("SELECT tile FROM outbox").all() as Array<{ tile: string }>;
    return rows.map((r) => String(JSON.parse(r.tile).id));
  } finally {
    db.close();
  }
}

/** Sum of a Prometheus metric's samples whose label set includes `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-z_]+)(\{[^}]*\})? ([0-9.eE+-]+)$/);
    if (!m || m[1] !== name) continue;
    const ok = Object.entries(labels).every(([k, v]) => (m[2] ?? "").includes(`${k}="${v}"`));
    if (ok) sum += Number(m[3]);
  }
  return sum;
}

/** Write a scout.yaml into `dir` and return its path. */
export async function writeConfig(dir: string, name: string, yaml: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, yaml);
  return path;
}

/**
 * Write `scout.yaml` for one log scout per room, each on its own empty
 * `app<i>.log` in `dir`, named `<prefix>-<i>`, plus an `emission:` section.
 *
 * @returns The config's path.
 */
export async function writeLogScoutsConfig(
  dir: string,
  options: { prefix: string; rooms: readonly string[]; pollInterval: number; emission?: string },
): Promise<string> {
  const entries = [];
  for (const [i, room] of options.rooms.entries()) {
    await Deno.writeTextFile(`${dir}/app${i}.log`, "");
    entries.push(
      `  - scout: { name: ${options.prefix}-${i}, scout_room: ${room}, poll_interval: ${options.pollInterval} }\n` +
        `    watch: { type: log, file: ${dir}/app${i}.log }`,
    );
  }
  const emission = options.emission ? `emission:\n${options.emission}` : "";
  return writeConfig(dir, "scout.yaml", `scouts:\n${entries.join("\n")}\n${emission}`);
}
