/**
 * `deno run -A jsr:@plato/scout ...` runs mod.ts as the main module, which must
 * start the CLI; `deno install -g -A --unstable-cron -n plato-scout jsr:@plato/scout/cli` (the
 * README's install line: the CLI entry starts without loading the library's
 * main entry) must give a working command, and so must installing mod.ts.
 * All are exercised here on the local files.
 */
import assert from "node:assert/strict";

const MOD = new URL("../mod.ts", import.meta.url).pathname;
const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** `deno install -g -A -n plato-scout` of `entry` into `root` (with `config`, if given). */
function installTo(root: string, entry: string, config?: string) {
  return run(Deno.execPath(), [
    "install",
    "-g",
    "-A",
    "-n",
    "plato-scout",
    "--root",
    root,
    ...(config ? ["--config", config] : []),
    entry,
  ]);
}

Deno.test("mod.ts run as the main module starts the command line", async () => {
  const version = await run(Deno.execPath(), ["run", "-A", "--quiet", MOD, "--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^plato-scout \d+\.\d+\.\d+\n$/);
  const bad = await run(Deno.execPath(), ["run", "-A", "--quiet", MOD, "--bogus"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "plato-scout: run: unknown flag '--bogus'\n");
});

Deno.test("importing mod.ts as a library does not start the command line", async () => {
  const script =
    `import { PLATO_URL, Scout } from "${MOD}"; console.log(typeof Scout, PLATO_URL ?? "unset");`;
  const r = await run(Deno.execPath(), ["eval", "--config", CONFIG, script], { PLATO_URL: "" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "function unset\n");
});

for (const [entry, path] of [["cli.ts", CLI], ["mod.ts", MOD]]) {
  Deno.test(`deno install -g -A -n plato-scout ${entry} gives a working plato-scout command`, async () => {
    const root = await Deno.makeTempDir({ prefix: "plato-install-" });
    try {
      const install = await installTo(root, path, CONFIG);
      assert.equal(install.code, 0, install.stderr);
      const r = await run(`${root}/bin/plato-scout`, ["--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^plato-scout: watch services and emit checkpoint tiles to PLATO/);
      assert.match(r.stdout, /\n {2}http {2,}/);
      // The import map came along: zod (schema) loads.
      const schema = await run(`${root}/bin/plato-scout`, ["schema"]);
      assert.equal(schema.code, 0, schema.stderr);
      assert.ok(JSON.parse(schema.stdout).properties.scout);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("a checkout installed without its --config says how to install it, in one line, exit 2", async () => {
  const root = await Deno.makeTempDir({ prefix: "plato-install-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "plato-install-cwd-" });
  try {
    const install = await installTo(root, CLI);
    assert.equal(install.code, 0, install.stderr);
    const r = await new Deno.Command(`${root}/bin/plato-scout`, {
      args: ["schema"],
      cwd: elsewhere,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 2, stderr);
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(
      stderr,
      /^plato-scout: this installation cannot load 'zod[^']*': install .*--config/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
