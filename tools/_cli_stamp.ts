/**
 * What `dist/cli/` was built from: every local module the command line's
 * source reaches (`lib/runtime/cli/main.ts` and its static and dynamic
 * imports), `deno.json` (the version and the import map) and the build's own
 * tools ({@linkcode BUILD_FILES}: a changed transform is a stale build too), each with its
 * SHA-256, in `dist/cli/sources.json`. `deno task build` writes it; the tests
 * refuse to run the command line while a listed file differs from it.
 *
 * A changed import graph always shows: a new module is imported by a listed
 * file, which changes that file.
 *
 * @module
 */

/** The repository's root. */
export const ROOT: URL = new URL("../", import.meta.url);
/** The source the bundle is built from, relative to {@linkcode ROOT}. */
export const ENTRY = "lib/runtime/cli/main.ts";
/** The bundle's folder, relative to {@linkcode ROOT}. */
export const OUT_DIR = "dist/cli";
/** The stamp in {@linkcode OUT_DIR}. */
export const STAMP = `${OUT_DIR}/sources.json`;

/** The build's own files, stamped with the sources (relative to {@linkcode ROOT}). */
export const BUILD_FILES: readonly string[] = [
  "deno.json",
  "tools/build_cli.ts",
  "tools/_eager.ts",
];

/** The stamp's content: each source file (relative path) and its SHA-256 (hex). */
export interface CliStamp {
  entry: string;
  sources: Record<string, string>;
}

/** SHA-256 of `bytes`, hex. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The stamp for `files` (paths relative to {@linkcode ROOT}) as they are now.
 *
 * @param files The source files.
 * @returns The stamp.
 */
export async function stampOf(files: string[]): Promise<CliStamp> {
  const sources: Record<string, string> = {};
  for (const file of [...files].sort()) {
    sources[file] = await sha256(await Deno.readFile(new URL(file, ROOT)));
  }
  return { entry: ENTRY, sources };
}

/**
 * The files that changed since `dist/cli/` was built, or were deleted; empty
 * when the bundle is current. A missing or unreadable stamp counts as
 * `dist/cli/sources.json` changed.
 *
 * @returns The paths, relative to {@linkcode ROOT}.
 */
export async function staleCliSources(): Promise<string[]> {
  let stamp: CliStamp;
  try {
    stamp = JSON.parse(await Deno.readTextFile(new URL(STAMP, ROOT)));
  } catch {
    return [STAMP];
  }
  const changed: string[] = [];
  for (const [file, hash] of Object.entries(stamp.sources ?? {})) {
    let now: string | undefined;
    try {
      now = await sha256(await Deno.readFile(new URL(file, ROOT)));
    } catch {
      now = undefined;
    }
    if (now !== hash) changed.push(file);
  }
  return Object.keys(stamp.sources ?? {}).length === 0 ? [STAMP] : changed;
}
