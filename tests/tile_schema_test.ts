/**
 * `isWireTile`, the hand-written tile check the local server runs on every
 * submitted tile, against the zod `TileSchema` it stands in for: on every
 * value, generated or hand-picked, both must give the same yes or no.
 */
import assert from "node:assert/strict";
import { isWireTile, TileSchema } from "../lib/tile_schema.ts";
import { PARSE_OPTIONS } from "../lib/_zod_messages.ts";
import { prepareTile } from "../lib/server/ingest.ts";
import { mulberry32 } from "./_support/random.ts";

const GOOD = {
  id: "t-1",
  domain: "fleet/http",
  question: "[PERIODIC] api is up",
  answer: "200 OK in 12 ms",
  tags: ["scout", "checkpoint:periodic"],
  confidence: 0.9,
  source: "http-monitor",
  timestamp: "2026-12-03T08:00:00.123Z",
};

function assertAgrees(value: unknown): boolean {
  const zod = TileSchema.safeParse(value, PARSE_OPTIONS).success;
  assert.equal(isWireTile(value), zod, `zod says ${zod} for ${show(value)}`);
  return zod;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Values a field might hold: the edges of every rule, and wrong types. */
const CANDIDATES: Record<string, unknown[]> = {
  id: ["", "a", "x".repeat(200), "x".repeat(201), 7, null, undefined, ["a"], "é".repeat(200)],
  domain: ["", "d", "x".repeat(512), "x".repeat(513), 1, null, undefined, {}],
  question: ["", "q", " ", 0, null, undefined, ["q"]],
  answer: ["", "a", "{}", { a: 1 }, 1, null, undefined, true],
  tags: [[], ["a"], ["a", ""], ["a", 1], [null], "a", null, undefined, {}, [["a"]]],
  confidence: [
    0,
    1,
    0.5,
    -0,
    -0.0001,
    1.0001,
    Number.NaN,
    Infinity,
    -Infinity,
    "0.5",
    null,
    undefined,
  ],
  source: ["", "s", 1, null, undefined],
  timestamp: [
    "2026-12-03T08:00:00Z",
    "2026-12-03T08:00:00.1Z",
    "2026-12-03T08:00:00.123456789Z",
    "2026-12-03T08:00:00.1234567890Z",
    "2026-12-03T08:00:00+00:00",
    "2026-12-03 08:00:00Z",
    "2026-12-03T08:00:00",
    "2026-12-03T08:00:00Z\n",
    "",
    1764748800000,
    null,
    undefined,
  ],
};

Deno.test("isWireTile and TileSchema agree on every edge of every field", () => {
  assert.equal(assertAgrees(GOOD), true, "the reference tile is valid");
  for (const [field, values] of Object.entries(CANDIDATES)) {
    for (const v of values) assertAgrees({ ...GOOD, [field]: v });
    const without: Record<string, unknown> = { ...GOOD };
    delete without[field];
    assert.equal(assertAgrees(without), false, `a tile without '${field}' is refused`);
  }
});

Deno.test("isWireTile and TileSchema agree on 20,000 generated tiles", () => {
  const next = mulberry32(20261203);
  let valid = 0;
  for (let i = 0; i < 20_000; i++) {
    const tile: Record<string, unknown> = { ...GOOD };
    // Change zero to three fields, so valid and invalid tiles both come up often.
    const changes = Math.floor(next() * 4);
    for (let c = 0; c < changes; c++) {
      const fields = Object.keys(CANDIDATES);
      const field = fields[Math.floor(next() * fields.length)];
      const values = CANDIDATES[field];
      tile[field] = values[Math.floor(next() * values.length)];
    }
    if (next() < 0.1) tile.extra = "kept or ignored, never a reason to refuse";
    if (assertAgrees(tile)) valid++;
  }
  assert.ok(valid > 2_000 && valid < 18_000, `both answers are exercised (${valid} valid)`);
});

Deno.test("isWireTile and TileSchema agree on values that are not plain objects", () => {
  for (
    const v of [
      null,
      undefined,
      0,
      "tile",
      true,
      [],
      Object.assign([], GOOD),
      Object.assign(Object.create(null), GOOD),
      new Map(Object.entries(GOOD)),
    ]
  ) assertAgrees(v);
});

Deno.test("the server still names the bad field of a tile the check refuses", () => {
  const r = prepareTile({ ...GOOD, confidence: 2 }, "schema", Date.now());
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.refusal.status, 400);
    assert.equal(r.refusal.field, "confidence");
    assert.match(r.refusal.reason, /^Invalid tile: 'confidence': /);
  }
  assert.equal(prepareTile(GOOD, "schema", Date.now()).ok, true);
});
