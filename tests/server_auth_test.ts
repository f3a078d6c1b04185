import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { isLoopback, startLocalPlato } from "../lib/runtime/serve.ts";
import { get, makeTile, post, startTestServer } from "./_support/plato_server.ts";

const KEY = "s3cret-key-for-tests";

Deno.test("with an API key every route but /health needs the bearer token", async () => {
  const server = await startTestServer({ apiKey: KEY });
  try {
    assert.equal((await get(server.url, "/health")).status, 200);
    for (const path of ["/rooms", "/status", "/room/x", "/search?q=x", "/nope"]) {
      const r = await get(server.url, path);
      assert.equal(r.status, 401, path);
      assert.match(String(r.body.error), /Unauthorized/);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
    for (const auth of ["Bearer wrong", `Bearer ${KEY}x`, `Basic ${KEY}`, KEY, "Bearer "]) {
      const r = await post(server.url, "/submit", makeTile(1), { authorization: auth });
      assert.equal(r.status, 401, auth);
    }
    const lower = await get(server.url, "/rooms", { authorization: `bearer ${KEY}` });
    assert.equal(lower.status, 200);
    assert.equal(
      (await get(server.url, "/status", { authorization: `Bearer ${KEY}` })).body.tiles,
      0,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("the project's client with PLATO_API_KEY submits and reads; without it, it is told to retry", async () => {
  const server = await startTestServer({ apiKey: KEY });
  try {
    const good = createPlatoClient({ url: server.url, apiKey: KEY });
    assert.equal((await good.submit(makeTile(1))).kind, "accepted");
    const page = await good.readRoom("gc/research/scout-reports/server-test");
    assert.ok(page.ok);
    assert.equal(page.value.tileCount, 1);
    const anonymous = createPlatoClient({ url: server.url });
    const outcome = await anonymous.submit(makeTile(2));
    assert.equal(outcome.kind, "retryable");
    assert.equal(outcome.status, 401);
    assert.doesNotMatch(JSON.stringify(outcome), new RegExp(KEY));
  } finally {
    await server.stop();
  }
});

Deno.test("startLocalPlato refuses a non-loopback address without an API key", async () => {
  for (const hostname of ["0.0.0.0", "::", "192.168.1.10"]) {
    await assert.rejects(
      () => startLocalPlato({ hostname, port: 0 }),
      (error: Error) => {
        assert.match(error.message, /Refusing to listen on .* without PLATO_API_KEY/);
        return true;
      },
    );
  }
});

Deno.test("isLoopback() knows localhost, 127.0.0.0/8 and ::1 and nothing else", () => {
  for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) {
    assert.ok(isLoopback(h), h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "127.0.0.1.evil.com"]) {
    assert.ok(!isLoopback(h), h);
  }
});
