/**
 * `configSecrets`: the strings of a resolved config that the CLI's logger
 * must never print (credentials in URLs, secret-looking values), found from
 * a config resolved the way the command line resolves one.
 */
import assert from "node:assert/strict";
import { configSecrets, urlCredentials } from "../lib/runtime/cli/run_options.ts";
import { validateConfig } from "../lib/config/validate.ts";
import { httpScout } from "../scouts/http.ts";
import { runCli } from "./_support/cli.ts";

function resolve(watch: Record<string, unknown>, platoUrl?: string) {
  const result = validateConfig({
    scout: {
      name: "http-monitor",
      scout_room: "ops/http",
      ...(platoUrl ? { plato_url: platoUrl } : {}),
    },
    watch: { type: "http", ...watch },
  }, { kinds: [httpScout] });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

Deno.test("configSecrets finds credentials in URLs, decoded, and secret-looking header values", () => {
  const config = resolve({
    url: "https://svc-user:p%40ss%2Fword@api.example/health?x=1",
    headers: { Authorization: "Bearer tok-123456", "X-Request-Source": "scout" },
  }, "http://plato-user:plato-pass@127.0.0.1:8848");
  const secrets = configSecrets(config);
  for (
    const expected of ["svc-user", "p@ss/word", "plato-user", "plato-pass", "Bearer tok-123456"]
  ) {
    assert.ok(secrets.includes(expected), `missing ${expected}: ${JSON.stringify(secrets)}`);
  }
  for (const kept of ["scout", "http-monitor", "ops/http", "https://api.example/health?x=1"]) {
    assert.ok(!secrets.includes(kept), `${kept} is not a secret`);
  }
});

Deno.test("configSecrets finds nothing in a config without credentials", () => {
  const config = resolve({ url: "http://127.0.0.1:18801/stats", body_contains: "ok@home" });
  assert.deepEqual(configSecrets(config), []);
});

Deno.test("configSecrets ignores credentials shorter than 4 characters", () => {
  const config = resolve({ url: "http://ab:cd@127.0.0.1:1/x" });
  assert.deepEqual(configSecrets(config), []);
});

Deno.test("a check that quotes a value (a regex, a status, a JSON path) names its ${VAR}, never the value", async () => {
  const { logScoutKind } = await import("../scouts/log.ts");
  const env: Record<string, string> = {
    API_TOKEN: "s3cr3t(token",
    ST_TOKEN: "hunter2hunter2",
    JP_SECRET: "supersecret123[[",
    DB_PASSWORD: "pa$$w0rd[",
  };
  const raw = {
    scouts: [{
      scout: { name: "api", scout_room: "r/api" },
      watch: {
        type: "http",
        url: "http://localhost:8080/health",
        body_matches: "${API_TOKEN}",
        expect_status: ["${ST_TOKEN}"],
        json_path: "x${JP_SECRET}",
      },
    }, {
      scout: { name: "app", scout_room: "r/app" },
      watch: { type: "log", file: "/var/log/app.log", pattern: "${DB_PASSWORD}" },
    }],
  };
  const r = validateConfig(raw, { kinds: [httpScout, logScoutKind], env: (n) => env[n] });
  assert.equal(r.ok, false);
  const text = JSON.stringify(r);
  for (const secret of Object.values(env)) assert.ok(!text.includes(secret), `leaked ${secret}`);
  const messages = (r as { problems: { path: string; message: string }[] }).problems
    .map((p) => `${p.path}: ${p.message}`);
  assert.equal(messages.length, 4, messages.join("\n"));
  const all = messages.join("\n");
  assert.match(all, /body_matches: Cannot compile regex: \/\$\{API_TOKEN\}\//);
  assert.match(all, /expect_status\[0\]: Cannot parse status '\$\{ST_TOKEN\}'/);
  assert.match(all, /json_path: Cannot parse JSON path 'x\$\{JP_SECRET\}'/);
  assert.match(all, /pattern: .*\$\{DB_PASSWORD\}/);
});

Deno.test("a value that is part of the message's list of choices leaves the list alone", async () => {
  const { logScoutKind } = await import("../scouts/log.ts");
  const env: Record<string, string> = { RF: "beg", G: "war" };
  const r = validateConfig({
    scout: { name: "a", scout_room: "r/x" },
    watch: { type: "log", file: "/tmp/x.log", read_from: "${RF}" },
    emission: { gate: "${G}" },
  }, { kinds: [logScoutKind], env: (n) => env[n] });
  assert.equal(r.ok, false);
  const messages = (r as { problems: { message: string }[] }).problems.map((p) => p.message);
  assert.deepEqual(messages.sort(), [
    "expected one of end, beginning, got the value of '${RF}'",
    "expected one of warn, refuse, off, got the value of '${G}'",
  ]);
});

Deno.test("urlCredentials masks the Basic authorization fetch sends for a URL's user info, and survives a stray '%'", () => {
  assert.deepEqual(urlCredentials("http://scout:hunter2pass@127.0.0.1:8848/"), [
    "hunter2pass",
    "scout",
    "c2NvdXQ6aHVudGVyMnBhc3M=",
  ]);
  assert.deepEqual(urlCredentials("http://bob:50%off@h/"), ["50%off", "bob", btoa("bob:50%off")]);
  assert.deepEqual(urlCredentials("http://h/"), []);
  assert.deepEqual(urlCredentials("not a url"), []);
});

Deno.test("a secret used as a scout's name or room is masked in validate's summary, the log's [name] and the tiles' room", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plato-config-secrets-" });
  try {
    const path = `${dir}/scout.yaml`;
    await Deno.writeTextFile(
      path,
      "scout:\n  name: ${PLATO_API_KEY}\n  scout_room: r/${ROOM_TOKEN}\n" +
        "watch:\n  type: http\n  url: http://127.0.0.1:1/\n",
    );
    const env = { PLATO_API_KEY: "supersecretvalue123", ROOM_TOKEN: "roomsecret456" };
    const validate = await runCli(["validate", path], { env });
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal(validate.stdout, "ok: *** (http) every 60s \u2192 r/***\n");
    const run = await runCli(
      ["run", "--config", path, "--once", "--stdout", "--state-dir", `${dir}/state`],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[\*\*\*\]/);
    for (const secret of Object.values(env)) assert.ok(!run.stderr.includes(secret), run.stderr);
    // A tile's room (its domain) is public, as GET /rooms lists it: masked
    // too, with a warning that the tiles go to the masked room.
    for (const secret of Object.values(env)) assert.ok(!run.stdout.includes(secret), run.stdout);
    const tiles = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(tiles.length > 0 && tiles.every((t) => t.domain === "r/***"), run.stdout);
    assert.match(
      run.stderr,
      /WARN \[plato-scout\] \*\*\*: scout_room holds a secret; its tiles go to the room 'r\/\*\*\*', with the secret masked/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
