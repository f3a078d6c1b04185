/** Run the real CLI as a separate process. */
export const CLI = new URL("../../cli.ts", import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `deno run -A cli.ts ...args` to completion (`entry`: another main
 * module, e.g. mod.ts; `config`: a deno.json of the test's own).
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; entry?: string; config?: string } = {},
): Promise<CliResult> {
  const config = options.config ? ["--config", options.config] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...config, options.entry ?? CLI, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", SCOUT_METRICS_PORT: "", ...options.env },
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Start the CLI and read its stderr line by line until `until` matches. */
export async function startCli(
  args: string[],
  until: RegExp,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<
  { child: Deno.ChildProcess; match: RegExpMatchArray; lines: string[]; rest: Promise<string> }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, ...args],
    env: { NO_COLOR: "1", PLATO_API_KEY: "", SCOUT_METRICS_PORT: "", ...options.env },
    cwd: options.cwd,
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const lines: string[] = [];
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`CLI exited before printing ${until}:\n${lines.join("\n")}${buffer}`);
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
    const hit = parts.map((l) => l.match(until)).find(Boolean);
    if (hit) {
      const rest = (async () => {
        let text = buffer;
        while (true) {
          const r = await reader.read();
          if (r.done) return text;
          text += r.value;
        }
      })();
      return { child, match: hit, lines, rest };
    }
  }
}
