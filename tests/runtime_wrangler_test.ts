/**
 * examples/cloudflare bundles with wrangler's dry run (no account, no
 * network beyond npm): wrangler and the example's dependencies are installed
 * from npm into a scratch copy, so the working tree stays clean. The bundle a
 * user would deploy then runs in real workerd (miniflare) and delivers to a
 * PLATO server on loopback, and its gzipped size is within the README's budget.
 */
import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@4";
import { FakePlato } from "./_support/fake_plato.ts";

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
    const gz = await gzipSize(bundle);
    // KB as the README and bench/worker_bench.ts count them: 1,024 bytes.
    assert.ok(gz < 40 * 1024, `the deployable bundle is ${gz} bytes gzipped (README: under 40 KB)`);
    await deliversInWorkerd(bundle);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The bundle's Cron Trigger runs its HTTP scout and delivers to PLATO on loopback. */
async function deliversInWorkerd(script: string): Promise<void> {
  const plato = new FakePlato().start();
  const target = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ status: "ok" }),
  );
  const scouts = {
    scouts: [{
      scout: { name: "api-health", scout_room: "fleet/api", cron: "*/5 * * * *" },
      watch: { type: "http", url: `http://127.0.0.1:${target.addr.port}/health` },
    }],
  };
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-06-01",
    bindings: { PLATO_URL: plato.url, SCOUTS: JSON.stringify(scouts), SCOUT_LOG_LEVEL: "error" },
  });
  try {
    const worker = await mf.getWorker() as unknown as {
      scheduled(options: { cron: string }): Promise<{ outcome: string }>;
    };
    assert.equal((await worker.scheduled({ cron: "*/5 * * * *" })).outcome, "ok");
    const questions = plato.stored.map((t) => String(t.question));
    assert.ok(questions.some((q) => q.startsWith("[STARTUP]")), questions.join("; "));
    assert.ok(questions.some((q) => q.startsWith("[PERIODIC]")), questions.join("; "));
  } finally {
    await mf.dispose();
    await target.shutdown();
    plato.stop();
  }
}
