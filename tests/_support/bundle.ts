/**
 * Bundle a TypeScript entry into one ES module with `deno bundle` (esbuild
 * inside Deno; it resolves deno.json's imports and npm packages), so the
 * same sources run under Node, Bun and workerd.
 *
 * @module
 */

/**
 * Bundle `entry` (a path relative to the repository root).
 *
 * @param entry The entry module.
 * @param options `minify`: minify the output.
 * @returns The bundle's path (in a temporary directory removed when the test module ends) and its text.
 */
export async function bundle(
  entry: string,
  options: { minify?: boolean } = {},
): Promise<{ path: string; text: string }> {
  const dir = await Deno.makeTempDir({ prefix: "scout_bundle_" });
  // The bundle is read while the test module runs; removed when its tests are done.
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  const path = `${dir}/${entry.split("/").at(-1)!.replace(/\.ts$/, ".mjs")}`;
  const root = new URL("../../", import.meta.url).pathname;
  const args = ["bundle", "--quiet", "--platform", "browser", "--format", "esm", "-o", path];
  if (options.minify) args.push("--minify");
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, `${root}${entry}`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return { path, text: await Deno.readTextFile(path) };
}

/**
 * Run a program from npm with `npx -y` (installing it on first use), failing
 * with its output when it cannot be installed or exits non-zero.
 *
 * @param pkg The package and version range, e.g. `bun@1`.
 * @param args Arguments.
 * @returns Its standard output.
 */
export async function npx(pkg: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("npx", {
    args: ["-y", pkg, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `npx ${pkg} ${args.join(" ")} exited ${out.code}:\n${stdout}\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return stdout;
}
