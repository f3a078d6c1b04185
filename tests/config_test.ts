import assert from "node:assert/strict";
import { z } from "zod";
import { formatProblem } from "../lib/config/issues.ts";
import { loadConfig, validateConfig } from "../lib/config/load.ts";
import { configJsonSchema } from "../lib/config/json_schema.ts";
import { interpolateEnv } from "../lib/config/interpolate.ts";
import { Scout } from "../mod.ts";
import type { ScoutKind } from "../lib/scout_kind.ts";
import { BUILTIN_SCOUTS } from "../scouts/mod.ts";
import { parse as parseYaml } from "yaml";
import { runCli } from "./_support/cli.ts";
import { schemaProblems } from "./_support/json_schema_check.ts";

const probe: ScoutKind = {
  type: "probe",
  summary: "A test kind",
  watch: z.strictObject({
    type: z.literal("probe"),
    url: z.url(),
    timeout: z.number().gt(0).default(5),
  }),
  create: (options) => new Scout(options),
};

const kinds = [probe];

function errors(text: string, env: Record<string, string> = {}): string[] {
  const r = loadConfig(text, { kinds, env: (n) => env[n] });
  assert.equal(r.ok, false, "expected the config to be refused");
  return (r as { problems: Parameters<typeof formatProblem>[0][] }).problems.map(formatProblem);
}

const GOOD = `# scout.yaml
scout:
  name: my-service-scout
  plato_url: http://localhost:8847
  scout_room: my/research/scout-reports/my-service
  poll_interval: 60

watch:
  type: probe
  url: http://localhost:8080/health
  timeout: 5

emission:
  min_interval_seconds: 10
  batch_size: 50
`;

Deno.test("loadConfig reads the original's scout.yaml shape", () => {
  const r = loadConfig(GOOD, { kinds });
  assert.ok(r.ok);
  assert.deepEqual(r.config.scouts, [{
    name: "my-service-scout",
    room: "my/research/scout-reports/my-service",
    pollInterval: 60,
    cron: undefined,
    watchedService: undefined,
    watch: { type: "probe", url: "http://localhost:8080/health", timeout: 5 },
  }]);
  assert.equal(r.config.platoUrl, "http://localhost:8847");
  assert.deepEqual(r.config.emission, {
    minIntervalSeconds: 10,
    batchSize: 50,
    concurrency: 2,
    gate: "warn",
    outboxMaxEntries: 100_000,
    outboxMaxBytes: 256 * 1024 * 1024,
  });
});

Deno.test("loadConfig runs several scouts from a scouts: list", () => {
  const r = loadConfig(
    `scouts:
  - scout: { name: a, scout_room: r/a }
    watch: { type: probe, url: "http://a.example/" }
  - scout: { name: b, scout_room: r/b, poll_interval: 5 }
    watch: { type: probe, url: "http://b.example/", timeout: 1 }
`,
    { kinds },
  );
  assert.ok(r.ok);
  assert.deepEqual(r.config.scouts.map((s) => [s.name, s.pollInterval, s.watch.timeout]), [[
    "a",
    60,
    5,
  ], ["b", 5, 1]]);
});

Deno.test("an error names the path and the line", () => {
  assert.deepEqual(errors(GOOD.replace("poll_interval: 60", "poll_interval: -5")), [
    "scout.poll_interval (line 6): expected a number at least 0.1, got -5",
  ]);
  assert.deepEqual(errors(GOOD.replace("timeout: 5", "timeout: soon")), [
    "watch.timeout (line 11): expected a number, got 'soon'",
  ]);
  assert.deepEqual(errors(GOOD.replace("batch_size: 50", "batch_size: 5000")), [
    "emission.batch_size (line 15): expected a number at most 1000, got 5000",
  ]);
});

Deno.test("unknown keys, unknown types and missing sections are named", () => {
  assert.deepEqual(errors(GOOD.replace("  poll_interval: 60", "  poll_intervl: 60")), [
    "scout.poll_intervl (line 6): unknown key (did you mean 'poll_interval'?)",
  ]);
  assert.deepEqual(errors(GOOD.replace("type: probe", "type: ftp")), [
    "watch.type (line 9): unknown scout type 'ftp' (expected one of probe)",
  ]);
  // A misspelt type: no kind checks the keys of a watch without one.
  assert.deepEqual(errors(GOOD.replace("type: probe", "tpye: probe")), [
    "watch.tpye (line 9): unknown key (did you mean 'type'?)",
    "watch.type (line 8): is required",
  ]);
  assert.deepEqual(errors("scout:\n  name: x\n  scout_room: r\n"), ["watch (line 1): is required"]);
  assert.deepEqual(errors("emission:\n  batch_size: 5\n"), [
    "(root) (line 1): no scout configured: add 'scout:' and 'watch:', or a 'scouts:' list",
  ]);
  assert.deepEqual(
    errors(GOOD.replace("  scout_room: my/research/scout-reports/my-service\n", "")),
    [
      "scout.scout_room (line 2): is required",
    ],
  );
});

Deno.test("YAML syntax errors and empty files are one line each with a line number", () => {
  assert.match(errors("scout:\n  name: [unclosed\n")[0], /^\(yaml\) \(line \d\): /);
  assert.deepEqual(errors(""), ["(root): the file is empty"]);
  assert.deepEqual(errors("scout:\n  name: a\n  name: b\n"), [
    "(yaml) (line 3): duplicate key 'name' (first on line 2)",
  ]);
  // A nest too deep for the parser: one line saying so, not the engine's stack error.
  assert.deepEqual(errors(`scout: ${"[".repeat(5000)}${"]".repeat(5000)}\n`), [
    "(yaml) (line 1): nested too deeply",
  ]);
});

Deno.test("YAML merge keys (<<: *anchor) are merged, as in YAML 1.1 and docker-compose files", () => {
  const text = `scouts:
  - scout: { name: a, scout_room: r }
    watch: &w { type: probe, url: "http://localhost:1/", timeout: 3 }
  - scout: { name: b, scout_room: r }
    watch:
      <<: *w
      url: "http://localhost:2/"
`;
  const r = loadConfig(text, { kinds, env: () => undefined });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const watch = r.config.scouts[1].watch;
  assert.equal(watch.url, "http://localhost:2/");
  assert.equal(watch.timeout, 3);
  // Two merge keys in one mapping are no duplicate; a merge of a number says what is wrong.
  const twice = loadConfig(
    text.replace("      <<: *w\n", "      <<: *w\n      <<: { timeout: 4 }\n"),
    { kinds, env: () => undefined },
  );
  assert.ok(twice.ok, JSON.stringify(!twice.ok && twice.problems));
  assert.deepEqual(errors("scout: { name: a, scout_room: r }\nwatch: { <<: 5, type: probe }\n"), [
    "(yaml) (line 2): Merge sources must be maps or map aliases",
  ]);
  assert.deepEqual(
    errors("x: &s 5\nscout: { name: a, scout_room: r }\nwatch:\n  <<: *s\n  type: probe\n"),
    ["(yaml) (line 4): Merge sources must be maps or map aliases"],
  );
});

Deno.test("${VAR} and ${VAR:-default} are interpolated; an unset variable is named", () => {
  const text = GOOD.replace("http://localhost:8080/health", "${TARGET}").replace(
    "http://localhost:8847",
    "${PLATO:-http://localhost:8847}",
  );
  const r = loadConfig(text, {
    kinds,
    env: (n) => ({ TARGET: "http://t.example/x" } as Record<string, string>)[n],
  });
  assert.ok(r.ok);
  assert.equal(r.config.scouts[0].watch.url, "http://t.example/x");
  assert.equal(r.config.platoUrl, "http://localhost:8847");
  assert.deepEqual(errors(text), ["watch.url (line 10): environment variable 'TARGET' is not set"]);
  assert.deepEqual(interpolateEnv({ a: "$${HOME}" }, () => "x").value, { a: "${HOME}" });
});

Deno.test("scouts in one process must share one plato_url and have distinct names", () => {
  const text = `scouts:
  - scout: { name: a, scout_room: r, plato_url: "http://one:8847" }
    watch: { type: probe, url: "http://x/" }
  - scout: { name: a, scout_room: r, plato_url: "http://two:8847" }
    watch: { type: probe, url: "http://x/" }
`;
  assert.deepEqual(errors(text), [
    "scouts[1].scout.name (line 4): duplicate scout name 'a'",
    "scouts[1].scout.plato_url (line 4): all scouts in one process must share one plato_url",
  ]);
  // One address written with and without a trailing slash is one address.
  const slash = loadConfig(
    text.replace(
      'name: a, scout_room: r, plato_url: "http://two:8847"',
      'name: b, scout_room: r, plato_url: "http://one:8847/"',
    ),
    { kinds },
  );
  assert.ok(slash.ok, JSON.stringify(!slash.ok && slash.problems));
  assert.equal(slash.config.platoUrl, "http://one:8847");
  // A name or type read from a variable is named by the variable, as a
  // value every other check quotes is: it may be a credential put there.
  const fromEnv = loadConfig(
    text.replace('plato_url: "http://two:8847"', 'plato_url: "http://one:8847"')
      .replace(/name: a/g, 'name: "${NAME}"').replace("type: probe", 'type: "${KIND}"'),
    { kinds, env: (n) => ({ NAME: "hunter2-token", KIND: "s3cr3t-kind" })[n] },
  );
  assert.ok(!fromEnv.ok);
  assert.deepEqual(fromEnv.problems.map(formatProblem), [
    "scouts[0].watch.type (line 3): unknown scout type '${KIND}' (expected one of probe)",
  ]);
  const names = loadConfig(
    text.replace('plato_url: "http://two:8847"', 'plato_url: "http://one:8847"')
      .replace(/name: a/g, 'name: "${NAME}"'),
    { kinds, env: (n) => ({ NAME: "hunter2-token" })[n] },
  );
  assert.ok(!names.ok);
  assert.deepEqual(names.problems.map(formatProblem), [
    "scouts[1].scout.name (line 4): duplicate scout name '${NAME}'",
  ]);
});

Deno.test("one PLATO server written two ways (default port, host case) is one plato_url", () => {
  const two = (a: string, b: string) =>
    loadConfig(
      `scouts:
  - scout: { name: a, scout_room: r, plato_url: "${a}" }
    watch: { type: probe, url: "http://x/" }
  - scout: { name: b, scout_room: r, plato_url: "${b}" }
    watch: { type: probe, url: "http://x/" }
`,
      { kinds },
    );
  for (
    const [a, b] of [
      ["http://127.0.0.1:80", "http://127.0.0.1"],
      ["http://LOCALHOST:9/", "http://localhost:9"],
      ["https://Plato.example:443/base/", "https://plato.example/base"],
    ]
  ) {
    const r = two(a, b);
    assert.ok(r.ok, `${a} ${b}: ${JSON.stringify(!r.ok && r.problems)}`);
  }
  assert.equal(two("http://localhost:9", "http://localhost:90").ok, false);
  assert.equal(two("http://localhost/a", "http://localhost/b").ok, false);
});

Deno.test("validateConfig accepts a config built in code or parsed from JSON", () => {
  const r = validateConfig(
    JSON.parse(
      '{"scout":{"name":"j","scout_room":"r"},"watch":{"type":"probe","url":"http://x/"}}',
    ),
    {
      kinds,
    },
  );
  assert.ok(r.ok);
  assert.equal(r.config.scouts[0].name, "j");
});

Deno.test("configJsonSchema describes scout.yaml including each kind's watch section", () => {
  const schema = configJsonSchema(kinds) as {
    properties: Record<string, { properties?: Record<string, unknown> }>;
  };
  assert.ok(schema.properties.scout.properties!.poll_interval);
  assert.ok(schema.properties.emission.properties!.batch_size);
  assert.ok(JSON.stringify(schema.properties.watch).includes('"probe"'));
});

Deno.test("a number or boolean field given ${VAR} reads the value as YAML would; a wrong value names the variable, not the value", () => {
  const flagged: ScoutKind = {
    ...probe,
    type: "flagged",
    watch: z.strictObject({ type: z.literal("flagged"), on: z.boolean(), ratio: z.number() }),
  };
  const text = `scout:
  name: n
  scout_room: r
  poll_interval: \${POLL:-30}
watch:
  type: flagged
  on: "\${ON}"
  ratio: \${RATIO}
emission:
  batch_size: \${BATCH}
`;
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  const r = loadConfig(text, {
    kinds: [flagged],
    env: env({ ON: "true", RATIO: "2.5e-1", BATCH: "0x10" }),
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.config.scouts[0].pollInterval, 30);
  assert.deepEqual(r.config.scouts[0].watch, { type: "flagged", on: true, ratio: 0.25 });
  assert.equal(r.config.emission.batchSize, 16);
  // A string field keeps the text, even when it looks like a number.
  const room = loadConfig(GOOD.replace("my/research/scout-reports/my-service", "${ROOM}"), {
    kinds,
    env: env({ ROOM: "42" }),
  });
  assert.ok(room.ok);
  assert.equal(room.config.scouts[0].room, "42");
  // The value may be a credential put in the wrong place: it is never echoed.
  const bad = loadConfig(text, {
    kinds: [flagged],
    env: env({ POLL: "hunter2-token", ON: "yes", RATIO: "1", BATCH: "-3" }),
  });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map(formatProblem), [
    "scout.poll_interval (line 4): expected a number, got the value of '${POLL:-30}'",
    "watch.on (line 7): expected a boolean, got the value of '${ON}'",
    "emission.batch_size (line 10): expected a number at least 1, got the value of '${BATCH}'",
  ]);
  // An escaped '$${' reads no variable: the text itself is shown.
  const escaped = loadConfig(text.replace("${POLL:-30}", () => "$${SECONDS}"), {
    kinds: [flagged],
    env: env({ ON: "true", RATIO: "1", BATCH: "5" }),
  });
  assert.ok(!escaped.ok);
  assert.deepEqual(escaped.problems.map(formatProblem), [
    "scout.poll_interval (line 4): expected a number, got '${SECONDS}'",
  ]);
});

Deno.test("json_equals given wholly ${VAR} takes JSON when the text parses, as --json-equals does", () => {
  const equals = (value: string, vars: Record<string, string>) => {
    const text = "scout: {name: n, scout_room: r}\n" +
      `watch:\n  type: http\n  url: http://x/\n  json_path: ok\n  json_equals: ${value}\n`;
    const r = loadConfig(text, { kinds: BUILTIN_SCOUTS, env: (n) => vars[n] });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    return (r.config.scouts[0].watch as { json_equals?: unknown }).json_equals;
  };
  assert.equal(equals("${JE}", { JE: "true" }), true);
  assert.equal(equals('"${JE}"', { JE: "3" }), 3);
  assert.equal(equals("${JE:-null}", {}), null);
  assert.deepEqual(equals("'${JE}'", { JE: '{"a":[1]}' }), { a: [1] });
  assert.equal(equals("${JE}", { JE: '"ok"' }), "ok");
  // Text that is not JSON stays text; so does a value only partly from a variable.
  assert.equal(equals("${JE}", { JE: "ok" }), "ok");
  assert.equal(equals("'v${JE}'", { JE: "1" }), "v1");
  assert.equal(equals("'${JE}${JE}'", { JE: "1" }), "11");
});

Deno.test("values of variables named like credentials are secrets of the config", () => {
  const text = GOOD.replace(
    "http://localhost:8080/health",
    "http://h/hooks/${HOOK_SECRET}?u=${USER_NAME}",
  );
  const r = loadConfig(text, {
    kinds,
    env: (n) => ({ HOOK_SECRET: "s3cr3t-path", USER_NAME: "alice" } as Record<string, string>)[n],
  });
  assert.ok(r.ok);
  assert.equal(r.config.scouts[0].watch.url, "http://h/hooks/s3cr3t-path?u=alice");
  assert.deepEqual(r.config.secrets, ["s3cr3t-path"]);
  assert.deepEqual(
    interpolateEnv({ a: "${API_KEY}", b: "${DB_PASSWORD}", c: "${HOST}" }, (n) => `v-${n}`).secrets,
    [
      "v-API_KEY",
      "v-DB_PASSWORD",
    ],
  );
  // Short values are not credentials (masking "2026" would mask every year),
  // and an id of a session is not one either.
  assert.deepEqual(
    interpolateEnv(
      { a: "${PARTITION_KEY}", b: "r/${SESSION_ID}" },
      (n) => ({ PARTITION_KEY: "2026", SESSION_ID: "session-0042" } as Record<string, string>)[n],
    ).secrets,
    [],
  );
});

Deno.test("every watch section is checked even when the rest of the file is wrong", () => {
  const text = `scouts:
  - scout: { name: a, scout_room: r, poll_interval: 0 }
    watch: { type: probe, url: "http://a.example/" }
  - scout: { name: b, scout_room: r }
    watch: { type: probe, url: "http://b.example/", timeout: slow }
emission:
  batch_sise: 5
`;
  assert.deepEqual(errors(text), [
    "emission.batch_sise (line 7): unknown key (did you mean 'batch_size'?)",
    "scouts[0].scout.poll_interval (line 2): expected a number at least 0.1, got 0",
    "scouts[1].watch.timeout (line 5): expected a number, got 'slow'",
  ]);
});

Deno.test("an unclosed quote or bracket is named on the line it opens, not where the file ends", () => {
  const base = "scout:\n  name: a\n  scout_room: r\nwatch:\n  type: probe\n  url: http://x/\n";
  for (
    const [room, message] of [
      ['"r', 'Missing closing "quote'],
      ["'r", "Missing closing 'quote"],
      ["[r, s", "Flow sequence in block collection must be sufficiently indented and end with a ]"],
      ["{r: s", "Flow map in block collection must be sufficiently indented and end with a }"],
      [
        "[r,\n    s",
        "Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ]
  ) {
    assert.deepEqual(errors(base.replace("scout_room: r", `scout_room: ${room}`)), [
      `(yaml) (line 3): ${message}`,
    ]);
  }
  // A closed one is no cause: a bad indent after it is named on its own line.
  assert.deepEqual(errors(base.replace("name: a\n  scout_room", 'name: "a"\n scout_room')), [
    "(yaml) (line 3): All mapping items must start at the same column",
  ]);
});

Deno.test("a key indented under the one above it is named on its own line, once", () => {
  const base = "scout:\n  name: a\n  scout_room: r\nwatch:\n  type: probe\n  url: http://x/\n";
  assert.deepEqual(errors(base.replace("  scout_room: r", "    scout_room: r")), [
    "(yaml) (line 3): indented more than 'name' on line 2, so read as part of its value: start it in the same column as 'name'",
  ]);
  assert.deepEqual(errors(base.replace("  url: http", "      url: http")), [
    "(yaml) (line 6): indented more than 'type' on line 5, so read as part of its value: start it in the same column as 'type'",
  ]);
  // In a list item too.
  assert.deepEqual(
    errors("scouts:\n  - scout: {name: a,\n      scout_room: r}\n    watch: x\n      url: y\n"),
    [
      "(yaml) (line 5): indented more than 'watch' on line 4, so read as part of its value: start it in the same column as 'watch'",
    ],
  );
});

Deno.test("YAML a config cannot mean is refused with its line: aliases, tags, keys, documents", () => {
  const base = "scout:\n  name: a\n  scout_room: r\nwatch:\n  type: probe\n  url: http://x/\n";
  assert.deepEqual(errors(base.replace("scout_room: r", "scout_room: *nope")), [
    "(yaml) (line 3): alias '*nope' has no anchor '&nope' before it",
  ]);
  assert.deepEqual(errors(base.replace("scout_room: r", "scout_room: !custom r")), [
    "(yaml) (line 3): unknown tag: !custom",
  ]);
  assert.deepEqual(errors(base.replace("scout_room: r", "scout_room: r\n  ? [x, y]\n  : q")), [
    "(yaml) (line 4): a key must be text, not a list ('[x, y]'); quote it if the brackets are meant as text",
  ]);
  assert.deepEqual(errors(`${base}[a]: 1\n{b: 2}: 3\n? - c\n: 4\n`), [
    "(yaml) (line 7): a key must be text, not a list ('[a]'); quote it if the brackets are meant as text",
    "(yaml) (line 8): a key must be text, not a mapping ('{b: 2}'); quote it if the braces are meant as text",
    "(yaml) (line 9): a key must be text, not a list",
  ]);
  assert.deepEqual(errors(`${base}---\nscout: {}\n`), [
    "(yaml) (line 7): more than one YAML document ('---'): a config is one document",
  ]);
  // An empty document after the config (a trailing '---', with or without a
  // comment or '...') is not a second config.
  for (const tail of ["---\n", "---", "---\n# end\n", "---\n...\n", "...\n---\n"]) {
    const r = loadConfig(`${base}${tail}`, { kinds });
    assert.ok(r.ok, `${JSON.stringify(tail)}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(errors(`${base}---\n---\nx: 1\n`), [
    "(yaml) (line 7): more than one YAML document ('---'): a config is one document",
  ]);
  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"]]) {
    bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  assert.deepEqual(errors(bomb.join("\n")), [
    "(yaml) (line 2): aliases expand too far: at most 100 expansions of one alias (a guard against alias bombs)",
  ]);
  // An alias inside its own anchor: a value that contains itself (it overflowed the stack).
  assert.deepEqual(errors(`${base}  json_path: a\n  json_equals: &x [1, *x]\n`), [
    "(yaml) (line 8): alias '*x' is inside its own anchor '&x': the value would contain itself",
  ]);
  assert.deepEqual(errors(`defaults: &d\n  again: *d\n${base}`), [
    "(yaml) (line 2): alias '*d' is inside its own anchor '&d': the value would contain itself",
  ]);
  // A null or empty key is named '' on its own line (JavaScript reads all three as "").
  for (const key of ["~", "null", '""']) {
    assert.deepEqual(errors(base.replace("scout_room: r", `scout_room: r\n  ${key}: z`)), [
      "scout.'' (line 4): unknown key",
    ]);
  }
  // A key YAML reads as a number is still found on its own line.
  assert.deepEqual(errors(base.replace("scout_room: r", "scout_room: r\n  7: z")), [
    "scout.7 (line 4): unknown key",
  ]);
});

Deno.test("YAML tags that build a Map, Set, bytes or a date are refused with their path, line and tag", () => {
  const base = "scout:\n  name: a\n  scout_room: r\nwatch:\n  type: probe\n  url: http://x/\n";
  const http = base.replace("type: probe", "type: http");
  const r = (text: string) => {
    const result = loadConfig(text, { kinds: BUILTIN_SCOUTS });
    assert.equal(result.ok, false, text);
    return (result as { problems: Parameters<typeof formatProblem>[0][] }).problems.map(
      formatProblem,
    );
  };
  const plain = "write a plain mapping, list, text, number or boolean";
  assert.deepEqual(r(`${http}  headers: !!omap\n    - X-Key: abc\n`), [
    `watch.headers (line 7): tag !!omap is not supported here: ${plain}`,
  ]);
  assert.deepEqual(r(`${http}  headers: !!set {a, b}\n`), [
    `watch.headers (line 7): tag !!set is not supported here: ${plain}`,
  ]);
  assert.deepEqual(r(`${http}  json_path: a\n  json_equals: !!binary aGVsbG8=\n`), [
    `watch.json_equals (line 8): tag !!binary is not supported here: ${plain}`,
  ]);
  assert.deepEqual(r(`${http}  json_path: a\n  json_equals: !!timestamp 2001-12-14\n`), [
    `watch.json_equals (line 8): tag !!timestamp is not supported here: ${plain}`,
  ]);
  assert.deepEqual(r(`%YAML 1.1\n---\n${http}  json_path: a\n  json_equals: [2001-12-14]\n`), [
    "watch.json_equals[0] (line 10): a YAML 1.1 date is not supported here: quote it to keep it as text",
  ]);
  // A config built in code is held to the same.
  const code = validateConfig({
    scout: { name: "a", scout_room: "r" },
    watch: { type: "http", url: "http://x/", headers: new Map([["a", "b"]]) },
  }, { kinds: BUILTIN_SCOUTS });
  assert.deepEqual(code, {
    ok: false,
    problems: [{
      path: "watch.headers",
      message: "expected plain data, got a Map",
      line: undefined,
    }],
  });
});

Deno.test("validateConfig refuses a value that contains itself, or nests past any config, without overflowing", () => {
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  for (const value of [cyclic, deep]) {
    const r = validateConfig({
      scout: { name: "a", scout_room: "r" },
      watch: { type: "http", url: "http://x/", json_path: "a", json_equals: value },
    }, { kinds: BUILTIN_SCOUTS });
    assert.equal(r.ok, false);
    const problems = (r as { problems: Array<{ path: string; message: string }> }).problems;
    assert.equal(problems.length, 1);
    assert.match(problems[0].path, /^watch\.json_equals\[/);
    assert.equal(problems[0].message, "nested deeper than 64 levels");
  }
});

Deno.test("cron must be a five-field cron expression", () => {
  for (
    const cron of [
      "*/5 * * * *",
      "0 9-17 * * MON-FRI",
      "0 0 L * *",
      "0 0 * * 5L",
      "0 0 * * 1#2",
      "15,45 */2 1-15/3 JAN,JUL 0",
    ]
  ) {
    const r = loadConfig(GOOD.replace("poll_interval: 60", `cron: "${cron}"`), { kinds });
    assert.ok(r.ok, cron);
    assert.equal(r.config.scouts[0].cron, cron);
  }
  for (
    const cron of [
      "every tuesday",
      "61 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * * 13 *",
      "* * * * 8",
      "*/0 * * * *",
      "5-1 * * * *",
      "* * * * * *",
    ]
  ) {
    assert.deepEqual(errors(GOOD.replace("poll_interval: 60", `cron: "${cron}"`)), [
      "scout.cron (line 6): expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. '*/5 * * * *'",
    ], cron);
  }
});

Deno.test("the JSON Schema takes what the CLI takes: ${VAR} values, http(s) URLs only, a method in any case", () => {
  const kind: ScoutKind = {
    ...probe,
    watch: z.strictObject({
      type: z.literal("probe"),
      url: z.url(),
      method: z.enum(["GET", "POST"]).default("GET"),
    }),
  };
  // deno-lint-ignore no-explicit-any -- JSON Schema is read as loose JSON
  const schema = configJsonSchema([kind]) as any;
  /** Whether one of `node.anyOf`'s string branches (enum or pattern) takes `text`. */
  // deno-lint-ignore no-explicit-any -- JSON Schema is read as loose JSON
  const takes = (node: any, text: string) =>
    // deno-lint-ignore no-explicit-any
    node.anyOf.some((b: any) =>
      b.type === "string" &&
      (b.enum ? b.enum.includes(text) : new RegExp(b.pattern ?? "").test(text))
    );
  const poll = schema.properties.scout.properties.poll_interval;
  assert.equal(poll.default, 60);
  assert.equal(poll.anyOf[0].type, "number");
  // A number is a ${VAR} as the whole value; text around it, or '$${', is no number.
  assert.ok(takes(poll, "${POLL:-30}"));
  assert.ok(takes(poll, " ${POLL} "));
  for (const text of ["$${SECONDS}", "every ${N} s", "${T}x"]) assert.ok(!takes(poll, text), text);
  const platoUrl = schema.properties.scout.properties.plato_url;
  const url = platoUrl.anyOf[0];
  assert.equal(url.format, undefined, "format: uri refuses URLs the CLI takes (a space)");
  assert.ok(takes(platoUrl, "https://plato.example/a b"));
  assert.ok(takes(platoUrl, " http://plato.example/"));
  assert.ok(!takes(platoUrl, "ftp://plato.example"));
  // Text may hold a ${VAR} anywhere, but not an escaped one.
  assert.ok(takes(platoUrl, "${BASE}/plato"));
  assert.ok(!takes(platoUrl, "$${URL}"));
  // Names are trimmed before they are checked.
  const name = schema.properties.scout.properties.name;
  assert.ok(takes(name, " api "));
  assert.ok(!takes(name, "a b"));
  const watch = schema.properties.watch.properties;
  assert.deepEqual(watch.type.anyOf[0], { type: "string", const: "probe" });
  for (const t of ["${T}", "pro${BE}"]) assert.ok(takes(watch.type, t), t);
  assert.ok(!takes({ anyOf: watch.type.anyOf.slice(1) }, "$${T}"));
  assert.deepEqual(watch.method.anyOf[0].enum, ["GET", "POST"]);
  for (const m of ["GET", "post", "Post", " GET "]) assert.ok(takes(watch.method, m), m);
  for (const m of ["FETCH", "GETS", "$${M}"]) assert.ok(!takes(watch.method, m), m);
  assert.ok(takes(watch.method, "${METHOD:-GET}"));
});

Deno.test("a scout.yaml whose type and choices come from ${VAR}s fits the schema 'plato-scout schema' prints, as validate takes it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plato-config-schema-" });
  try {
    const printed = await runCli(["schema"]);
    assert.equal(printed.code, 0, printed.stderr);
    const schema = JSON.parse(printed.stdout);
    const env = { T: "http", TT: "tp", M: "OST", P: "30", B: "true", R: "begin", G: "ff" };
    const check = async (text: string) => {
      const path = `${dir}/scout.yaml`;
      await Deno.writeTextFile(path, text);
      const validate = await runCli(["validate", path], { env });
      const problems = schemaProblems(schema, parseYaml(text));
      return { validate: validate.code, stderr: validate.stderr, problems };
    };
    const good = [
      "scouts:",
      "  - scout: {name: api, scout_room: r/api, poll_interval: '${P}'}",
      "    watch: {type: '${T}', url: 'http://127.0.0.1:9/', method: 'P${M}'}",
      "  - scout: {name: web, scout_room: r/web}",
      "    watch: {type: 'ht${TT}', url: 'http://127.0.0.1:9/', method: '${VERB:-GET}'}",
      "  - scout: {name: app, scout_room: r/app}",
      "    watch: {type: '${L:-log}', file: x.log, pattern: E, ignore_case: '${B}', read_from: '${R}ning'}",
      "emission: {gate: 'o${G}'}",
      "",
    ].join("\n");
    assert.deepEqual(await check(good), { validate: 0, stderr: "", problems: [] });
    // Both refuse a number or a boolean given text around its ${VAR}, and a
    // type that is no scout's.
    for (
      const [from, to] of [
        ["poll_interval: '${P}'", "poll_interval: '${P}0'"],
        ["ignore_case: '${B}'", "ignore_case: 't${B}'"],
        ["type: '${T}'", "type: ftp"],
      ]
    ) {
      const r = await check(good.replace(from, to));
      assert.equal(r.validate, 2, to);
      assert.notDeepEqual(r.problems, [], to);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a ${ that is no reference, or a default holding another ${...}, is a problem, not text", () => {
  const env = (n: string) => ({ HOME: "/home/scout" } as Record<string, string>)[n];
  const problems = (text: string) =>
    interpolateEnv({ room: text }, env).problems.map((p) => p.message);
  assert.deepEqual(problems("${UNSET_X"), [
    "'${UNSET_X' is not a ${VAR} or ${VAR:-default} reference (write $${ for a literal ${)",
  ]);
  assert.match(problems("r/${X-d}")[0], /^'\$\{X-d\}' is not a \$\{VAR\}/);
  assert.match(problems("${X:=d}")[0], /^'\$\{X:=d\}' is not a \$\{VAR\}/);
  assert.deepEqual(problems("${X:-${Y:-room}}"), [
    "'${X:-${Y:-room}}': a default cannot hold another ${...}",
  ]);
  // What the syntax allows still works.
  assert.deepEqual(problems("$${LIT} ${HOME}/${U:-x}"), []);
  assert.deepEqual(interpolateEnv({ room: "$${LIT} ${HOME}/${U:-x}" }, env).value, {
    room: "${LIT} /home/scout/x",
  });
});

Deno.test("an unknown key close to a known one says which was meant", () => {
  const text = GOOD.replace("  poll_interval: 60", "  poll_intervall: 60")
    .replace(
      "  url: http://localhost:8080/health",
      "  url: http://localhost:8080/health\n  timout: 3",
    )
    .concat("emision: {}\nfrobnicate: 1\n");
  const problems = errors(text);
  assert.ok(
    problems.includes("scout.poll_intervall (line 6): unknown key (did you mean 'poll_interval'?)"),
    problems.join("\n"),
  );
  assert.ok(
    problems.includes("watch.timout (line 11): unknown key (did you mean 'timeout'?)"),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) =>
      /^emision \(line \d+\): unknown key \(did you mean 'emission'\?\)$/.test(p)
    ),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => /^frobnicate \(line \d+\): unknown key$/.test(p)),
    problems.join("\n"),
  );
});

Deno.test("README's scout.yaml reference names every field the schema takes, each watch type's in its table", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const rows = (text: string) =>
    new Set([...text.matchAll(/^\| `([a-z_.]+)` /gm)].map((m) => m[1]));
  const general = rows(readme.split("`watch:` of `type: http`:")[0]);
  type Props = {
    properties?: Record<string, Props>;
    anyOf?: Props[];
    const?: string;
  };
  const schema = configJsonSchema(BUILTIN_SCOUTS) as unknown as Props;
  const missing: string[] = [];
  for (const [key, value] of Object.entries(schema.properties ?? {})) {
    if (key === "watch") continue;
    if (!general.has(key) && !Object.keys(value.properties ?? {}).length) missing.push(key);
    for (const sub of Object.keys(value.properties ?? {})) {
      if (!general.has(`${key}.${sub}`)) missing.push(`${key}.${sub}`);
    }
  }
  if (!general.has("scouts")) missing.push("scouts");
  if (!general.has("watch.type")) missing.push("watch.type");
  for (const kind of schema.properties?.watch.anyOf ?? []) {
    const type = kind.properties?.type.anyOf?.[0].const;
    // The table right after "`watch:` of `type: <type>`:".
    const after = readme.split(`\`watch:\` of \`type: ${type}\`:\n\n`)[1] ?? "";
    const own = rows(after.split(/\n(?!\|)/)[0]);
    for (const key of Object.keys(kind.properties ?? {})) {
      if (key !== "type" && !own.has(key)) missing.push(`watch.${key} (${type})`);
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("every field of the JSON Schema has a description: the README's meaning, type and default", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  // "| `field` | type | default | meaning |" rows, by section (general, or a watch type).
  const expected = new Map<string, string>();
  let section = "";
  for (const line of readme.split("\n")) {
    section = /^`watch:` of `type: (\w+)`:/.exec(line)?.[1] ?? section;
    if (line.startsWith("### ")) section = "";
    const row = /^\| `([a-z_.]+)` +\|(.*)\|$/.exec(line);
    if (!row) continue;
    const [type, fallback, meaning] = row[2].split(/(?<!\\)\|/).map((c) =>
      c.trim().replaceAll("\\|", "|")
    );
    const tail = fallback === "**required**" ? "required" : fallback ? `default ${fallback}` : "";
    const text = `${meaning}; ${type.replace(/^duration\b/, "seconds")}${tail ? `, ${tail}` : ""}`;
    expected.set(section ? `${section}:${row[1]}` : row[1], text);
  }
  type Node = {
    description?: string;
    properties?: Record<string, Node>;
    anyOf?: Node[];
    items?: Node;
  };
  const schema = configJsonSchema(BUILTIN_SCOUTS) as Node;
  const seen: string[] = [];
  const check = (node: Node, path: string, kind: string) => {
    for (const [key, field] of Object.entries(node.properties ?? {})) {
      const at = `${path}${key}`;
      seen.push(at);
      assert.ok(field.description, `${at} has no description`);
      const row = !kind
        ? at.replace(/^scouts\[\]\./, "")
        : key === "type"
        ? "watch.type"
        : `${kind}:${key}`;
      if (expected.has(row)) assert.equal(field.description, expected.get(row), at);
      else assert.ok(["scout", "watch", "emission"].includes(row), `${at}: no README row ${row}`);
      if (key === "watch") {
        for (const k of field.anyOf ?? []) {
          const type = (k.properties?.type as { anyOf: { const: string }[] }).anyOf[0].const;
          check(k, `${at}(${type}).`, type);
        }
      } else if (field.items) check(field.items, `${at}[].`, "");
      else check(field, `${at}.`, kind);
    }
  };
  check(schema, "", "");
  // Every kind's fields, in both places a watch goes.
  assert.ok(seen.includes("watch(holodeck).scores_retries"), seen.join(" "));
  assert.ok(seen.includes("scouts[].watch(http).latency_min_delta_ms"), seen.join(" "));
  assert.ok(seen.includes("scouts[].scout.poll_interval"), seen.join(" "));
  assert.ok(seen.length > 100, String(seen.length));
});

Deno.test("messages say 'whole number' and 'mapping', name an empty value once, and tell null from an empty file", () => {
  const base = "scout:\n  name: a\n  scout_room: r\nwatch:\n  type: http\n  url: http://x/\n";
  const r = (text: string) => {
    const result = loadConfig(text, { kinds: BUILTIN_SCOUTS });
    assert.equal(result.ok, false, text);
    return (result as { problems: Parameters<typeof formatProblem>[0][] }).problems.map(
      formatProblem,
    );
  };
  assert.deepEqual(r(`${base}emission:\n  batch_size: 2.5\n`), [
    "emission.batch_size (line 8): expected a whole number, got 2.5",
  ]);
  assert.deepEqual(r(`${base}  max_body_bytes: 1.5\n`), [
    "watch.max_body_bytes (line 7): expected a whole number, got 1.5",
  ]);
  assert.deepEqual(r(`${base}  headers: [a]\n`), [
    "watch.headers (line 7): expected a mapping, got a list",
  ]);
  assert.deepEqual(r(base.replace("name: a", "name: ''")), [
    "scout.name (line 2): must not be empty",
  ]);
  assert.deepEqual(
    r(base.replace("type: http\n  url: http://x/", "type: log\n  file: x\n  pattern: ''")),
    [
      "watch.pattern (line 7): must not be empty",
    ],
  );
  assert.deepEqual(r("null\n"), ["(root) (line 1): expected a mapping, got null"]);
  assert.deepEqual(r("# nothing\n"), ["(root): the file is empty"]);
  assert.deepEqual(r(`${base}state_dir: '  '\n`), ["state_dir (line 7): must not be blank"]);
});

Deno.test("a number given ${VAR} takes it as its whole value only, as the JSON Schema says", () => {
  const text = "scout:\n  name: a\n  scout_room: r\n  poll_interval: ${POLL}0\n" +
    "watch:\n  type: probe\n  url: http://x/\n  timeout: '1${X}'\n";
  assert.deepEqual(errors(text, { POLL: "3", X: "0" }), [
    "scout.poll_interval (line 4): expected a number, got the value of '${POLL}0'",
    "watch.timeout (line 8): expected a number, got the value of '1${X}'",
  ]);
  const whole = loadConfig(text.replace("${POLL}0", " ${POLL} ").replace("'1${X}'", "${X:-4}"), {
    kinds,
    env: (n) => ({ POLL: "30" })[n],
  });
  assert.ok(whole.ok, JSON.stringify(!whole.ok && whole.problems));
  assert.equal(whole.config.scouts[0].pollInterval, 30);
  assert.equal(whole.config.scouts[0].watch.timeout, 4);
});

Deno.test("the JSON Schema asks what validate asks of the top level, state_dir and a trimmed name's length", () => {
  // deno-lint-ignore no-explicit-any -- JSON Schema is read as loose JSON
  const schema = configJsonSchema(BUILTIN_SCOUTS) as any;
  assert.deepEqual(schema.anyOf, [
    { required: ["scout", "watch"] },
    { required: ["scouts"], properties: { scouts: { minItems: 1 } } },
  ]);
  assert.deepEqual(schema.dependentRequired, { scout: ["watch"], watch: ["scout"] });
  assert.equal(schema.properties.state_dir.anyOf[0].minLength, 1);
  const name = schema.properties.scout.properties.name.anyOf[0];
  assert.equal(name.maxLength, undefined);
  const pattern = new RegExp(name.pattern);
  assert.ok(pattern.test(`  ${"a".repeat(128)}  `));
  assert.ok(!pattern.test("a".repeat(129)));
  assert.ok(!pattern.test("   "));
  // validate agrees on each.
  const ok = (value: unknown) => validateConfig(value, { kinds: BUILTIN_SCOUTS }).ok;
  const scout = { name: `  ${"a".repeat(128)}  `, scout_room: "r" };
  const watch = { type: "http", url: "http://x/" };
  assert.ok(ok({ scout, watch }));
  for (const bad of [{}, { scout }, { watch }, { scouts: [] }, { scout, watch, state_dir: "" }]) {
    assert.ok(!ok(bad), JSON.stringify(bad));
  }
});
