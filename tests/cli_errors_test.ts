/**
 * Every mistake a user can make on the command line or in scout.yaml ends in
 * one line naming the problem and exit code 2, never a stack trace.
 */
import assert from "node:assert/strict";
import { CLI, runCli } from "./_support/cli.ts";

const dir = await Deno.makeTempDir({ prefix: "plato-cli-errors-" });
// Shared by every case below; removed when the module's tests are done.
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const file = (name: string, text: string) => {
  Deno.writeTextFileSync(`${dir}/${name}`, text);
  return `${dir}/${name}`;
};
const bytesFile = (name: string, bytes: Uint8Array) => {
  Deno.writeFileSync(`${dir}/${name}`, bytes);
  return `${dir}/${name}`;
};
// A state directory whose scout.db is not a database (a disk error, a stray copy).
const damaged = `${dir}/state-damaged`;
Deno.mkdirSync(damaged);
Deno.writeFileSync(`${damaged}/scout.db`, new TextEncoder().encode("not sqlite ".repeat(1000)));

const GOOD = `scout:
  name: e2e
  scout_room: test/room
  poll_interval: 30
watch:
  type: log
  file: /tmp/app.log
`;

const cases: Array<[string, string[], string, Record<string, string>?]> = [
  ["an unknown flag", ["--bogus"], "run: unknown flag '--bogus'"],
  ["a flag without its value", ["--watch-url"], "run: flag '--watch-url' needs a value"],
  ["an unknown command", ["frobnicate"], "Unknown command 'frobnicate' (see 'plato-scout --help')"],
  [
    "a watch URL that is not a URL",
    ["--watch-url", "http//no-colon"],
    "run: '--watch-url' is not a valid URL: 'http//no-colon'",
  ],
  [
    "a watch URL that is not http",
    ["--watch-url", "ftp://x/y"],
    "run: '--watch-url' must be an http or https URL, got 'ftp://x/y'",
  ],
  [
    "a watch URL that is not http, with a token in its query",
    ["--watch-url", "ftp://u:p@x/y?token=abc123&x=1"],
    "run: '--watch-url' must be an http or https URL, got 'ftp://***@x/y?token=***&x=1'",
  ],
  [
    "a zero interval",
    ["--watch-file", "a.log", "--interval", "0"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got '0'",
  ],
  [
    "an interval that would hammer the target",
    ["--watch-url", "http://127.0.0.1:9/", "--interval", "0.001", "--once", "--stdout"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got '0.001'",
  ],
  [
    "an interval longer than a day",
    ["--watch-url", "http://127.0.0.1:9/", "--interval", "86401", "--once", "--stdout"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got '86401'",
  ],
  [
    "a flag given twice",
    [
      "--watch-url",
      "http://127.0.0.1:9/",
      "--interval",
      "5",
      "--interval=10",
      "--once",
      "--stdout",
    ],
    "run: flag '--interval' is given more than once",
  ],
  [
    "a scout command's flag given twice",
    [
      "http",
      "--url",
      "http://127.0.0.1:9/a",
      "--room",
      "r",
      "--url",
      "http://127.0.0.1:9/b",
      "--once",
      "--stdout",
    ],
    "http: flag '--url' is given more than once",
  ],
  [
    "an interval that is not a number",
    ["--watch-file", "a.log", "--interval", "often"],
    "run: '--interval' must be a number of seconds from 0.1 to 86400, got 'often'",
  ],
  [
    "a negative deadline",
    ["--watch-file", "a.log", "--deadline=-1"],
    "run: '--deadline' must be a number greater than 0, got '-1'",
  ],
  [
    "a value that looks like a flag",
    ["--watch-file", "a.log", "--deadline", "-1"],
    "run: flag '--deadline' needs a value (write --deadline=-1 for a value that starts with '-')",
  ],
  [
    "a PLATO URL that is not http",
    ["--watch-file", "a.log", "--plato-url", "plato:8847"],
    "run: '--plato-url' must be an http or https URL, got 'plato:8847'",
  ],
  [
    "both a URL and a file",
    ["--watch-url", "http://x/", "--watch-file", "a.log"],
    "run: give either '--watch-url' or '--watch-file', not both",
  ],
  [
    "nothing to watch",
    ["--name", "x"],
    "run: nothing to watch: give '--watch-url', '--watch-file' or '--config'",
  ],
  [
    "a pattern without a file",
    ["--watch-url", "http://x/", "--pattern", "ERROR"],
    "run: '--pattern' goes with '--watch-file'",
  ],
  [
    "an invalid pattern",
    ["--watch-file", "a.log", "--pattern", "(unclosed"],
    "run: '--pattern': Cannot compile pattern '(unclosed': ",
  ],
  [
    "a scout name with spaces",
    ["--watch-file", "a.log", "--name", "my scout"],
    "run: '--name': may only contain ASCII letters, digits, '.', '_' and '-'",
  ],
  [
    "a config combined with watch flags",
    ["--config", "x.yaml", "--watch-file", "a.log"],
    "run: '--watch-file' cannot be combined with '--config'",
  ],
  [
    "a config file that does not exist",
    ["--config", `${dir}/missing.yaml`],
    `Cannot read config '${dir}/missing.yaml': no such file`,
  ],
  [
    "a config path that is a folder",
    ["--config", dir],
    `Cannot read config '${dir}': is a directory`,
  ],
  ["a config with a negative poll interval", [
    "--config",
    file("neg.yaml", GOOD.replace("poll_interval: 30", "poll_interval: -5")),
  ], `${dir}/neg.yaml: scout.poll_interval (line 4): expected a number at least 0.1, got -5`],
  [
    "a config with a misspelt key",
    [
      "--config",
      file("typo.yaml", GOOD.replace("scout_room", "scout_rom")),
    ],
    `${dir}/typo.yaml: scout.scout_rom (line 3): unknown key (did you mean 'scout_room'?) (and 1 more: run 'plato-scout validate ${dir}/typo.yaml')`,
  ],
  [
    "a config with a misspelt watch type key",
    ["--config", file("tpye.yaml", GOOD.replace("  type: log", "  tpye: log"))],
    `${dir}/tpye.yaml: watch.tpye (line 6): unknown key (did you mean 'type'?) (and 1 more: run 'plato-scout validate ${dir}/tpye.yaml')`,
  ],
  [
    "a config with a null key",
    ["validate", file("nullkey.yaml", GOOD.replace("  name: e2e\n", "  name: e2e\n  ~: 1\n"))],
    `${dir}/nullkey.yaml: scout.'' (line 3): unknown key`,
  ],
  [
    "a config with a batch size that is not whole",
    ["validate", file("batch-frac.yaml", `${GOOD}emission:\n  batch_size: 2.5\n`)],
    `${dir}/batch-frac.yaml: emission.batch_size (line 9): expected a whole number, got 2.5`,
  ],
  [
    "a config with broken YAML",
    ["--config", file("broken.yaml", "scout: [a,\n")],
    `${dir}/broken.yaml: (yaml) (line `,
  ],
  ["a config with an unknown scout type", [
    "--config",
    file("ftp.yaml", GOOD.replace("type: log", "type: ftp")),
  ], `${dir}/ftp.yaml: watch.type (line 6): unknown scout type 'ftp'`],
  ["a config naming an unset variable", [
    "--config",
    file("env.yaml", GOOD.replace("/tmp/app.log", "${APP_LOG}")),
  ], `${dir}/env.yaml: watch.file (line 7): environment variable 'APP_LOG' is not set`],
  [
    "an empty config",
    ["--config", file("empty.yaml", "")],
    `${dir}/empty.yaml: (root): the file is empty`,
  ],
  ["a batch size over the limit", [
    "--config",
    file("batch.yaml", GOOD + "emission:\n  batch_size: 0\n"),
  ], `${dir}/batch.yaml: emission.batch_size (line 9): expected a number at least 1, got 0`],
  ["the log scout without a file", ["log", "--room", "r"], "log: '--file' is required"],
  [
    "a log scout starting neither at the end nor the beginning",
    ["log", "--file", "a.log", "--read-from", "middle"],
    "log: '--read-from': expected one of end, beginning, got 'middle'",
  ],
  [
    "an accepted status that is no status",
    ["http", "--url", "http://x/", "--expect-status", "200,99x"],
    "http: '--expect-status' (item 2): Cannot parse status '99x'",
  ],
  [
    "a room with a '..' part (written, then unreadable: the URL resolved it away)",
    ["http", "--url", "http://x/", "--room", "team/../x"],
    "http: '--room': its '/'-separated parts cannot be '.' or '..' (a URL would drop them)",
  ],
  [
    "read of a room with a '..' part (it would read another room)",
    ["read", "audit/zzz/../sd", "--plato-url", "http://127.0.0.1:9"],
    "read: room 'audit/zzz/../sd': its '/'-separated parts cannot be '.' or '..' (a URL would drop them)",
  ],
  [
    "a blank room",
    ["http", "--url", "http://x/", "--room", " "],
    "http: '--room' must not be empty",
  ],
  [
    "an empty state directory (the dry run too, which only reads it)",
    ["http", "--url", "http://127.0.0.1:1/", "--once", "--stdout", "--state-dir", " "],
    "http: '--state-dir' must not be empty",
  ],
  [
    "the Keeper scout with a bad URL",
    ["keeper", "--url", "nope"],
    "keeper: '--url' is not a valid URL: 'nope'",
  ],
  [
    "a config that is not UTF-8",
    ["--config", bytesFile("latin1.yaml", new Uint8Array([0x61, 0x3a, 0x20, 0xe9, 0x0a]))],
    `Cannot read config '${dir}/latin1.yaml': not UTF-8 text (line 1)`,
  ],
  [
    "a config on its third line not UTF-8",
    [
      "validate",
      bytesFile(
        "latin3.yaml",
        new TextEncoder().encode("a: 1\n# \u00e9t\u00e9\nb: \u00ff").map((b, i, all) =>
          i === all.length - 1 ? 0xff : b
        ),
      ),
    ],
    `Cannot read config '${dir}/latin3.yaml': not UTF-8 text (line 3)`,
  ],
  [
    "a log level it does not know",
    ["--watch-file", "a.log", "--stdout", "--once"],
    "SCOUT_LOG_LEVEL must be one of debug, info, warn, warning, error, critical, fatal, silent, off, none, got 'loud'",
    { SCOUT_LOG_LEVEL: "loud" },
  ],
  [
    "an assertion value without the JSON path it checks",
    ["http", "--url", "http://x/", "--json-equals", "3"],
    "http: '--json-equals': needs '--json-path'",
  ],
  [
    "a state directory whose name holds a line break, under a file",
    ["--watch-file", "a.log", "--once", "--state-dir", "/dev/null/a\nb"],
    "Cannot use the state directory '/dev/null/a\\nb' (--state-dir): Not a directory (os error 20): mkdir '/dev/null/a\\nb'",
  ],
  [
    "a config's state_dir under a file: the message names state_dir, not a flag not given",
    ["--config", file("statedir.yaml", `${GOOD}state_dir: /dev/null/s\n`), "--once"],
    "Cannot use the state directory '/dev/null/s' (state_dir): Not a directory (os error 20): mkdir '/dev/null/s'",
  ],
  [
    "a value with a line break (the message stayed one line)",
    ["--config", file("newline.yaml", GOOD.replace("poll_interval: 30", 'poll_interval: "3\\n0"'))],
    `${dir}/newline.yaml: scout.poll_interval (line 4): expected a number, got '3\\n0'`,
  ],
  [
    "an endless device as the config (it read until memory ran out)",
    ["validate", "/dev/zero"],
    "Cannot read config '/dev/zero': larger than 1 MiB",
  ],
  [
    "a config with an alias that has no anchor",
    ["--config", file("alias.yaml", GOOD.replace("test/room", "*room"))],
    `${dir}/alias.yaml: (yaml) (line 3): alias '*room' has no anchor '&room' before it`,
  ],
  [
    "a config with an alias inside its own anchor (the stack overflowed, exit 1)",
    ["--config", file("cycle.yaml", GOOD.replace("file: /tmp/app.log", "file: &f [*f]"))],
    `${dir}/cycle.yaml: (yaml) (line 7): alias '*f' is inside its own anchor '&f': the value would contain itself`,
  ],
  [
    "a config whose number comes from a variable that is not a number",
    ["--config", file("envnum.yaml", GOOD.replace("poll_interval: 30", "poll_interval: ${EVERY}"))],
    `${dir}/envnum.yaml: scout.poll_interval (line 4): expected a number, got the value of '\${EVERY}'`,
    { EVERY: "often" },
  ],
  [
    "a config with a cron that is no schedule",
    ["--config", file("cron.yaml", GOOD.replace("poll_interval: 30", "cron: every tuesday"))],
    `${dir}/cron.yaml: scout.cron (line 4): expected a cron expression of 5 fields`,
  ],
  [
    "a state directory whose state file is damaged",
    ["--watch-file", "a.log", "--once", "--state-dir", damaged],
    `Cannot use the state directory '${damaged}' (--state-dir): file is not a database: scout.db is damaged; move it aside to start with an empty outbox`,
  ],
  ["validate without a file", ["validate"], "validate: missing the config file to check"],
  [
    "validate -- --help (after '--' it is a file name, not help)",
    ["validate", "--", "--help"],
    "Cannot read config '--help': no such file",
  ],
  [
    "run -- -h (after '--' it is an argument)",
    ["run", "--", "-h"],
    "run: unexpected argument '-h'",
  ],
  ["schema with an argument", ["schema", "extra"], "schema: unexpected argument 'extra'"],
  [
    "a metrics port that is not a port",
    ["--watch-file", "a.log", "--stdout", "--once"],
    "SCOUT_METRICS_PORT must be a port number (0-65535) or HOST:PORT, got 'abc'",
    { SCOUT_METRICS_PORT: "abc" },
  ],
  [
    "a metrics address whose port is out of range",
    ["--watch-file", "a.log", "--stdout", "--once"],
    "SCOUT_METRICS_PORT must be a port number (0-65535) or HOST:PORT, got '127.0.0.1:70000'",
    { SCOUT_METRICS_PORT: "127.0.0.1:70000" },
  ],
  [
    "a deadline past what a timer can wait (it crashed after the cycle)",
    ["http", "--url", "http://x/", "--once", "--stdout", "--deadline", "1e13"],
    "http: '--deadline' must be at most 86400 seconds, got '1e13'",
  ],
  [
    "a PLATO URL with a query (every endpoint would be a 404)",
    ["http", "--url", "http://x/", "--plato-url", "http://plato.example/?v=1", "--once"],
    "http: '--plato-url' must be the server's base URL, without '?' or '#', got 'http://plato.example/?v=1'",
  ],
  [
    "a URL without '//' (it was read as http://host, which scout.yaml refuses)",
    ["http", "--url", "http:127.0.0.1:18081/", "--once"],
    "http: '--url' must start with http:// or https://, got 'http:127.0.0.1:18081/'",
  ],
  [
    "a PLATO URL without '//'",
    ["holodeck", "--plato-url", "http:127.0.0.1:1", "--once"],
    "holodeck: '--plato-url' must start with http:// or https://, got 'http:127.0.0.1:1'",
  ],
  [
    "a PLATO_URL with a fragment",
    ["--watch-file", "a.log", "--once"],
    "PLATO_URL must be the server's base URL, without '?' or '#', got 'http://plato.example/#x'",
    { PLATO_URL: "http://plato.example/#x" },
  ],
  [
    "read --follow from a PLATO_URL that is no URL (it retried forever)",
    ["read", "room", "--follow"],
    "PLATO_URL is not a valid URL: 'garbage'",
    { PLATO_URL: "garbage" },
  ],
  [
    "read from a --plato-url that is not http",
    ["read", "room", "--plato-url", "ftp://u:pw@plato.example/"],
    "read: '--plato-url' must be an http or https URL, got 'ftp://***@plato.example/'",
  ],
  [
    "a plato_url with a query in scout.yaml",
    [
      "validate",
      file(
        "platoq.yaml",
        GOOD.replace(
          "  poll_interval: 30\n",
          "  poll_interval: 30\n  plato_url: http://plato.example/?v=1\n",
        ),
      ),
    ],
    `${dir}/platoq.yaml: scout.plato_url (line 5): must be the server's base URL, without '?' or '#'`,
  ],
  [
    "headers written as a YAML !!omap (they would be dropped)",
    [
      "validate",
      file(
        "omap.yaml",
        "scout: {name: om, scout_room: r}\nwatch:\n  type: http\n  url: http://127.0.0.1:1/\n" +
          "  headers: !!omap\n    - X-Api-Key: abc123secretvalue\n",
      ),
    ],
    `${dir}/omap.yaml: watch.headers (line 5): tag !!omap is not supported here: write a plain mapping, list, text, number or boolean`,
  ],
];

for (const [what, args, expected, env] of cases) {
  Deno.test(`the CLI answers ${what} with one line and exit code 2`, async () => {
    const r = await runCli(args, { env, cwd: dir });
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(r.code, 2, r.stderr);
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.ok(
      lines[0].startsWith(`plato-scout: ${expected}`),
      `got: ${lines[0]}\nwanted: plato-scout: ${expected}`,
    );
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(r.stdout, "");
  });
}

Deno.test("validate lists every problem of a config in file order, the watch section's too, and exits 2", async () => {
  const path = file(
    "many.yaml",
    "scout:\n  name: a b\n  scout_room: ''\n  poll_interval: 0\nwatch:\n  type: http\n  url: ftp://x/\n",
  );
  const r = await runCli(["validate", path]);
  assert.equal(r.code, 2);
  assert.deepEqual(
    r.stderr.trimEnd().split("\n"),
    [
      `plato-scout: ${path}: scout.name (line 2): may only contain ASCII letters, digits, '.', '_' and '-'`,
      `plato-scout: ${path}: scout.scout_room (line 3): must not be empty`,
      `plato-scout: ${path}: scout.poll_interval (line 4): expected a number at least 0.1, got 0`,
      `plato-scout: ${path}: watch.url (line 7): expected an http or https URL`,
    ],
  );
});

Deno.test("validate lists every problem when a variable is unset, naming the variable once", async () => {
  const path = file(
    "unset.yaml",
    "scout:\n  name: x\n  scout_room: r\n  poll_interval: ${UNSET_P}\n" +
      "watch:\n  type: http\n  url: ftp://x\n  timeout: -1\n",
  );
  const r = await runCli(["validate", path]);
  assert.equal(r.code, 2);
  assert.deepEqual(r.stderr.trimEnd().split("\n"), [
    `plato-scout: ${path}: scout.poll_interval (line 4): environment variable 'UNSET_P' is not set`,
    `plato-scout: ${path}: watch.url (line 7): expected an http or https URL`,
    `plato-scout: ${path}: watch.timeout (line 8): expected a number greater than 0, got -1`,
  ]);
});

Deno.test("validate accepts a good config and says what it would run", async () => {
  const r = await runCli(["validate", file("good.yaml", GOOD)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "ok: e2e (log) every 30s → test/room\n");
});

Deno.test("schema prints a JSON Schema that knows every built-in scout type", async () => {
  const r = await runCli(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  const text = JSON.stringify(schema);
  for (const type of ["log", "keeper"]) assert.ok(text.includes(`"const":"${type}"`), type);
  assert.ok(schema.properties.scout.properties.poll_interval);
});

Deno.test("--version and --help answer on stdout with exit code 0", async () => {
  const v = await runCli(["--version"]);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^plato-scout \d+\.\d+\.\d+\n$/);
  const h = await runCli(["log", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--pattern/);
});

Deno.test("--help and --version after run flags answer instead of starting a run", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "plato-cli-help-" });
  try {
    for (const args of [["--watch-url", "http://127.0.0.1:9/", "--help"], ["--once", "-h"]]) {
      const r = await runCli(args, { cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: plato-scout \[run\] /);
      assert.equal(r.stderr, "");
    }
    for (const args of [["--once", "--version"], ["http", "--url", "http://127.0.0.1:9/", "-V"]]) {
      const v = await runCli(args, { cwd });
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stdout, /^plato-scout \d+\.\d+\.\d+\n$/);
    }
    // Nothing ran: no state directory was made.
    assert.deepEqual([...Deno.readDirSync(cwd)], []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("each scout command's help keeps a space between every flag and its text", async () => {
  for (const kind of ["http", "log", "keeper", "holodeck"]) {
    const r = await runCli([kind, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split("\n").filter((l) => l.startsWith("  --"))) {
      // 'VALUEAccepted statuses' was a value name run into its text.
      assert.doesNotMatch(line, /[A-Z]{2,}[a-z]/, line);
    }
  }
});

Deno.test("a state directory that cannot hold state, or a metrics port in use, is one line naming it and exit 2", async () => {
  const notDir = file("not-a-dir", "a file");
  const state = await runCli(["--watch-file", "a.log", "--once", "--state-dir", notDir], {
    cwd: dir,
  });
  assert.equal(state.code, 2, state.stderr);
  assert.match(
    state.stderr,
    new RegExp(
      `^plato-scout: Cannot use the state directory '${notDir}' \\(--state-dir\\): .+\\n$`,
    ),
  );
  const blocker = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (blocker.addr as Deno.NetAddr).port;
  try {
    const metrics = await runCli(
      ["--watch-file", "a.log", "--once", "--state-dir", `${dir}/state-metrics`],
      { cwd: dir, env: { SCOUT_METRICS_PORT: String(port) } },
    );
    assert.equal(metrics.code, 2, metrics.stderr);
    assert.match(
      metrics.stderr,
      new RegExp(`^plato-scout: Cannot serve metrics on SCOUT_METRICS_PORT ${port}: .+\\n$`),
    );
  } finally {
    blocker.close();
  }
});

Deno.test("a second process on a state directory in use stops at once with one line; the first keeps it", async () => {
  const state = `${dir}/state-shared`;
  const log = file("shared.log", "");
  const first = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, "log", "--file", log, "--room", "r/shared"].concat(
      ["--interval", "3600", "--state-dir", state, "--plato-url", "http://127.0.0.1:9"],
    ),
    env: { NO_COLOR: "1", SCOUT_LOG_LEVEL: "info", SCOUT_METRICS_PORT: "", PLATO_API_KEY: "" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = first.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    while (!/1 scout\(s\)/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the first scout ended early:\n${seen}`);
      seen += value;
    }
    const second = await runCli(["log", "--file", log, "--room", "r/shared", "--once"].concat(
      ["--state-dir", state, "--plato-url", "http://127.0.0.1:9"],
    ));
    assert.equal(second.code, 2, second.stderr);
    assert.equal(
      second.stderr,
      `plato-scout: Cannot use the state directory '${state}' (--state-dir): another plato-scout process is using it\n`,
    );
  } finally {
    first.kill("SIGKILL");
    await first.status;
    await reader.cancel();
  }
});
