/**
 * Read an environment variable where the runtime exposes one (`process.env`
 * on Node, Bun and Deno 2), without importing anything runtime-specific.
 * Returns `undefined` on Workers, in browsers, when permission is denied, and
 * for an empty value (`PLATO_URL=` means unset, as shells and Compose files
 * often leave it).
 *
 * @param name The variable's name.
 * @returns Its value, or `undefined`.
 *
 * @example Read PLATO_URL
 * ```ts
 * import { getEnv } from "@plato/scout";
 * const url = getEnv("PLATO_URL") ?? "http://localhost:8848";
 * ```
 */
export function getEnv(name: string): string | undefined {
  try {
    const value = reader(name);
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** How {@linkcode getEnv} reads one variable; may throw (treated as unset). */
export type EnvReader = (name: string) => string | undefined;

function processEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } })
    .process;
  return proc?.env?.[name];
}

let reader: EnvReader = processEnv;

/**
 * Make {@linkcode getEnv} read through `read` (a runtime's own API) instead of
 * `process.env`; `undefined` restores `process.env`. On Deno, the library's
 * main entry (`mod.ts`) and the CLI install Deno's `env.get`: there the first
 * touch of the `process` global loads the Node compatibility layer, 15-25 ms.
 *
 * @param read The reader, or `undefined` for `process.env`.
 *
 * @example Read from a fixed table (a test's environment)
 * ```ts
 * import { getEnv, setEnvReader } from "./env.ts";
 * setEnvReader((name) => ({ PLATO_URL: "http://127.0.0.1:9" })[name]);
 * try {
 *   if (getEnv("PLATO_URL") !== "http://127.0.0.1:9") throw new Error("reader not used");
 * } finally {
 *   setEnvReader(undefined);
 * }
 * ```
 */
export function setEnvReader(read: EnvReader | undefined): void {
  reader = read ?? processEnv;
}

/** The seed's default PLATO URL. */
export const DEFAULT_PLATO_URL = "http://localhost:8848";
