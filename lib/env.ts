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
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } })
      .process;
    const value = proc?.env?.[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The seed's default PLATO URL. */
export const DEFAULT_PLATO_URL = "http://localhost:8848";
