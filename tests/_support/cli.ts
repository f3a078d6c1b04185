import { staleCliSources } from "../../tools/_cli_stamp.ts";

/** Run the real CLI as a separate process. */
export const CLI = new URL("../../cli.ts", import.meta.url).pathname;

let built: Promise<void> | undefined;

/**
 * Reject while `dist/cli/` (what cli.ts runs) was built from other sources
 * than the working tree's: a test of the command line would run old code.
 */
export function cliBuilt(): Promise<void> {
  return built ??= staleCliSources().then((changed) => {
    if (changed.length === 0) return;
    const named = changed.slice(0, 3).join(", ") + (changed.length > 3 ? ", ..." : "");
    throw new Error(`dist/cli/ is older than ${named}: run 'deno task build'`);
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `deno run -A cli.ts ...args` to completion (`entry`: another main
 * module, e.g. mod.ts; `config`: a deno.json of the test's own; `timeoutMs`:
 * kill it with SIGTERM then, for a run that might not end on its own).
 */
export async function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    entry?: string;
    config?: string;
    timeoutMs?: number;
  } = {},
): Promise<CliResult> {
  await cliBuilt();
  const config = options.config ? ["--config", options.config] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...config, options.entry ?? CLI, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", SCOUT_METRICS_PORT: "", ...options.env },
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A CLI process {@linkcode startCli} started, its stderr read line by line. */
export interface StartedCli {
  child: Deno.ChildProcess;
  /** The line that matched `until`. */
  match: RegExpMatchArray;
  /** Every stderr line read so far. */
  lines: string[];
  /** The first line after those already matched that matches `until` (rejects at exit). */
  next(until: RegExp): Promise<RegExpMatchArray>;
  /** Stderr after the last matched line, to the process's exit. */
  rest: Promise<string>;
}

/** Start the CLI and read its stderr line by line until `until` matches. */
export async function startCli(
  args: string[],
  until: RegExp,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<StartedCli> {
  await cliBuilt();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", SCOUT_METRICS_PORT: "", ...options.env },
    cwd: options.cwd,
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const lines: string[] = [];
  let buffer = "";
  let done = false;
  let matched = 0; // lines before this index were looked at by an earlier wait
  let wake = () => {};
  const pump = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
      wake();
    }
    done = true;
    wake();
  })();
  const next = async (re: RegExp): Promise<RegExpMatchArray> => {
    while (true) {
      for (; matched < lines.length; matched++) {
        const hit = lines[matched].match(re);
        if (hit) {
          matched++;
          return hit;
        }
      }
      if (done) throw new Error(`CLI exited before printing ${re}:\n${lines.join("\n")}${buffer}`);
      await new Promise<void>((resolve) => wake = resolve);
    }
  };
  const match = await next(until);
  const rest = pump.then(() => [...lines.slice(matched), buffer].join("\n"));
  return { child, match, lines, next, rest };
}
