/**
 * A flag-configured CLI run never loads zod (`lib/config/plain.ts`), whether
 * started from cli.ts or from mod.ts as the main module: the real CLI runs with an import map in which `zod` and `zod/mini` are a module that
 * throws when it is evaluated. Plainly valid flags must still deliver; flags
 * the plain path leaves to zod must reach the trap (which shows the trap
 * works, and that such flags do go through the schema).
 */
import assert from "node:assert/strict";
import { runCli } from "./_support/cli.ts";

/** The trap fails when evaluated, or already when a module links against it. */
const ZOD_ASKED = /zod was loaded|requested module 'zod(\/mini)?'/;

async function trappedConfig(): Promise<{ dir: string; config: string }> {
  const dir = await Deno.makeTempDir({ prefix: "plato-cli-plain-" });
  const project = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  await Deno.writeTextFile(
    `${dir}/zod_trap.ts`,
    'throw new Error("zod was loaded");\n',
  );
  const config = {
    imports: { ...project.imports, "zod": "./zod_trap.ts", "zod/mini": "./zod_trap.ts" },
  };
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify(config));
  return { dir, config: `${dir}/deno.json` };
}

const MOD = new URL("../mod.ts", import.meta.url).pathname;

/** The CLI with the trapped import map; PLATO_URL unset (these runs print, they do not send). */
const run = (config: string, args: string[], entry?: string) =>
  runCli(args, { config, entry, env: { PLATO_URL: "" } });

Deno.test("a flag-configured --once run delivers without loading zod; other flags reach zod", async () => {
  const { dir, config } = await trappedConfig();
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ status: "ok", count: 3 }),
  );
  const url = `http://127.0.0.1:${target.addr.port}/stats`;
  try {
    const plainRuns = [
      ["http", "--url", url, "--room", "plain/http", "--once", "--stdout"],
      [
        "http",
        ...["--url", url, "--room", "plain/http", "--method", "get", "--timeout", "2"],
        ...["--expect-status", "2xx", "--json-path", "count", "--json-equals", "3"],
        ...["--once", "--stdout"],
      ],
      // --json-equals: JSON when it parses (3 above), else text.
      ["http", "--url", url, "--json-path", "status", "--json-equals", "ok", "--once", "--stdout"],
      ["--name", "legacy", "--watch-url", url, "--room", "plain/run", "--once", "--stdout"],
    ];
    for (const args of plainRuns) {
      const r = await run(config, args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      const questions = r.stdout.trim().split("\n").map((line) => JSON.parse(line).question);
      assert.equal(questions.length, 2, r.stdout);
      assert.match(questions[0], /^\[STARTUP\]/);
      assert.match(questions[1], /^\[PERIODIC\]/);
    }
    // `deno run -A jsr:@plato/scout …` starts the CLI from mod.ts: no zod there either.
    const viaMod = await run(config, plainRuns[0], MOD);
    assert.equal(viaMod.code, 0, viaMod.stderr);
    assert.equal(viaMod.stdout.trim().split("\n").length, 2, viaMod.stdout);
    // Valid, but not plainly: zod trims the name. The trap shows zod is asked.
    const left = await run(config, [
      "http",
      ...["--url", url, "--room", "plain/http", "--name", " padded", "--once", "--stdout"],
    ]);
    assert.equal(left.code, 1, left.stderr);
    assert.match(left.stderr, ZOD_ASKED);
    // A bad value gets its message from zod too (here, the trap's).
    const bad = await run(config, ["http", "--url", url, "--timeout", "500", "--once", "--stdout"]);
    assert.match(bad.stderr, ZOD_ASKED);
  } finally {
    await target.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
