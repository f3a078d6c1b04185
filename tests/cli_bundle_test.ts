/**
 * cli.ts runs `dist/cli/`, the bundle `deno task build` makes from
 * `lib/runtime/cli/main.ts`: it must be built from the sources as they are,
 * reach nothing but its own chunks, npm packages and node: modules, and
 * answer as the source does.
 */
import assert from "node:assert/strict";
import { BUILD_FILES, ENTRY, OUT_DIR, ROOT, staleCliSources, STAMP } from "../tools/_cli_stamp.ts";
import { eagerFunctions } from "../tools/_eager.ts";
import { CLI } from "./_support/cli.ts";

async function deno(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function graph(entry: string): Promise<string[]> {
  const info = await deno(["info", "--json", entry]);
  return (JSON.parse(info.stdout) as { modules: { specifier: string }[] }).modules.map((m) =>
    m.specifier
  );
}

Deno.test("dist/cli/ is built from the sources as they are (else: deno task build)", async () => {
  assert.deepEqual(await staleCliSources(), [], "changed since the build: run 'deno task build'");
});

Deno.test("the build's stamp lists every local module the command line's source reaches, and the build's own files", async () => {
  const stamp = JSON.parse(await Deno.readTextFile(new URL(STAMP, ROOT))) as {
    sources: Record<string, string>;
  };
  const local = (await graph(ENTRY))
    .filter((s) => s.startsWith(ROOT.href))
    .map((s) => s.slice(ROOT.href.length));
  assert.deepEqual(
    Object.keys(stamp.sources).sort(),
    [...new Set([...local, ...BUILD_FILES])].sort(),
  );
});

Deno.test("the bundle reaches only its own chunks, npm packages and node: modules", async () => {
  const out = new URL(`${OUT_DIR}/`, ROOT).href;
  const foreign = (await graph(`${OUT_DIR}/main.js`)).filter((s) =>
    !s.startsWith(out) && !/^(npm|node):/.test(s)
  );
  assert.deepEqual(foreign, []);
});

Deno.test("cli.ts (the bundle) answers --help, a command's help and a usage error as the source does", async () => {
  const source = (args: string[]) =>
    deno([
      "eval",
      `import { main } from "./${ENTRY}"; Deno.exit(await main(${JSON.stringify(args)}));`,
    ]);
  for (const args of [["--help"], ["http", "--help"], ["run", "--bogus"], ["--version"]]) {
    const bundled = await deno(["run", "-A", CLI, ...args]);
    assert.deepEqual(bundled, await source(args), args.join(" "));
  }
});

Deno.test("each of the bundle's chunks has its functions marked for eager compilation", async () => {
  const out = new URL(`${OUT_DIR}/`, ROOT);
  let chunks = 0;
  for await (const entry of Deno.readDir(out)) {
    if (!entry.name.endsWith(".js")) continue;
    chunks++;
    const code = await Deno.readTextFile(new URL(entry.name, out));
    // Marked already: marking again changes nothing.
    assert.equal(eagerFunctions(code).code, code, entry.name);
  }
  assert.ok(chunks > 10, `${chunks} chunks`);
});
