/**
 * Build `dist/cli/`, the bundled command line `cli.ts` runs, from
 * `lib/runtime/cli/main.ts` (`deno task build`), and stamp it with what it
 * was built from (see `_cli_stamp.ts`).
 *
 * `deno bundle` with code splitting: each command's lazy import stays a
 * separate chunk, so a run loads only its own command's code; `zod`, `yaml`
 * and `node:` modules stay imports (resolved through deno.json, as from the
 * source). Minified with names kept (error and class names read the same).
 * Then each chunk's functions are marked for eager compilation, so Deno's code
 * cache keeps their bytecode (`_eager.ts`).
 *
 *     deno task build
 *
 * @module
 */
import { BUILD_FILES, ENTRY, OUT_DIR, ROOT, STAMP, stampOf } from "./_cli_stamp.ts";
import { eagerFunctions, importCycle, staticImports } from "./_eager.ts";

/** The bare imports the bundle keeps (deno.json maps them to npm:). */
const EXTERNAL = ["zod", "zod/mini", "yaml"];

async function deno(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno ${args[0]} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Every local file the entry reaches, statically or by a dynamic import, and the build's own. */
async function sourceFiles(): Promise<string[]> {
  const graph = JSON.parse(await deno(["info", "--json", ENTRY])) as {
    modules: { specifier: string }[];
  };
  const root = ROOT.href;
  const files = graph.modules
    .map((m) => m.specifier)
    .filter((s) => s.startsWith(root))
    .map((s) => s.slice(root.length));
  return [...new Set([...files, ...BUILD_FILES])];
}

/**
 * Bundle the command line into `outDir` (relative to {@linkcode ROOT}) and
 * mark its functions for eager compilation (unless `eager` is false).
 *
 * @returns How many declarations and expressions were marked.
 */
export async function buildCli(
  outDir: string,
  { eager = true }: { eager?: boolean } = {},
): Promise<{ declarations: number; expressions: number }> {
  const out = new URL(`${outDir}/`, ROOT);
  await Deno.remove(out, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await deno([
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--code-splitting",
    "--minify",
    "--keep-names",
    ...EXTERNAL.flatMap((e) => ["--external", e]),
    "--outdir",
    out.pathname,
    ENTRY,
  ]);
  // What the bundle reaches besides its own chunks: only npm packages (zod,
  // yaml, through deno.json) and node: modules.
  const built = JSON.parse(await deno(["info", "--json", `${out.pathname}main.js`])) as {
    modules: { specifier: string }[];
  };
  for (const { specifier } of built.modules) {
    if (specifier.startsWith(out.href) || /^(npm|node):/.test(specifier)) continue;
    throw new Error(
      `${outDir}/ reaches ${specifier}: only its own chunks, npm: and node: modules`,
    );
  }
  if (!eager) return { declarations: 0, expressions: 0 };
  // Eager compilation: refused over an import cycle (see _eager.ts).
  const chunks = new Map<string, string>();
  for await (const entry of Deno.readDir(out)) {
    if (entry.name.endsWith(".js")) {
      chunks.set(entry.name, await Deno.readTextFile(new URL(entry.name, out)));
    }
  }
  const cycle = importCycle(
    new Map([...chunks].map(([name, code]) => [name, staticImports(code)])),
  );
  if (cycle) throw new Error(`${outDir}/ has an import cycle: ${cycle.join(" -> ")}`);
  let declarations = 0, expressions = 0;
  for (const [name, code] of chunks) {
    const marked = eagerFunctions(code);
    declarations += marked.declarations;
    expressions += marked.expressions;
    await Deno.writeTextFile(new URL(name, out), marked.code);
  }
  return { declarations, expressions };
}

if (import.meta.main) {
  // `--out-dir DIR --no-eager`: a bundle without the marking, for the
  // benchmark's comparison (no stamp: the tests only run dist/cli/).
  const at = Deno.args.indexOf("--out-dir");
  const outDir = at >= 0 ? Deno.args[at + 1] : OUT_DIR;
  const eager = !Deno.args.includes("--no-eager");
  const { declarations, expressions } = await buildCli(outDir, { eager });
  if (outDir === OUT_DIR) {
    const stamp = await stampOf(await sourceFiles());
    await Deno.writeTextFile(new URL(STAMP, ROOT), JSON.stringify(stamp, null, 2) + "\n");
    console.log(
      `Built ${OUT_DIR}/ from ${Object.keys(stamp.sources).length} source files ` +
        `(${declarations} functions and ${expressions} function expressions compiled eagerly)`,
    );
  } else console.log(`Built ${outDir}/${eager ? "" : " without eager compilation"}`);
}
