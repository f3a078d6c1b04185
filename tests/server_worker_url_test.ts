/**
 * The Worker's PLATO_URL check (audit item: a PLATO_URL that is not an http(s)
 * URL passed /health, and /run then spent its subrequests on it). Kept apart from
 * cloudflare_worker_test.ts, which others edit.
 */
import assert from "node:assert/strict";
import { createWorker } from "../lib/runtime/cloudflare.ts";
import { createLogger } from "../lib/logger.ts";
import { httpScout } from "../scouts/http.ts";

const ctx = { waitUntil() {} };

Deno.test("a Worker whose PLATO_URL is not an http(s) URL answers 503 misconfigured naming PLATO_URL, not the URL", async () => {
  const seen: string[] = [];
  const fetch: typeof globalThis.fetch = (input) => {
    seen.push(String(input instanceof Request ? input.url : input));
    return Promise.resolve(Response.json({ status: "ok" }));
  };
  const scouts = JSON.stringify({
    scout: { name: "a", scout_room: "tests/worker" },
    watch: { type: "http", url: "https://target.example/a" },
  });
  for (const url of ["not a url", "ftp://u:SECRETPW@p", "javascript:alert(1)"]) {
    const worker = createWorker({
      kinds: [httpScout],
      fetch,
      logger: createLogger({ level: "silent" }),
    });
    const env = { SCOUTS: scouts, PLATO_URL: url, SCOUT_TRIGGER_TOKEN: "t" };
    const health = await worker.fetch(new Request("https://w/health"), env as never, ctx as never);
    assert.equal(health.status, 503, url);
    const text = await health.text();
    assert.match(text, /PLATO_URL is not an http\(s\) URL/);
    assert.ok(!text.includes("SECRETPW"), "the URL is echoed");
    const run = await worker.fetch(
      new Request("https://w/run", { method: "POST", headers: { authorization: "Bearer t" } }),
      env as never,
      ctx as never,
    );
    assert.equal(run.status, 502, url); // the cycle's report, as for a missing PLATO_URL
    const report = await run.text();
    assert.match(report, /PLATO_URL is not an http\(s\) URL/);
    assert.ok(!report.includes("SECRETPW"), "the URL is echoed");
  }
  assert.deepEqual(seen, []);
  const ok = createWorker({ kinds: [httpScout], fetch, logger: createLogger({ level: "silent" }) });
  const health = await ok.fetch(
    new Request("https://w/health"),
    { SCOUTS: scouts, PLATO_URL: "https://plato.example:8847" } as never,
    ctx as never,
  );
  assert.equal(health.status, 200);
});
