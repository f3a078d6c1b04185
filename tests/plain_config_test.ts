/**
 * The flag path's config resolution without zod (`lib/config/plain.ts`,
 * `scouts/_http_watch_plain.ts`) against the zod schemas it stands in for:
 * for every generated flag-built config, whatever the plain path accepts,
 * `validateConfig` with the HTTP kind's schema must accept with exactly the
 * same result. What the plain path declines is left to zod, so it may
 * decline anything; the typical flag sets must not be declined, or the fast
 * path would be dead code.
 */
import assert from "node:assert/strict";
import { type PlainConfigInput, resolvePlainConfig } from "../lib/config/plain.ts";
import { validateConfig } from "../lib/config/validate.ts";
import { resolvePlainHttpWatch } from "../scouts/_http_watch_plain.ts";
import { httpScout } from "../scouts/http.ts";
import { mulberry32 } from "./_support/random.ts";

/** What `configFromFlags` does with the same value: zod, no environment. */
function viaZod(raw: PlainConfigInput) {
  return validateConfig(raw, { kinds: [httpScout] });
}

function plain(raw: PlainConfigInput) {
  return resolvePlainConfig(raw, resolvePlainHttpWatch);
}

/** Plain accepted: zod accepts the same value with the same config. */
function assertAgrees(raw: PlainConfigInput): boolean {
  const fast = plain(structuredClone(raw));
  if (fast === undefined) return false;
  const checked = viaZod(structuredClone(raw));
  assert.ok(
    checked.ok,
    `plain path accepted what zod refuses: ${JSON.stringify(raw)}: ${
      checked.ok ? "" : JSON.stringify(checked.problems[0])
    }`,
  );
  assert.deepStrictEqual(fast, checked.config, JSON.stringify(raw));
  return true;
}

const flags = (
  watch: Record<string, unknown>,
  scout: Partial<PlainConfigInput["scout"]> = {},
): PlainConfigInput => ({
  scout: { name: "http-monitor", scout_room: "scout-reports/http", poll_interval: 60, ...scout },
  watch: { type: "http", url: "http://localhost:8900/stats", ...watch },
});

Deno.test("plain config: the typical flag sets resolve without zod, as zod resolves them", () => {
  const typical: PlainConfigInput[] = [
    flags({}),
    flags({}, { poll_interval: 30 }),
    flags({}, { name: "api.prod_1", scout_room: "my/research/scout-reports/http" }),
    flags({ url: "https://example.com" }),
    flags({ url: "http://user:secret@127.0.0.1:8080/health?token=abc" }),
    flags({ method: "post" }),
    flags({ method: " Head " }),
    flags({ timeout: 0.5 }),
    flags({ timeout: 300 }),
    flags({ expect_status: ["200"] }),
    flags({ expect_status: ["2xx", "301-308", "404"] }),
    flags({ body_contains: "ok" }),
    flags({ body_matches: "/up|ok/i" }),
    flags({ json_path: "$.status.ok" }),
    flags({ json_path: "registry.total", json_equals: 3 }),
    flags({ json_path: "status.ok", json_equals: true }),
    flags({ json_path: "error", json_equals: null }),
    flags({ json_path: "status", json_equals: "ok" }),
    flags({
      method: "GET",
      timeout: 2,
      expect_status: ["2xx"],
      body_contains: "ok",
      body_matches: "ok",
      json_path: "status",
      json_equals: "up",
    }),
  ];
  for (const raw of typical) {
    assert.ok(assertAgrees(raw), `declined a typical flag set: ${JSON.stringify(raw)}`);
  }
});

Deno.test("plain config: declines what zod refuses, changes or interpolates", () => {
  const left: PlainConfigInput[] = [
    flags({}, { name: " padded" }), // zod trims
    flags({}, { name: "has space" }),
    flags({}, { name: "x".repeat(129) }),
    flags({}, { scout_room: "" }),
    flags({}, { scout_room: "${ROOM}" }),
    flags({}, { poll_interval: 86_400.5 }),
    flags({}, { poll_interval: 0 }),
    flags({}, { poll_interval: 0.09 }), // under MIN_POLL_INTERVAL
    flags({ url: "ftp://example.com/" }),
    flags({ url: "http:example.com" }),
    flags({ url: " http://example.com/" }),
    flags({ url: "http://${HOST}/" }),
    flags({ method: "TRACE" }),
    flags({ timeout: 301 }),
    flags({ expect_status: [] }),
    flags({ expect_status: ["600"] }),
    flags({ body_matches: "(" }),
    flags({ json_path: "a..b" }),
    flags({ json_equals: 1 }), // needs json_path
    flags({ json_path: "a", json_equals: { a: 1 } }), // zod's to check
    flags({ headers: { "x-a": "1" } }), // not a flag: left to zod
  ];
  for (const raw of left) {
    assert.equal(plain(structuredClone(raw)), undefined, JSON.stringify(raw));
  }
});

Deno.test("plain config: on 5,000 generated flag sets, what it accepts zod accepts identically", () => {
  const pools = {
    name: [
      "http-monitor",
      "a",
      "A.b_c-1",
      "x".repeat(128),
      "x".repeat(129),
      " padded",
      "padded ",
      "",
      "has space",
      "ünï",
      "${NAME}",
      "$HOME",
      "a/b",
      "\u00a0nbsp",
    ],
    scout_room: [
      "scout-reports/http",
      "my/research/scout-reports/http",
      "r".repeat(512),
      "r".repeat(513),
      " r",
      "r\n",
      "",
      "${ROOM:-x}",
      "$${literal}",
      "room with space",
      "ünï/room",
    ],
    poll_interval: [
      undefined,
      60,
      0.5,
      30,
      86_400,
      86_400.001,
      0,
      -1,
      NaN,
      Infinity,
      1e-9,
      0.1,
      0.09,
    ],
    url: [
      "http://localhost:8900/stats",
      "https://example.com",
      "HTTP://EXAMPLE.com/x",
      "http://u:p@host/x?token=1",
      "http://[::1]:8080/",
      "http:example.com",
      "https:/path",
      "ftp://x/",
      "file:///etc/passwd",
      " http://x/",
      "http://x/ ",
      "http://x/\t",
      "http://x/a\nb",
      "http://exa mple.com",
      "http://",
      "http://${HOST}/",
      "http://x/$1",
      "http://münchen.de/",
      "http://x:99999/",
      "http://x:8080/",
      "not a url",
      "//x/",
      "http://x/#frag",
      "http://x/a%20b",
      "http://x/%zz",
      "javascript:alert(1)",
    ],
    method: [
      undefined,
      "GET",
      "get",
      " post ",
      "PATCH",
      "options",
      "TRACE",
      "",
      "g e t",
      "CONNECT",
    ],
    timeout: [undefined, 5, 0.1, 300, 300.5, 0, -1, NaN, Infinity],
    expect_status: [
      undefined,
      ["200"],
      ["2xx", "3xx"],
      ["200-299"],
      ["200 - 299"],
      [" 2XX "],
      ["600"],
      ["abc"],
      [],
      ["1xx", "404"],
      ["099"],
      ["299-200"],
      [200],
      "200",
    ],
    body_contains: [undefined, "ok", "", "${X}", " spaced "],
    body_matches: [undefined, "ok|up", "/OK/i", "(", "", "/a/z", "/a/", "[a-"],
    json_path: [undefined, "status.ok", "$.status", "a[0].b", "", "a..b", "[x]", " status "],
    json_equals: [undefined, 3, true, null, "up", "", "${X}", -0.5, NaN, [1], { a: 1 }],
    extra: [{}, { headers: {} }, { body: "x" }, { unknown: 1 }, { type: "log" }],
  };
  const next = mulberry32(0x5c0417);
  // Most picks are each pool's first (valid) value, so whole configs are often
  // valid; the rest spread over the edge cases.
  const pick = <T>(list: readonly T[]): T =>
    next() < 0.7 ? list[0] : list[Math.floor(next() * list.length)];
  let accepted = 0;
  const n = 5_000;
  for (let i = 0; i < n; i++) {
    const watch: Record<string, unknown> = { type: "http", url: pick(pools.url) };
    for (const key of ["method", "timeout", "expect_status", "body_contains"] as const) {
      const value = pick<unknown>(pools[key]);
      if (value !== undefined) watch[key] = value;
    }
    for (const key of ["body_matches", "json_path", "json_equals"] as const) {
      const value = pick<unknown>(pools[key]);
      if (value !== undefined) watch[key] = value;
    }
    Object.assign(watch, pick(pools.extra));
    const scout: PlainConfigInput["scout"] = {
      name: pick(pools.name),
      scout_room: pick(pools.scout_room),
    };
    const interval = pick(pools.poll_interval);
    if (interval !== undefined) scout.poll_interval = interval;
    if (assertAgrees({ scout, watch })) accepted++;
  }
  // Not vacuous: a good share of the generated sets take the plain path.
  assert.ok(accepted > n / 20, `only ${accepted} of ${n} accepted`);
});
