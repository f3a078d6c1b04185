import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { contentHash } from "../lib/gate.ts";
import { get, makeTile, post, startTestServer } from "./_support/plato_server.ts";

/** Submit one value in fleet mode and return status and body. */
async function judge(url: string, tile: Record<string, unknown>) {
  return await post(url, "/submit", tile);
}

Deno.test("fleet mode refuses each P0 rule with 403, the fleet's body and the rule's reason", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const base = makeTile("base") as unknown as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, domain: "" }, /^Missing required field: domain$/],
      [{ ...base, question: undefined }, /^Missing required field: question$/],
      [{ ...base, answer: "" }, /^Missing required field: answer$/],
      [{ ...base, answer: "x".repeat(19) }, /^Answer too short \(19 < 20\)$/],
      [{ ...base, answer: "x".repeat(5001) }, /^Answer too long \(5001 > 5000\)$/],
      [{ ...base, answer: "the connection was Never established" }, /absolute claim 'never'/],
      [{ ...base, answer: "this outcome is guaranteed by design" }, /absolute claim 'guaranteed'/],
      [{ ...base, question: "[X]!" }, /^Question too short \(4 < 5\)$/],
      [{ ...base, confidence: 1.01 }, /^Confidence out of range/],
      [{ ...base, confidence: "high" }, /^Confidence out of range/],
      [{ ...base, answer: { a: 1, b: 2 } }, /^Answer too short \(2 < 20\)$/],
    ];
    for (const [tile, reason] of cases) {
      const r = await judge(server.url, tile);
      assert.equal(r.status, 403, String(reason));
      assert.equal(r.body.status, "rejected");
      assert.equal(r.body.gate, "P0");
      assert.match(String(r.body.reason), reason);
    }
    const status = await get(server.url, "/status");
    assert.equal(status.body.tiles, 0);
    assert.equal((status.body.gate as { rejected: number }).rejected, cases.length);
  } finally {
    await server.stop();
  }
});

Deno.test("fleet mode accepts the boundaries: 20 and 5000 characters, 5-character questions, words inside words", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const accepted = [
      makeTile(1, { answer: "y".repeat(20) }),
      makeTile(2, { answer: "z".repeat(5000) }),
      makeTile(3, { question: "[X] a" }),
      makeTile(4, { answer: "nevertheless, alwaysOn and nobody_home are fine" }),
      makeTile(5, { confidence: 0 }),
      makeTile(6, { confidence: 1 }),
    ];
    for (const tile of accepted) {
      const r = await judge(server.url, tile as unknown as Record<string, unknown>);
      assert.equal(r.status, 200, tile.answer.slice(0, 30));
    }
    const { confidence: _c, tags: _t, id: _i, ...minimal } = makeTile(7);
    const fleetClientTile = await judge(server.url, minimal);
    assert.equal(fleetClientTile.status, 200, "confidence defaults to 0.5; no id or tags needed");
  } finally {
    await server.stop();
  }
});

Deno.test("fleet mode answers a content duplicate in any room with 403 'Duplicate tile', ever", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const first = makeTile(1, { domain: "room/one" });
    assert.equal(
      (await judge(server.url, first as unknown as Record<string, unknown>)).status,
      200,
    );
    const copy = { ...first, id: "another-id", domain: "room/two", confidence: 0.1 };
    const r = await judge(server.url, copy);
    assert.equal(r.status, 403);
    assert.equal(r.body.status, "rejected");
    assert.equal(r.body.reason, "Duplicate tile");
    assert.equal(r.body.room, "room/two");
    assert.equal(r.body.gate, "P0");
    assert.equal(r.body.tile_hash, await contentHash(first.question, first.answer));
    const client = createPlatoClient({ url: server.url });
    assert.equal((await client.submit({ ...copy, id: "third-id" })).kind, "duplicate");
    const rooms = await client.listRooms();
    assert.ok(rooms.ok);
    assert.deepEqual(Object.keys(rooms.value), ["room/one"]);
  } finally {
    await server.stop();
  }
});

Deno.test("fleet mode acknowledges a re-sent id with 200 rather than calling it a duplicate", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const client = createPlatoClient({ url: server.url });
    const tile = makeTile(1);
    assert.equal((await client.submit(tile)).kind, "accepted");
    assert.equal((await client.submit(tile)).kind, "accepted");
    assert.equal((await get(server.url, "/status")).body.tiles, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("fleet mode judges duplicates within one batch too, and counts them by rule", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const a = makeTile(1);
    const r = await post(server.url, "/submit_batch", {
      tiles: [a, { ...a, id: "same-content" }, makeTile(2, { answer: "impossible to say" })],
    });
    const details = r.body.details as Array<Record<string, unknown>>;
    assert.deepEqual(details.map((d) => d.status), ["accepted", "rejected", "rejected"]);
    assert.equal(details[1].reason, "Duplicate tile");
    assert.equal(details[1].gate, "P0");
    const gate = (await get(server.url, "/status")).body.gate as Record<string, unknown>;
    assert.equal(gate.mode, "fleet");
    assert.deepEqual(gate.by_rule, { duplicate: 1, answer_length: 1 });
  } finally {
    await server.stop();
  }
});

Deno.test("the schema mode records content hashes, so a fleet-mode restart on the same data still sees them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dbPath = `${dir}/rooms.db`;
    const tile = makeTile(1);
    const schema = await startTestServer({ dbPath });
    try {
      assert.equal((await post(schema.url, "/submit", tile)).status, 200);
    } finally {
      await schema.stop();
    }
    const fleet = await startTestServer({ dbPath, gate: "fleet" });
    try {
      const r = await post(fleet.url, "/submit", { ...tile, id: "new-id" });
      assert.equal(r.status, 403);
      assert.equal(r.body.reason, "Duplicate tile");
    } finally {
      await fleet.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
