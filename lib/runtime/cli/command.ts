import { maskQuerySecrets } from "../../redact.ts";
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
 * Parse flags strictly: an unknown flag, a missing value, a flag that takes
 * one value given twice, or a stray positional becomes a one-line
 * {@linkcode UsageError}.
 *
 * The grammar is `node:util`'s `parseArgs` in strict mode (`--flag value`,
 * `--flag=value`, `-h`, `--` ends the flags), written out here because
 * importing `node:util` starts Deno's Node compatibility layer, which costs
 * the CLI's startup about 12 ms; but where parseArgs keeps the later of two
 * values for a flag that is not `multiple`, this refuses them.
 * `tests/cli_flags_test.ts` checks it against `parseArgs` itself.
 *
 * @example A value that starts with a dash must be attached with `=`
 * ```ts
 * import { parseFlags } from "./command.ts";
 * const { values } = parseFlags("run", ["--deadline=-1", "--once"], {
 *   deadline: { type: "string" },
 *   once: { type: "boolean" },
 * });
 * if (values.deadline !== "-1" || values.once !== true) throw new Error("parsed wrong");
 * ```
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
  const flags: Record<string, FlagSpec> = { help: { type: "boolean", short: "h" }, ...spec };
  const byShort = new Map<string, string>();
  for (const [name, f] of Object.entries(flags)) if (f.short) byShort.set(f.short, name);
  const values: Record<string, string | boolean | string[]> = Object.create(null);
  const positionals: string[] = [];
  // The first flag that takes one value and was given it twice.
  let repeated: string | undefined;
  const set = (name: string, value: string | boolean) => {
    if (flags[name].multiple) {
      const list = values[name];
      values[name] = Array.isArray(list) ? [...list, value as string] : [value as string];
    } else {
      if (typeof value === "string" && name in values) repeated ??= name;
      values[name] = value;
    }
  };
  // A flag that takes a value: from `=value`, else the next argument, which
  // must not look like a flag (parseArgs calls that ambiguous).
  const take = (name: string, shown: string, inline: string | undefined, i: number): number => {
    if (inline !== undefined) {
      set(name, inline);
      return i;
    }
    const next = argv[i + 1];
    if (next === undefined) {
      throw new UsageError(`${command}: flag '${shown}' needs a value`);
    }
    if (next.length > 1 && next.startsWith("-")) {
      throw new UsageError(
        `${command}: flag '${shown}' needs a value (write ${shown}=-1 for a value that starts with '-')`,
      );
    }
    set(name, next);
    return i + 1;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      // `--=x` has no name: parseArgs reports the whole argument.
      const name = eq > 2 ? arg.slice(2, eq) : eq === 2 ? arg : arg.slice(2);
      const inline = eq > 2 ? arg.slice(eq + 1) : undefined;
      const flag = Object.hasOwn(flags, name) ? flags[name] : undefined;
      if (!flag) throw new UsageError(`${command}: unknown flag '${eq === 2 ? arg : `--${name}`}'`);
      if (flag.type === "boolean") {
        if (inline !== undefined) {
          throw new UsageError(`${command}: flag '--${name}' does not take a value`);
        }
        set(name, true);
      } else i = take(name, `--${name}`, inline, i);
      continue;
    }
    if (arg.length > 1 && arg.startsWith("-")) {
      // `-h`, or a group of short flags (`-hh`); a short flag taking a value
      // takes the rest of the group (`-pVALUE`), as parseArgs does.
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]);
        if (name === undefined) throw new UsageError(`${command}: unknown flag '-${arg[j]}'`);
        if (flags[name].type === "boolean") {
          set(name, true);
          continue;
        }
        const rest = arg.slice(j + 1);
        i = take(name, `-${arg[j]}`, rest === "" ? undefined : rest, i);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  // Which of two values was meant is a guess (a script's default and the
  // user's own, say): refused, once the rest parses.
  if (repeated !== undefined) {
    throw new UsageError(`${command}: flag '--${repeated}' is given more than once`);
  }
  const max = options.positionals ?? 0;
  if (positionals.length > max) {
    throw new UsageError(`${command}: unexpected argument '${positionals[max]}'`);
  }
  // deno-lint-ignore no-explicit-any
  return { values: values as any, positionals };
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
  // 'http:host' parses (as http://host), but scout.yaml refuses it: one rule.
  if (!/^\s*https?:\/\//i.test(value)) {
    throw new UsageError(
      `${what} must start with http:// or https://, got '${maskUserInfo(value)}'`,
    );
  }
  return url;
}

/**
 * Check a PLATO server's base URL: http(s), without a query or fragment (the
 * endpoints' paths go after it, so `?v=1` would make every request a 404).
 *
 * @param value The text.
 * @param what How to name it, e.g. "PLATO_URL".
 * @returns The URL.
 */
export function checkPlatoUrl(value: string, what: string): URL {
  const url = checkHttpUrl(value, what);
  if (url.search || url.hash || /[?#]/.test(value)) {
    throw new UsageError(
      `${what} must be the server's base URL, without '?' or '#', got '${maskUserInfo(value)}'`,
    );
  }
  return url;
}

/**
 * The PLATO URL a command was given: `--plato-url`, else `PLATO_URL`, the one
 * used checked, so a bad one is a usage error, not an endless retry.
 *
 * @param command The command, for the flag's error.
 * @param flag `--plato-url`'s value, if given.
 * @param fromEnv `PLATO_URL`, if set.
 * @returns The URL given, if any.
 */
export function givenPlatoUrl(
  command: string,
  flag: string | undefined,
  fromEnv: string | undefined,
): string | undefined {
  if (flag !== undefined) checkPlatoUrl(flag, `${command}: '--plato-url'`);
  else if (fromEnv !== undefined) checkPlatoUrl(fromEnv, "PLATO_URL");
  return flag ?? fromEnv;
}

/** Mask `user:password@` and sensitive query values in text that may not parse as a URL. */
export function maskUserInfo(text: string): string {
  return maskQuerySecrets(
    text.replace(/\/\/[^/@\s]*@/g, "//***@").replace(/^[^/:@\s]+:[^/@\s]*@/, "***@"),
  );
}
