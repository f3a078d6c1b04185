/**
 * Fault: a secret sweep. With a PLATO token (`PLATO_API_KEY` on the real
 * `plato-scout serve` and on the scout), credentials in the watched URL
 * (`http://user:pass@127.0.0.1:port/…`) and auth headers in scout.yaml
 * (`Authorization`, `X-Api-Key`), the real CLI runs at debug log level against
 * a target that echoes every request header back in its JSON body (as httpbin
 * does) and against a refused port. Proves that no secret — nor the Basic
 * credentials' base64 form — appears in any tile read back from the room, any
 * stderr line, `/metrics`, `/health`, or the error lines of a failed delivery
 * and of config mistakes; and that the secrets were really used (the target saw
 * them, the server refused a request without the token).
 *
 * Two usage errors once echoed URL credentials; their own test below guards
 * the fix.
 */
import assert from "node:assert/strict";
import { freePort, roomTiles, spawnCli, spawnServe, waitUntil, writeConfig } from "./_harness.ts";

const TOKEN = "plato-tok-7Qx9Lm2Vw4";
const URL_USER = "scoutuser";
const URL_PASS = "urlpass-Zr8Kd3Np6";
const AUTH = "Bearer hdr-tok-Yt5Hs1Bq0";
const API_KEY = "apikey-Wc4Fj7Gm2";
const BASIC = btoa(`${URL_USER}:${URL_PASS}`);
const SECRETS = [TOKEN, URL_PASS, AUTH.slice("Bearer ".length), API_KEY, BASIC];
const ROOM = "fault/secrets";

function leaks(where: string, text: string): string[] {
  return SECRETS.filter((s) => text.includes(s)).map((s) => `${where} contains '${s}'`);
}

Deno.test("no tile, log line, metric or error message carries the PLATO token, URL credentials or auth headers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fault-secrets-" });
  const seen: Array<Record<string, string>> = [];
  const target = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const headers = Object.fromEntries(req.headers);
    seen.push(headers);
    return Response.json({ echoed_headers: headers, url: req.url, queue_depth: seen.length });
  });
  const server = await spawnServe(`${dir}/rooms.db`, { env: { PLATO_API_KEY: TOKEN } });
  let scout: ReturnType<typeof spawnCli> | undefined;
  try {
    const refused = freePort();
    const config = await writeConfig(
      dir,
      "scout.yaml",
      `scouts:
  - scout: { name: echo, scout_room: ${ROOM}, poll_interval: 0.3 }
    watch:
      type: http
      url: http://${URL_USER}:${URL_PASS}@127.0.0.1:${target.addr.port}/stats?probe=1
      headers:
        Authorization: "${AUTH}"
        X-Api-Key: "${API_KEY}"
  - scout: { name: refused, scout_room: ${ROOM}, poll_interval: 0.3 }
    watch:
      type: http
      url: http://${URL_USER}:${URL_PASS}@127.0.0.1:${refused}/down
      headers:
        Authorization: "${AUTH}"
emission: { min_interval_seconds: 0.1 }
`,
    );
    scout = spawnCli(["--config", config, "--state-dir", `${dir}/state`], {
      PLATO_URL: server.url,
      PLATO_API_KEY: TOKEN,
      SCOUT_LOG_LEVEL: "debug",
      SCOUT_METRICS_PORT: "0",
    });
    const metricsPort = (await scout.waitForLine(/metrics on :(\d+)\/metrics/))[1];
    const auth = { authorization: `Bearer ${TOKEN}` };
    const tiles = await waitUntil("tiles from both scouts, errors included", async () => {
      const t = await roomTiles(server.url, ROOM, auth);
      const echo = t.filter((x) => x.source === "echo" && x.question.startsWith("[PERIODIC]"));
      const errors = t.filter((x) => x.source === "refused" && x.question.startsWith("[ERROR]"));
      return echo.length >= 3 && errors.length >= 1 ? t : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const health = await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).text();
    scout.child.kill("SIGTERM");
    assert.equal((await scout.done).code, 0);

    // The secrets were really in play.
    assert.ok(seen.length >= 3);
    assert.ok(
      seen.every((h) => h.authorization === AUTH && h["x-api-key"] === API_KEY),
      "headers sent",
    );
    const noToken = await fetch(`${server.url}/room/${ROOM}`);
    assert.equal(noToken.status, 401, "the server requires the token");
    const refusal = await noToken.text();

    // A failed delivery with credentials in PLATO_URL, and config mistakes next to secrets.
    const down = spawnCli(
      ["--config", config, "--once", "--deadline", "1", "--state-dir", `${dir}/state-down`],
      {
        PLATO_URL: `http://pu:${URL_PASS}@127.0.0.1:${freePort()}`,
        PLATO_API_KEY: TOKEN,
        SCOUT_LOG_LEVEL: "debug",
      },
    );
    assert.equal((await down.done).code, 1);
    assert.ok(down.lines.some((l) => /could not be delivered/.test(l)), down.lines.join("\n"));
    const badConfig = await writeConfig(
      dir,
      "bad.yaml",
      (await Deno.readTextFile(config)).replace("poll_interval: 0.3 }", "poll_interval: 0 }"),
    );
    const usage = spawnCli(["--config", badConfig, "--once"], { PLATO_API_KEY: TOKEN });
    assert.equal((await usage.done).code, 2);

    const problems = [
      ...tiles.flatMap((t) => leaks(`tile ${t.id}`, JSON.stringify(t))),
      ...scout.lines.flatMap((l, i) => leaks(`scout stderr line ${i}`, l)),
      ...server.lines.flatMap((l, i) => leaks(`server output line ${i}`, l)),
      ...leaks("/metrics", metrics),
      ...leaks("/health", health),
      ...leaks("the 401 answer", refusal),
      ...down.lines.flatMap((l, i) => leaks(`failed delivery line ${i}`, l)),
      ...usage.lines.flatMap((l, i) => leaks(`usage error line ${i}`, l)),
    ];
    const errorTiles = tiles.filter((t) => t.question.startsWith("[ERROR]")).length;
    console.log(
      `secret sweep: ${tiles.length} tiles (${errorTiles} ERROR), ${scout.lines.length} debug log lines, ` +
        `${metrics.length} B of metrics, ${seen.length} echoed requests, ` +
        `${
          down.lines.length + usage.lines.length
        } error lines checked for ${SECRETS.length} secrets`,
    );
    assert.ok(scout.lines.some((l) => / DEBUG /.test(l)), "debug logging was on");
    assert.deepEqual(problems, []);
  } finally {
    await scout?.kill();
    await server.kill("SIGTERM");
    await target.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "usage errors about a URL never echo its credentials",
  async fn() {
    const cases = [
      ["--watch-file", "a.log", "--plato-url", `ftp://${URL_USER}:${URL_PASS}@x/`],
      ["--watch-url", `http://${URL_USER}:${URL_PASS}@x:99999/`],
    ];
    const problems: string[] = [];
    for (const args of cases) {
      const proc = spawnCli(args);
      assert.equal((await proc.done).code, 2);
      problems.push(...proc.lines.flatMap((l) => leaks(args.join(" "), l)));
    }
    assert.deepEqual(problems, []);
  },
});
