import assert from "node:assert/strict";
import { z } from "zod";
import { formatProblem } from "../lib/config/issues.ts";
import { loadConfig, validateConfig } from "../lib/config/load.ts";
import { configJsonSchema } from "../lib/config/schema.ts";
import { interpolateEnv } from "../lib/config/interpolate.ts";
import { Scout } from "../mod.ts";
import type { ScoutKind } from "../lib/scout_kind.ts";

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
    "scout.poll_interval (line 6): expected a number greater than 0, got -5",
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
    "scout.poll_intervl (line 6): unknown key",
  ]);
  assert.deepEqual(errors(GOOD.replace("type: probe", "type: ftp")), [
    "watch.type (line 9): unknown scout type 'ftp' (expected one of probe)",
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
  assert.match(errors("scout:\n  name: a\n  name: b\n")[0], /\(line 3\): Map keys must be unique/);
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
