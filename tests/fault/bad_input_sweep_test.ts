/**
 * Fault: a sweep of bad input of four kinds — scout.yaml configs, command-line
 * flags and environment, raw server requests, and malformed tiles — each
 * answered with a clear error, and nothing stored that should not be.
 *
 * The CLI cases run the real CLI (`--once`, pointed at a real `plato-scout
 * serve`, so a case that wrongly ran would store tiles): each must exit 2 with
 * exactly one stderr line `plato-scout: <message>` and no stack trace. The
 * request and tile cases hit two real servers (`--gate fleet` and the default
 * schema gate) and check the status and error text. After the sweep, both
 * servers' rooms and tile counts are what they were before it. None of these
 * cases repeats one of tests/cli_errors_test.ts or the server tests exactly.
 *
 * A bad `PLATO_URL` once made the CLI run and retry against it instead of
 * exiting 2; its own test below guards the fix.
 */
import assert from "node:assert/strict";
import { type ServeProc, spawnCli, spawnServe } from "./_harness.ts";

const dir = await Deno.makeTempDir({ prefix: "fault-bad-input-" });
const yaml = (name: string, text: string) => {
  Deno.writeTextFileSync(`${dir}/${name}.yaml`, text);
  return `${dir}/${name}.yaml`;
};
const LOG = `${dir}/app.log`;
Deno.writeTextFileSync(LOG, "");
const HEAD = "scout:\n  name: sweep\n  scout_room: fault/sweep\n";
const GOOD = `${HEAD}  poll_interval: 30\nwatch:\n  type: log\n  file: ${LOG}\n`;
const HTTP = `${HEAD}watch:\n  type: http\n  url: http://127.0.0.1:1/\n`;

/** A CLI case: args, the message expected after `plato-scout: `, and extra env. */
type CliCase = [what: string, args: string[], message: string, env?: Record<string, string>];

const configCases: CliCase[] = [
  [
    "a poll interval that is a word",
    ["--config", yaml("c1", GOOD.replace("30", "fast"))],
    `${dir}/c1.yaml: scout.poll_interval (line 4): expected a number, got 'fast'`,
  ],
  [
    "a poll interval of zero",
    ["--config", yaml("c2", GOOD.replace("30", "0"))],
    `${dir}/c2.yaml: scout.poll_interval (line 4): expected a number at least 0.1, got 0`,
  ],
  [
    "a poll interval over a day",
    ["--config", yaml("c3", GOOD.replace("30", "100000"))],
    `${dir}/c3.yaml: scout.poll_interval (line 4): expected a number at most 86400, got 100000`,
  ],
  [
    "a plato_url that is not http",
    [
      "--config",
      yaml("c4", GOOD.replace("  poll_interval", "  plato_url: ftp://x/\n  poll_interval")),
    ],
    `${dir}/c4.yaml: scout.plato_url (line 4): expected an http or https URL`,
  ],
  [
    "a config with no watch section",
    ["--config", yaml("c5", HEAD)],
    `${dir}/c5.yaml: watch (line 1): is required`,
  ],
  [
    "an http watch without a url",
    ["--config", yaml("c6", `${HEAD}watch:\n  type: http\n`)],
    `${dir}/c6.yaml: watch.url (line 4): is required`,
  ],
  [
    "an http watch of a file: URL",
    ["--config", yaml("c7", HTTP.replace("http://127.0.0.1:1/", "file:///etc/passwd"))],
    `${dir}/c7.yaml: watch.url (line 6): expected an http or https URL`,
  ],
  [
    "an http timeout over five minutes",
    ["--config", yaml("c8", HTTP + "  timeout: 1000\n")],
    `${dir}/c8.yaml: watch.timeout (line 7): expected a number at most 300, got 1000`,
  ],
  [
    "an unknown http method",
    ["--config", yaml("c9", HTTP + "  method: FETCH\n")],
    `${dir}/c9.yaml: watch.method (line 7): expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got 'FETCH'`,
  ],
  [
    "a log pattern that does not compile",
    ["--config", yaml("c10", GOOD + '  pattern: "("\n')],
    `${dir}/c10.yaml: watch.pattern (line 8): Cannot compile pattern '(': Invalid regular expression: /(/m: Unterminated group`,
  ],
  [
    "a log line cap below 16",
    ["--config", yaml("c11", GOOD + "  max_line_length: 1\n")],
    `${dir}/c11.yaml: watch.max_line_length (line 8): expected a number at least 16, got 1`,
  ],
  [
    "a delivery concurrency over 6",
    ["--config", yaml("c12", GOOD + "emission:\n  concurrency: 7\n")],
    `${dir}/c12.yaml: emission.concurrency (line 9): expected a number at most 6, got 7`,
  ],
  [
    "an unknown gate policy",
    ["--config", yaml("c13", GOOD + "emission:\n  gate: strict\n")],
    `${dir}/c13.yaml: emission.gate (line 9): expected one of warn, refuse, off, got 'strict'`,
  ],
  [
    "a negative flush interval",
    ["--config", yaml("c14", GOOD + "emission:\n  min_interval_seconds: -1\n")],
    `${dir}/c14.yaml: emission.min_interval_seconds (line 9): expected a number at least 0, got -1`,
  ],
  [
    "an empty scouts list",
    ["--config", yaml("c15", "scouts: []\n")],
    `${dir}/c15.yaml: (root) (line 1): no scout configured: add 'scout:' and 'watch:', or a 'scouts:' list`,
  ],
  [
    "an unknown top-level key",
    ["--config", yaml("c16", GOOD + "extra: 1\n")],
    `${dir}/c16.yaml: extra (line 8): unknown key`,
  ],
  [
    "a key given twice",
    ["--config", yaml("c17", GOOD + "scout:\n  name: again\n")],
    `${dir}/c17.yaml: (yaml) (line 8): duplicate key 'scout' (first on line 1)`,
  ],
  [
    "a config that is a list",
    ["--config", yaml("c18", "[1, 2]\n")],
    `${dir}/c18.yaml: (root) (line 1): expected a mapping, got a list`,
  ],
  [
    "a Keeper watch with a bad URL",
    ["--config", yaml("c19", `${HEAD}watch:\n  type: keeper\n  url: nope\n`)],
    `${dir}/c19.yaml: watch.url (line 6): expected an http or https URL`,
  ],
  [
    "two scouts with one name",
    [
      "--config",
      yaml(
        "c20",
        `scouts:\n  - scout: { name: a, scout_room: r/a }\n    watch: { type: log, file: ${LOG} }\n` +
          `  - scout: { name: a, scout_room: r/b }\n    watch: { type: log, file: ${LOG} }\n`,
      ),
    ],
    `${dir}/c20.yaml: scouts[1].scout.name (line 4): duplicate scout name 'a'`,
  ],
  [
    "an http header name with a space",
    ["--config", yaml("c21", HTTP + '  headers:\n    "Bad Header": x\n')],
    `${dir}/c21.yaml: watch.headers.Bad Header (line 8): not a valid HTTP header`,
  ],
  [
    "a variable whose default is empty",
    ["--config", yaml("c22", GOOD.replace(LOG, "${SWEEP_UNSET_LOG:-}"))],
    `${dir}/c22.yaml: watch.file (line 7): must not be empty`,
  ],
  [
    "tab indentation",
    ["--config", yaml("c23", "\tscout: x\n")],
    `${dir}/c23.yaml: (yaml) (line 1): Tabs are not allowed as indentation`,
  ],
  [
    "an empty room name",
    ["--config", yaml("c24", GOOD.replace("fault/sweep", '""'))],
    `${dir}/c24.yaml: scout.scout_room (line 3): must not be empty`,
  ],
  [
    "an expected status out of range",
    ["--config", yaml("c25", HTTP + "  expect_status: [999]\n")],
    `${dir}/c25.yaml: watch.expect_status[0] (line 7): Cannot parse status '999': codes must be within 100-599`,
  ],
];

const U = "http://127.0.0.1:1/";
const flagCases: CliCase[] = [
  [
    "an infinite interval",
    ["--watch-file", LOG, "--interval", "Infinity"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got 'Infinity'",
  ],
  [
    "an interval that overflows",
    ["--watch-file", LOG, "--interval", "1e999"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got '1e999'",
  ],
  [
    "a URL with no host",
    ["--watch-url", "http://"],
    "run: '--watch-url' is not a valid URL: 'http://'",
  ],
  ["an empty URL", ["--watch-url", ""], "run: '--watch-url' is not a valid URL: ''"],
  ["an empty file name", ["--watch-file", ""], "run: '--watch-file' must not be empty"],
  [
    "the http scout on ftp",
    ["http", "--url", "ftp://x/", "--room", "r"],
    "http: '--url' must be an http or https URL, got 'ftp://x/'",
  ],
  ["the http scout without a URL", ["http", "--room", "r"], "http: '--url' is required"],
  [
    "an http timeout of zero",
    ["http", "--url", U, "--room", "r", "--timeout", "0"],
    "http: '--timeout' must be a number greater than 0, got '0'",
  ],
  [
    "an expected status of 999",
    ["http", "--url", U, "--room", "r", "--expect-status", "999"],
    "http: '--expect-status' (item 1): Cannot parse status '999': codes must be within 100-599",
  ],
  [
    "a JSON path flag without its value",
    ["http", "--url", U, "--room", "r", "--json-path"],
    "http: flag '--json-path' needs a value (write --json-path=-1 for a value that starts with '-')",
  ],
  [
    "an unknown http method flag",
    ["http", "--url", U, "--room", "r", "--method", "FETCH"],
    "http: '--method': expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got 'FETCH'",
  ],
  [
    "an empty room flag",
    ["http", "--url", U, "--room", ""],
    "http: '--room' must not be empty",
  ],
  [
    "a log pattern with an open class",
    ["log", "--file", LOG, "--pattern", "["],
    "log: '--pattern': Cannot compile pattern '[': Invalid regular expression: /[/m: Unterminated character class",
  ],
  [
    "a log interval over a day",
    ["log", "--file", LOG, "--room", "r", "--interval", "100000"],
    "log: '--interval' must be a number of seconds from 0.1 to 86400, got '100000'",
  ],
  [
    "a deadline that is a word",
    ["--watch-file", LOG, "--deadline", "abc"],
    "run: '--deadline' must be a number greater than 0, got 'abc'",
  ],
  [
    "a javascript: PLATO URL",
    ["--watch-file", LOG, "--plato-url", "javascript:alert(1)"],
    "run: '--plato-url' must be an http or https URL, got 'javascript:alert(1)'",
  ],
  ["an unknown short flag", ["-x"], "run: unknown flag '-x'"],
  [
    "a value given to a boolean flag",
    ["--watch-file", LOG, "--once=yes"],
    "run: flag '--once' does not take a value",
  ],
  [
    "the Keeper scout on ftp",
    ["keeper", "--url", "ftp://x", "--room", "r"],
    "keeper: '--url' must be an http or https URL, got 'ftp://x'",
  ],
  [
    "an empty holodeck folder",
    ["holodeck", "--dir", "", "--room", "r"],
    "holodeck: '--dir' must not be empty",
  ],
  [
    "a metrics port over 65535",
    ["--watch-file", LOG],
    "SCOUT_METRICS_PORT must be a port number (0-65535) or HOST:PORT, got '70000'",
    { SCOUT_METRICS_PORT: "70000" },
  ],
  [
    "serve on port 70000",
    ["serve", "--port", "70000"],
    "serve: '--port' must be an integer 0..65535, got '70000'",
  ],
  [
    "serve with an unknown gate",
    ["serve", "--gate", "strict"],
    "serve: '--gate' must be 'schema' or 'fleet', got 'strict'",
  ],
  [
    "serve on all addresses without a key",
    ["serve", "--host", "0.0.0.0"],
    "serve: refusing to listen on '0.0.0.0' without PLATO_API_KEY (set it, or use --host 127.0.0.1)",
  ],
  ["read without a room", ["read"], "read: missing <room> (plato-scout read <room>)"],
  [
    "read with a zero limit",
    ["read", "r", "--limit", "0"],
    "read: '--limit' must be an integer greater than 0, got '0'",
  ],
];

/** A raw request case: method, path, body, expected status and error text. */
type RequestCase = {
  what: string;
  server: "fleet" | "schema";
  method: string;
  path: string;
  body?: string;
  status: number;
  error: RegExp;
};

const tile = (over: Record<string, unknown>) =>
  JSON.stringify({
    id: `sweep-${crypto.randomUUID()}`,
    domain: "fault/sweep",
    question: "[PERIODIC] a sweep tile that should not land",
    answer: "an answer long enough to pass the length rule",
    tags: ["sweep"],
    confidence: 0.5,
    source: "sweep",
    timestamp: "2026-05-19T22:30:00Z",
    ...over,
  });
const withoutField = (field: string) => {
  const t = JSON.parse(tile({}));
  delete t[field];
  return JSON.stringify(t);
};

const requestCases: RequestCase[] = [
  {
    what: "a body that is not JSON",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: "not json",
    status: 400,
    error: /^Invalid JSON$/,
  },
  {
    what: "an empty body",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: "",
    status: 400,
    error: /^Invalid JSON$/,
  },
  {
    what: "a tile that is an array",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: "[]",
    status: 400,
    error: /^Tile must be a JSON object$/,
  },
  {
    what: "a batch whose tiles are not a list",
    server: "fleet",
    method: "POST",
    path: "/submit_batch",
    body: '{"tiles":{}}',
    status: 400,
    error: /^Invalid batch: 'tiles' must be an array$/,
  },
  {
    what: "a truncated batch",
    server: "schema",
    method: "POST",
    path: "/submit_batch",
    body: '{"tiles":[',
    status: 400,
    error: /^Invalid JSON$/,
  },
  {
    what: "a batch of 1,001 tiles",
    server: "schema",
    method: "POST",
    path: "/submit_batch",
    body: JSON.stringify({ tiles: Array.from({ length: 1001 }, () => JSON.parse(tile({}))) }),
    status: 413,
    error: /^Batch too large: 1001 tiles, at most 1000$/,
  },
  {
    what: "a body over 1 MiB",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ answer: "x".repeat(1_100_000) }),
    status: 413,
    error: /^Body too large: over 1048576 bytes$/,
  },
  {
    what: "a limit that is a word",
    server: "schema",
    method: "GET",
    path: "/room/fault/sweep?limit=abc",
    status: 400,
    error: /^Invalid query parameter 'limit'/,
  },
  {
    what: "a negative cursor",
    server: "schema",
    method: "GET",
    path: "/room/fault/sweep?after=-1",
    status: 400,
    error: /^Invalid query parameter 'after'/,
  },
  {
    what: "a since that is not a time",
    server: "fleet",
    method: "GET",
    path: "/room/fault/sweep?since=yesterday",
    status: 400,
    error: /^Invalid query parameter 'since'/,
  },
  {
    what: "a room name with broken percent-encoding",
    server: "schema",
    method: "GET",
    path: "/room/%E0%A4%A",
    status: 400,
    error: /^Invalid room name: bad percent-encoding$/,
  },
];

/** A tile case: one malformed tile POSTed to /submit. */
const tileCases: RequestCase[] = [
  ...(["domain", "question", "answer"] as const).map((field): RequestCase => ({
    what: `a tile without '${field}' (fleet gate)`,
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: withoutField(field),
    status: 403,
    error: new RegExp(field, "i"),
  })),
  {
    what: "an answer shorter than 20 (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ answer: "too short" }),
    status: 403,
    error: /short/i,
  },
  {
    what: "an answer over 5,000 (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ answer: "y".repeat(5001) }),
    status: 403,
    error: /long/i,
  },
  {
    what: "a question under 5 (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ question: "why" }),
    status: 403,
    error: /question/i,
  },
  {
    what: "an absolute word (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ answer: "delivery is guaranteed by this scout" }),
    status: 403,
    error: /guaranteed/i,
  },
  {
    what: "a confidence of 1.5 (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ confidence: 1.5 }),
    status: 403,
    error: /confidence/i,
  },
  {
    what: "an answer that is an object (fleet gate)",
    server: "fleet",
    method: "POST",
    path: "/submit",
    body: tile({ answer: { a: 1 } }),
    status: 403,
    error: /answer/i,
  },
  {
    what: "a tile without a domain (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: withoutField("domain"),
    status: 400,
    error: /'domain'/,
  },
  {
    what: "a confidence that is a word (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: tile({ confidence: "high" }),
    status: 400,
    error: /'confidence'/,
  },
  {
    what: "tags that are not a list (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: tile({ tags: "sweep" }),
    status: 400,
    error: /'tags'/,
  },
  {
    what: "an id of 201 characters (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: tile({ id: "i".repeat(201) }),
    status: 400,
    error: /'id'/,
  },
  {
    what: "an answer that is a number (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: tile({ answer: 12345 }),
    status: 400,
    error: /'answer'/,
  },
  {
    what: "an empty room (schema)",
    server: "schema",
    method: "POST",
    path: "/submit",
    body: tile({ domain: "" }),
    status: 400,
    error: /'domain'/,
  },
];

const BASELINE_ANSWER = "the one tile this sweep stores on purpose, before it starts";

/** Rooms and counts, to compare before and after the sweep. */
async function snapshot(server: ServeProc) {
  const rooms = await (await fetch(`${server.url}/rooms`)).json();
  const status = await (await fetch(`${server.url}/status`)).json();
  const counts = Object.fromEntries(
    Object.entries(rooms as Record<string, { tile_count: number }>).map((
      [k, v],
    ) => [k, v.tile_count]),
  );
  return { counts, total: status.tiles ?? status.tile_count ?? status.total_tiles };
}

async function runCase(c: CliCase, plato: string, state: string): Promise<string | undefined> {
  const [what, args, message, env] = c;
  const proc = spawnCli([
    ...args,
    ...(args[0] === "serve" || args[0] === "read" ? [] : ["--once", "--state-dir", state]),
  ], {
    PLATO_URL: plato,
    ...env,
  });
  const status = await proc.done;
  const out = proc.lines.filter((l) => l !== "");
  const problems: string[] = [];
  if (status.code !== 2) problems.push(`exit ${status.code}`);
  if (out.length !== 1) problems.push(`${out.length} lines`);
  if (out[0] !== `plato-scout: ${message}`) problems.push(`said ${JSON.stringify(out[0])}`);
  if (out.some((l) => /^\s+at /.test(l))) problems.push("stack trace");
  return problems.length ? `${what}: ${problems.join(", ")}\n  ${out.join("\n  ")}` : undefined;
}

/** Run at most `limit` at once (two shared cores). */
async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

Deno.test("a sweep of 78 malformed configs, flags, requests and tiles gets a clear error for each and stores nothing", async () => {
  const fleet = await spawnServe(`${dir}/fleet.db`, { gate: "fleet" });
  const schema = await spawnServe(`${dir}/schema.db`);
  try {
    const servers = { fleet, schema };
    // One tile stored on purpose, so "unchanged" compares a non-empty store.
    for (const s of [fleet, schema]) {
      const r = await fetch(`${s.url}/submit`, {
        method: "POST",
        body: tile({ answer: BASELINE_ANSWER }),
      });
      assert.equal(r.status, 200, await r.text());
    }
    const before = { fleet: await snapshot(fleet), schema: await snapshot(schema) };

    const cli = [...configCases, ...flagCases];
    const cliFailures = await pool(cli, 3, (c, i) => runCase(c, fleet.url, `${dir}/state-${i}`));

    const http = [...requestCases, ...tileCases];
    const httpFailures: string[] = [];
    for (const c of http) {
      const res = await fetch(servers[c.server].url + c.path, { method: c.method, body: c.body });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text);
      } catch { /* reported below */ }
      const error = String(body.error ?? body.reason ?? "");
      if (res.status !== c.status || !c.error.test(error)) {
        httpFailures.push(`${c.what}: ${res.status} ${text.slice(0, 200)}`);
      }
    }
    // A content duplicate of the baseline under a new id (fleet gate).
    const dup = await fetch(`${fleet.url}/submit`, {
      method: "POST",
      body: tile({ answer: BASELINE_ANSWER }),
    });
    const dupBody = await dup.json();
    if (dup.status !== 403 || dupBody.reason !== "Duplicate tile") {
      httpFailures.push(`a content duplicate: ${dup.status} ${JSON.stringify(dupBody)}`);
    }

    const total = cli.length + http.length + 1;
    console.log(
      `bad input sweep: ${total} cases (${configCases.length} configs, ${flagCases.length} flags/env, ` +
        `${requestCases.length} requests, ${tileCases.length + 1} tiles)`,
    );
    assert.ok(total >= 40);
    assert.deepEqual(cliFailures.filter(Boolean), [], "CLI cases");
    assert.deepEqual(httpFailures, [], "request and tile cases");
    const after = { fleet: await snapshot(fleet), schema: await snapshot(schema) };
    assert.deepEqual(after, before, "rooms and tile counts unchanged by the sweep");
    assert.deepEqual(before.fleet.counts, { "fault/sweep": 1 });
  } finally {
    await fleet.kill("SIGTERM");
    await schema.kill("SIGTERM");
  }
});

Deno.test({
  name: "a PLATO_URL that is not an http URL is a one-line usage error with exit 2",
  async fn() {
    const failure = await runCase(
      [
        "a bad PLATO_URL",
        ["--watch-file", LOG, "--deadline", "1"],
        "PLATO_URL is not a valid URL: 'notaurl'",
        {
          PLATO_URL: "notaurl",
        },
      ],
      "notaurl",
      `${dir}/state-plato-url`,
    );
    assert.equal(failure, undefined);
  },
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* gone */ }
});
