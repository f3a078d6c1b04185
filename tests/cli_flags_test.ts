/**
 * `parseFlags` against `node:util`'s `parseArgs` in strict mode, the grammar
 * it reimplements (so the CLI does not start Deno's Node compatibility layer):
 * for each argument list both must accept with the same values and
 * positionals, or both refuse for the same reason about the same flag.
 */
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type FlagSpec, parseFlags } from "../lib/runtime/cli/command.ts";
import { UsageError } from "../lib/runtime/usage_error.ts";
import { runCli } from "./_support/cli.ts";

const SPEC = {
  once: { type: "boolean" },
  stdout: { type: "boolean" },
  deadline: { type: "string" },
  "watch-url": { type: "string" },
  tag: { type: "string", multiple: true },
} as const satisfies Record<string, FlagSpec>;

type Outcome =
  | { ok: true; values: Record<string, unknown>; positionals: string[] }
  | { ok: false; reason: string; flag: string };

function ours(argv: string[]): Outcome {
  try {
    const r = parseFlags("t", argv, SPEC, { positionals: 99 });
    return { ok: true, values: { ...r.values }, positionals: r.positionals };
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    const m = error.message;
    assert.ok(m.startsWith("t: "), m);
    assert.ok(!m.includes("\n"), `more than one line: ${m}`);
    const flag = /'([^']*)'/.exec(m)![1];
    if (m.includes("unknown flag")) return { ok: false, reason: "unknown", flag };
    if (m.includes("starts with '-'")) return { ok: false, reason: "ambiguous", flag };
    if (m.includes("needs a value")) return { ok: false, reason: "missing", flag };
    if (m.includes("does not take a value")) return { ok: false, reason: "no-value", flag };
    if (m.includes("is given more than once")) return { ok: false, reason: "repeated", flag };
    throw new Error(`unexpected message: ${m}`);
  }
}

function node(argv: string[]): Outcome {
  try {
    const r = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" }, ...SPEC },
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
    // The one rule of parseFlags' own: a flag that takes one value, given it
    // twice, is refused (parseArgs keeps the later); the first so repeated.
    const seen = new Set<string>();
    for (const token of r.tokens) {
      if (token.kind !== "option" || token.value === undefined) continue;
      const multiple = (SPEC as Record<string, FlagSpec>)[token.name]?.multiple;
      if (seen.has(token.name) && !multiple) {
        return { ok: false, reason: "repeated", flag: `--${token.name}` };
      }
      seen.add(token.name);
    }
    return { ok: true, values: { ...r.values }, positionals: r.positionals };
  } catch (error) {
    const m = (error as Error).message;
    const flag = /'(-[^' ]*)/.exec(m)![1];
    if (/Unknown option/.test(m)) return { ok: false, reason: "unknown", flag };
    if (/ambiguous/.test(m)) return { ok: false, reason: "ambiguous", flag };
    if (/argument missing/.test(m)) return { ok: false, reason: "missing", flag };
    if (/does not take an argument/.test(m)) return { ok: false, reason: "no-value", flag };
    throw new Error(`unexpected parseArgs message: ${m}`);
  }
}

const CASES: string[][] = [
  [],
  ["--once"],
  ["--once", "--once"],
  ["--once=yes"],
  ["--deadline", "5"],
  ["--deadline=5"],
  ["--deadline="],
  ["--deadline"],
  ["--deadline", "-1"],
  ["--deadline", "-"],
  ["--deadline", "--"],
  ["--deadline", "--once"],
  ["--deadline=-1"],
  ["--deadline", "a", "--deadline", "b"],
  ["--deadline=a", "--once", "--deadline", "b", "--watch-url", "u", "--watch-url=v"],
  ["--deadline", "a", "--deadline", "b", "--bogus"], // the unknown flag first
  ["--watch-url", "http://u:p@h/x?a=b=c"],
  ["--watch-url=http://h/?q=1"],
  ["--bogus"],
  ["--bogus=1"],
  ["--=x"],
  ["---x"],
  ["-x"],
  ["-h"],
  ["-hh"],
  ["-hx"],
  ["-h=1"],
  ["-"],
  ["pos", "--once", "pos2"],
  ["--", "--once", "-x"],
  ["--once", "--", "--"],
  ["--tag", "a", "--tag=b", "--tag", "c"],
  ["--tag"],
  ["--help", "extra"],
  ["--toString"],
  ["--__proto__=1"],
  ["--constructor"],
];

Deno.test("parseFlags agrees with parseArgs on hand-picked argument lists", () => {
  for (const argv of CASES) {
    assert.deepEqual(ours(argv), node(argv), JSON.stringify(argv));
  }
});

Deno.test("parseFlags agrees with parseArgs on 5,000 seeded random argument lists", () => {
  const tokens = [
    "--once",
    "--stdout",
    "--deadline",
    "--deadline=3",
    "--deadline=",
    "--watch-url",
    "--tag",
    "--tag=x",
    "--bogus",
    "-h",
    "-hh",
    "-x",
    "-",
    "--",
    "-1",
    "value",
    "",
    "a=b",
    "--once=1",
  ];
  let seed = 20261124;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let n = 0; n < 5000; n++) {
    const argv = Array.from(
      { length: Math.floor(random() * 6) },
      () => tokens[Math.floor(random() * tokens.length)],
    );
    assert.deepEqual(ours(argv), node(argv), JSON.stringify(argv));
  }
});

Deno.test("parseFlags: a stray positional is named, and the flag tables are not prototypes", () => {
  assert.throws(
    () => parseFlags("schema", ["extra"], {}),
    (e: Error) => e instanceof UsageError && e.message === "schema: unexpected argument 'extra'",
  );
  const r = parseFlags("read", ["room", "--limit", "3"], { limit: { type: "string" } }, {
    positionals: 1,
  });
  assert.deepEqual(r.positionals, ["room"]);
  assert.equal(r.values.limit, "3");
  assert.throws(() => parseFlags("t", ["--hasOwnProperty"], {}), /unknown flag '--hasOwnProperty'/);
});

Deno.test("SCOUT_LOG_LEVEL takes every name the logger reads: off and none silence it", async () => {
  for (const level of ["off", "none", "fatal", "warning"]) {
    const r = await runCli(["--watch-url", "http://127.0.0.1:9/", "--once", "--stdout"], {
      env: { SCOUT_LOG_LEVEL: level },
    });
    assert.equal(r.code, 0, `${level}: ${r.stderr}`);
    if (level === "off" || level === "none") assert.equal(r.stderr, "", level);
  }
});

Deno.test("flag values are taken as typed: a '${' in a pattern, a room or a check is not a variable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plato-cli-flags-" });
  try {
    const file = `${dir}/app.log`;
    await Deno.writeTextFile(file, "");
    const log = await runCli(
      [
        "log",
        "--file",
        file,
        "--pattern",
        "ERROR ${x}",
        "--room",
        "r/${HOME}",
        "--once",
        "--stdout",
      ],
      { env: { HOME: "/home/someone" } },
    );
    assert.equal(log.code, 0, log.stderr);
    const startup = JSON.parse(log.stdout.split("\n")[0]);
    assert.equal(startup.domain, "r/${HOME}");
    assert.equal(JSON.parse(startup.answer).pattern, "ERROR ${x}");
    // '$${' is not an escape on the command line either.
    const http = await runCli(
      ["http", "--url", "http://127.0.0.1:9/", "--body-contains", "$${name}", "--once", "--stdout"],
    );
    assert.equal(http.code, 0, http.stderr);
    const assertions = JSON.parse(JSON.parse(http.stdout.split("\n")[0]).answer).assertions;
    assert.equal(assertions.body_contains, "$${name}");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
