/**
 * examples/cloudflare bundles with wrangler's dry run (no account, no
 * network beyond npm): wrangler and the example's dependencies are installed
 * from npm into a scratch copy, so the working tree stays clean.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}:\n${text}`);
  return text;
}

Deno.test("wrangler: examples/cloudflare bundles with a dry run, without nodejs_compat or node: imports", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scout_wrangler_" });
  try {
    await Deno.symlink(`${ROOT}lib`, `${dir}/lib`);
    await Deno.symlink(`${ROOT}scouts`, `${dir}/scouts`);
    const example = `${dir}/examples/cloudflare`;
    await Deno.mkdir(example, { recursive: true });
    for (const f of ["worker.ts", "wrangler.toml", "package.json"]) {
      await Deno.copyFile(`${ROOT}examples/cloudflare/${f}`, `${example}/${f}`);
    }
    assert.doesNotMatch(
      await Deno.readTextFile(`${example}/wrangler.toml`),
      /^compatibility_flags/m,
    );
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], example);
    const log = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "dist"], example);
    assert.match(log, /--dry-run: exiting now/);
    const bundle = await Deno.readTextFile(`${example}/dist/worker.js`);
    assert.ok(bundle.includes("SCOUT_TRIGGER_TOKEN"), "the Worker entry is not in the bundle");
    assert.doesNotMatch(bundle, /(?:from\s*|import\s*\(\s*|require\(\s*)["']node:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
