/**
 * The Worker-path schemas are built with zod/mini (lib/_zod_mini.ts) to keep
 * the Worker bundle under its 40 KB budget, with the project's own messages
 * passed per parse (lib/_zod_messages.ts). These tests pin that every issue
 * gets a real message, that the messages are the same in a module graph
 * without classic zod, and the budget.
 */
import assert from "node:assert/strict";
import * as zc from "zod";
import * as zm from "zod/mini";
import { zodMessages } from "../lib/_zod_messages.ts";
import { bundle } from "./_support/bundle.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Raw issues as zod hands them to error maps, from parsing bad values with many schemas. */
function rawIssues(): zm.core.$ZodRawIssue[] {
  const schemas: zm.core.$ZodType[] = [
    zc.string(),
    zc.string().min(2).max(3),
    zc.string().length(2),
    zc.string().regex(/^a+$/),
    zc.string().startsWith("x"),
    zc.string().endsWith("x"),
    zc.string().includes("x"),
    zc.url(),
    zc.email(),
    zc.uuid(),
    zc.iso.datetime(),
    zc.ipv4(),
    zc.number(),
    zc.number().gt(1).lt(5),
    zc.number().min(1).max(5),
    zc.number().int(),
    zc.number().multipleOf(3),
    zc.bigint().min(5n),
    zc.boolean(),
    zc.literal("a"),
    zc.literal(3),
    zc.enum(["a", "b"]),
    zc.array(zc.number()).min(2).max(3),
    zc.set(zc.number()).min(2),
    zc.map(zc.string(), zc.number()).max(0),
    zc.strictObject({ a: zc.string() }),
    zc.union([zc.string(), zc.number()]),
    zc.xor([zc.string(), zc.string().min(1)]),
    zc.discriminatedUnion("k", [
      zc.object({ k: zc.literal("a") }),
      zc.object({ k: zc.literal("b") }),
    ]),
    zc.record(zc.enum(["a"]), zc.number()),
    zc.record(zc.string().min(2), zc.number()),
    zc.map(zc.string().min(2), zc.number()),
    zc.map(zc.unknown(), zc.string()),
    zc.set(zc.string().min(2)),
    zc.date(),
    zc.nan(),
    zc.never(),
    zc.custom(() => false),
    zm.url({ protocol: /^https?$/ }),
    zm.number().check(zm.int(), zm.maximum(5)),
  ];
  const values: unknown[] = [
    undefined,
    null,
    "",
    "a",
    "abcd",
    "x y",
    1.5,
    0,
    7,
    NaN,
    Infinity,
    -Infinity,
    10n,
    true,
    [],
    [1],
    [1, 2, 3, 4],
    new Set([1]),
    new Set(["a"]),
    new Map([["a", 1]]),
    new Map([[{ k: 1 }, 1]]),
    new Date(0),
    { a: 1, b: 2, c: 3 },
    { k: "z" },
    { a: 1 },
    { ab: "x" },
    new (class Thing {})(),
    Object.create(null),
  ];
  const out: zm.core.$ZodRawIssue[] = [];
  for (const schema of schemas) {
    for (const value of values) {
      const r = zm.safeParse(schema, value, {
        error: (issue) => {
          out.push(issue);
          return undefined;
        },
      });
      // zod finalizes issues (and asks error maps) when they are first read.
      if (!r.success) assert.ok(r.error.issues.length > 0);
    }
  }
  return out;
}

Deno.test("the project's zod messages give every kind of issue a message of its own", () => {
  const issues = rawIssues();
  const codes = new Set(issues.map((i) => i.code));
  for (
    const code of [
      "invalid_type",
      "invalid_value",
      "too_big",
      "too_small",
      "invalid_format",
      "not_multiple_of",
      "unrecognized_keys",
      "invalid_key",
      "invalid_union",
      "invalid_element",
      "custom",
    ]
  ) assert.ok(codes.has(code as never), `no ${code} issue in the sweep`);
  assert.ok(issues.length > 200, `only ${issues.length} issues`);
  for (const issue of issues) {
    const message = zodMessages(issue);
    assert.equal(typeof message, "string", JSON.stringify(issue.code));
    assert.ok((message as string).length > 5, `${issue.code}: '${message}'`);
    if (issue.code !== "custom") assert.notEqual(message, "is invalid", String(issue.code));
  }
  const say = (issue: object) => zodMessages(issue as zm.core.$ZodRawIssue);
  assert.equal(
    say({ code: "invalid_type", expected: "number", input: "soon" }),
    "expected number, got 'soon'",
  );
  assert.equal(
    say({ code: "too_big", origin: "number", maximum: 1, inclusive: true }),
    "must be at most 1",
  );
  assert.equal(
    say({ code: "too_small", origin: "string", minimum: 1, inclusive: true }),
    "must not be empty",
  );
  assert.equal(
    say({ code: "too_small", origin: "array", minimum: 2, inclusive: true }),
    "must have at least 2 items",
  );
  assert.equal(
    say({ code: "invalid_value", values: ["GET", "POST"] }),
    "expected one of 'GET', 'POST'",
  );
  assert.equal(say({ code: "unrecognized_keys", keys: ["urll"] }), "unknown key 'urll'");
  assert.equal(say({ code: "something_new" }), "is invalid");
});

Deno.test("Worker-path schemas report the project's messages without classic zod loaded", async () => {
  // A fresh process whose module graph is the Worker's: zod/mini only.
  const script = `
    import { parseTile } from "${ROOT}lib/tile_schema.ts";
    import { KeeperWatchSchema } from "${ROOT}scouts/keeper.ts";
    import { AgentListSchema, KeeperStatsSchema } from "${ROOT}scouts/_keeper_api.ts";
    import { validateConfig } from "${ROOT}lib/config/validate.ts";
    import { PARSE_OPTIONS } from "${ROOT}lib/_zod_messages.ts";
    import { httpScout } from "${ROOT}scouts/http.ts";
    import { keeperScout } from "${ROOT}scouts/keeper.ts";
    const first = (r) => r.success ? "ok" : r.error.issues[0].message;
    console.log(JSON.stringify([
      parseTile({ domain: "x" }).error,
      parseTile({ id: "i", domain: "d", question: "q", answer: "a", tags: [], confidence: 2,
        source: "s", timestamp: "2024-01-01T00:00:00Z" }).error,
      first(KeeperWatchSchema.safeParse({ type: "keeper", url: "ftp://x" }, PARSE_OPTIONS)),
      first(KeeperWatchSchema.safeParse({ type: "keeper", urll: "x" }, PARSE_OPTIONS)),
      first(AgentListSchema.safeParse({}, PARSE_OPTIONS)),
      first(AgentListSchema.safeParse([1], PARSE_OPTIONS)),
      first(KeeperStatsSchema.safeParse({ registry: { total: "x" } }, PARSE_OPTIONS)),
      validateConfig({ scout: { name: "a", scout_room: "r" },
        watch: { type: "keeper", url: "ftp://x" } }, { kinds: [httpScout, keeperScout] }),
    ]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", `${ROOT}deno.json`, script],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [
    "'id': expected string, got nothing",
    "'confidence': must be at most 1",
    "expected an http or https URL",
    "unknown key 'urll'",
    "expected an array of agent records",
    "none of 1 records has an agent_id and a status",
    "expected number, got 'x'",
    { ok: false, problems: [{ path: "watch.url", message: "expected an http or https URL" }] },
  ]);
});

Deno.test("the Cloudflare Worker bundle stays under 40 KB gzipped", async () => {
  const { text } = await bundle("examples/cloudflare/worker.ts", { minify: true });
  const gz = await new Response(
    new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  assert.ok(gz.byteLength < 40 * 1024, `${(gz.byteLength / 1024).toFixed(1)} KB gzipped`);
  // Classic zod (its method-chaining API) must not creep back into the Worker's graph:
  // its constructors are named "ZodString", zod/mini's "ZodMiniString", the core's "$ZodString".
  assert.ok(!/["']ZodString["']/.test(text), "classic zod is in the Worker bundle");
  assert.ok(text.includes('"ZodMiniString"'), "zod/mini is not in the Worker bundle");
});
