/**
 * Reading the environment on each runtime. `getEnv` reads `process.env` by
 * default (runtime-neutral: Node, Bun, Deno 2); on Deno the library's main
 * entry switches it to `Deno.env` as it loads, because there the first touch
 * of the `process` global loads the Node compatibility layer and `mod.ts`
 * reads `PLATO_URL` at load. Real child processes with their own environment.
 */
import assert from "node:assert/strict";
import { bundle } from "./_support/bundle.ts";

const ROOT = new URL("../", import.meta.url);
const decoder = new TextDecoder();

async function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(command, {
    args,
    env,
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(out.stdout);
  assert.ok(
    out.success,
    `${command} exited ${out.code}:\n${stdout}\n${decoder.decode(out.stderr)}`,
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

Deno.test("on Deno, mod.ts reads PLATO_URL from Deno.env without touching `process`", async () => {
  // The child traps the `process` global before it loads the library.
  const script = `
    let touched = false;
    Object.defineProperty(globalThis, "process", {
      configurable: true,
      get() { touched = true; return undefined; },
    });
    const mod = await import(${JSON.stringify(new URL("mod.ts", ROOT).href)});
    console.log(JSON.stringify({
      url: mod.PLATO_URL ?? null,
      other: mod.getEnv("PLATO_SCOUT_ENV_PROBE") ?? null,
      touched,
    }));
  `;
  const result = await run(Deno.execPath(), ["eval", "--ext=ts", script], {
    PLATO_URL: "http://127.0.0.1:9/from-env",
    PLATO_SCOUT_ENV_PROBE: "deno",
  });
  assert.deepEqual(result, {
    url: "http://127.0.0.1:9/from-env",
    other: "deno",
    touched: false,
  });
});

Deno.test("on Deno, an empty or unset variable reads as unset", async () => {
  const result = await run(Deno.execPath(), ["run", "-A", "tests/_support/env_probe.ts"], {
    PLATO_SCOUT_ENV_PROBE: "",
  });
  assert.deepEqual(result, { value: null, unset: null });
});

Deno.test("on Deno without env permission, getEnv reads unset instead of failing", async () => {
  const result = await run(Deno.execPath(), [
    "run",
    "--no-prompt",
    "tests/_support/env_probe.ts",
  ], { PLATO_SCOUT_ENV_PROBE: "secret" });
  assert.deepEqual(result, { value: null, unset: null });
});

Deno.test("on Node and Bun, getEnv reads process.env", async () => {
  const { path } = await bundle("tests/_support/env_probe.ts");
  const env = { PLATO_SCOUT_ENV_PROBE: "from-process-env" };
  const expected = { value: "from-process-env", unset: null };
  assert.deepEqual(await run("node", [path], env), expected);
  assert.deepEqual(await run("npx", ["-y", "bun@1", "run", path], env), expected);
});
