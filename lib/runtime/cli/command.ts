import { parseArgs } from "node:util";
import { UsageError } from "../usage_error.ts";

/** One subcommand of `plato-scout`. */
export interface Command {
  /** The word after `plato-scout`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /**
   * Run it. Resolves to the exit code. Throws {@linkcode UsageError} for
   * mistakes the user made (the CLI prints one line and exits 2).
   */
  run(argv: string[]): Promise<number>;
}

/** A flag of {@linkcode parseFlags}. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/**
 * Parse flags strictly: an unknown flag, a missing value or a stray
 * positional becomes a one-line {@linkcode UsageError}.
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  command: string,
  argv: string[],
  spec: T,
  options: { positionals?: number } = {},
): {
  values: {
    [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean
      : T[K]["multiple"] extends true ? string[]
      : string;
  };
  positionals: string[];
} {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" }, ...spec },
      strict: true,
      allowPositionals: true,
    });
    const max = options.positionals ?? 0;
    if (parsed.positionals.length > max) {
      throw new UsageError(
        `${command}: unexpected argument '${parsed.positionals[max]}'`,
      );
    }
    // deno-lint-ignore no-explicit-any
    return parsed as any;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^']*)'|"(-[^"]*)"/.exec(message);
    if (/Unknown option/i.test(message) && flag) {
      throw new UsageError(`${command}: unknown flag '${(flag[1] ?? flag[2]).split(" ")[0]}'`);
    }
    if (/argument is ambiguous/i.test(message) && flag) {
      const name = (flag[1] ?? flag[2]).split(/[ ,]/)[0];
      throw new UsageError(
        `${command}: flag '${name}' needs a value (write ${name}=-1 for a value that starts with '-')`,
      );
    }
    if (/argument missing/i.test(message) && flag) {
      throw new UsageError(
        `${command}: flag '${(flag[1] ?? flag[2]).split(/[ ,]/)[0]}' needs a value`,
      );
    }
    throw new UsageError(`${command}: ${message.split("\n")[0]}`);
  }
}

/** Parse a positive number flag, naming it in the error. */
export function positiveNumber(command: string, flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${command}: '--${flag}' must be a number greater than 0, got '${value}'`);
  }
  return n;
}

/** Parse an http(s) URL flag, naming it in the error. */
export function httpUrl(command: string, flag: string, value: string): URL {
  return checkHttpUrl(value, `${command}: '--${flag}'`);
}

/**
 * Check an http(s) URL; the error names `what` and never echoes credentials.
 *
 * @param value The text.
 * @param what How to name it, e.g. "run: '--watch-url'" or "PLATO_URL".
 * @returns The URL.
 */
export function checkHttpUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} is not a valid URL: '${maskUserInfo(value)}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${what} must be an http or https URL, got '${maskUserInfo(value)}'`);
  }
  return url;
}

/** Mask `user:password@` in text that may not parse as a URL. */
export function maskUserInfo(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, "//***@").replace(/^[^/:@\s]+:[^/@\s]*@/, "***@");
}
