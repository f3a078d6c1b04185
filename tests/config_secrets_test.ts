/**
 * `configSecrets`: the strings of a resolved config that the CLI's logger
 * must never print (credentials in URLs, secret-looking values), found from
 * a config resolved the way the command line resolves one.
 */
import assert from "node:assert/strict";
import { configSecrets } from "../lib/runtime/cli/run_options.ts";
import { validateConfig } from "../lib/config/validate.ts";
import { httpScout } from "../scouts/http.ts";

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
