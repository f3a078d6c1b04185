import assert from "node:assert/strict";
import { KvOutbox } from "../lib/runtime/kv_outbox.ts";
import { KvState } from "../lib/runtime/kv_state.ts";
import { FakeKv } from "./_support/fake_kv.ts";
import { outboxConformance, peekIds, tileN } from "./outbox_conformance.ts";

outboxConformance("KvOutbox (in-memory KV)", async ({ capacity }) => ({
  outbox: await KvOutbox.load(new FakeKv(), { maxEntries: capacity, maxBytes: 64 << 20 }),
  dispose() {},
}));

Deno.test("KvOutbox reloaded keeps entries, attempts (at least one for what it left) and the dropped count", async () => {
  const kv = new FakeKv();
  const first = await KvOutbox.load(kv, { maxEntries: 3 });
  for (let i = 0; i < 5; i++) first.append(tileN(i));
  first.nack(["t3"]);
  first.nack(["t3", "t4"]);
  await first.close();
  const second = await KvOutbox.load(kv, { maxEntries: 3 });
  assert.equal(second.size(), 3);
  assert.equal(second.dropped, 2);
  const entries = second.peek(10);
  assert.deepEqual(entries.map((e) => e.tile), [tileN(2), tileN(3), tileN(4)]);
  // t2 was never tried, but the earlier process may have sent it before it
  // stopped: it counts as tried once; a tile appended now, as never tried.
  assert.deepEqual(entries.map((e) => e.attempts), [1, 2, 1]);
  second.append(tileN(5));
  assert.deepEqual(second.peek(10).map((e) => e.attempts), [2, 1, 0]); // t2 dropped: at most 3
});

Deno.test("KvOutbox costs one read and no write when nothing changed or all was delivered", async () => {
  const kv = new FakeKv();
  const outbox = await KvOutbox.load(kv);
  outbox.append(tileN(1));
  outbox.ack(["t1"]);
  await outbox.close();
  const idle = await KvOutbox.load(kv);
  await idle.close();
  assert.deepEqual(kv.ops, { get: 2, put: 0, delete: 0, list: 0 });
  assert.equal(kv.data.size, 0);
});

Deno.test("KvOutbox deletes its key once everything waiting was delivered", async () => {
  const kv = new FakeKv();
  const first = await KvOutbox.load(kv);
  first.append(tileN(1));
  await first.close();
  assert.equal(kv.data.size, 1);
  const second = await KvOutbox.load(kv);
  second.ack(["t1"]);
  await second.close();
  assert.equal(kv.data.size, 0);
  assert.equal(kv.ops.delete, 1);
});

Deno.test("KvOutbox keeps its drop count once everything waiting was delivered, at no write per healthy run", async () => {
  const kv = new FakeKv();
  const outage = await KvOutbox.load(kv, { maxEntries: 2 });
  for (let i = 0; i < 5; i++) outage.append(tileN(i));
  await outage.close();
  const recovery = await KvOutbox.load(kv, { maxEntries: 2 });
  assert.equal(recovery.dropped, 3);
  recovery.ack(["t3", "t4"]);
  await recovery.close();
  // A healthy run afterwards: one read, no write, and the count is still there.
  const puts = kv.ops.put;
  const healthy = await KvOutbox.load(kv, { maxEntries: 2 });
  assert.equal(healthy.size(), 0);
  assert.equal(healthy.dropped, 3);
  healthy.append(tileN(5));
  healthy.ack(["t5"]);
  await healthy.close();
  assert.equal(kv.ops.put, puts);
  assert.equal(kv.ops.delete, 0);
  assert.equal((await KvOutbox.load(kv)).dropped, 3);
});

Deno.test("KvOutbox counts a concurrent invocation's drops too", async () => {
  const kv = new FakeKv();
  const a = await KvOutbox.load(kv, { maxEntries: 2 });
  const b = await KvOutbox.load(kv, { maxEntries: 2 });
  for (let i = 0; i < 4; i++) a.append(tileN(i)); // drops 2
  for (let i = 10; i < 13; i++) b.append(tileN(i)); // drops 1
  await a.close();
  await b.close();
  // b merged a's entries, over its bound: two more dropped on top of both invocations' own.
  assert.equal((await KvOutbox.load(kv)).dropped, 2 + 1 + 2);
});

Deno.test("KvOutbox keeps a concurrent invocation's tiles when both write", async () => {
  const kv = new FakeKv();
  const seed = await KvOutbox.load(kv);
  seed.append(tileN(0));
  await seed.close();
  const a = await KvOutbox.load(kv);
  const b = await KvOutbox.load(kv);
  a.append(tileN(1));
  b.append(tileN(2));
  b.ack(["t0"]);
  await a.close();
  await b.close();
  const after = await KvOutbox.load(kv);
  assert.deepEqual(await peekIds(after, 10), ["t1", "t2"]);
});

Deno.test("KvOutbox drops the oldest entries to fit maxBytes when persisting", async () => {
  const kv = new FakeKv();
  const outbox = await KvOutbox.load(kv, { maxBytes: 2048 });
  for (let i = 0; i < 20; i++) outbox.append({ ...tileN(i), answer: "é".repeat(200) });
  await outbox.close();
  const stored = kv.data.get("plato-scout:outbox")!;
  assert.ok(new TextEncoder().encode(stored).length <= 2048);
  const reloaded = await KvOutbox.load(kv, { maxBytes: 2048 });
  assert.ok(reloaded.size() > 0 && reloaded.size() < 20);
  assert.equal(reloaded.size() + reloaded.dropped, 20);
  assert.equal((await peekIds(reloaded, 1))[0], `t${20 - reloaded.size()}`);
});

Deno.test("KvOutbox treats an unreadable stored value as empty", async () => {
  const kv = new FakeKv();
  kv.data.set("plato-scout:outbox", "{not json");
  const outbox = await KvOutbox.load(kv);
  assert.equal(outbox.size(), 0);
});

Deno.test("KvState reads once, writes only changes, and merges a concurrent writer's keys", async () => {
  const kv = new FakeKv();
  const a = await KvState.load(kv);
  const b = await KvState.load(kv);
  a.set("x", "1");
  b.set("y", "2");
  b.set("y", "2");
  await a.sync();
  await b.sync();
  const c = await KvState.load(kv);
  assert.equal(c.get("x"), "1");
  assert.equal(c.get("y"), "2");
  const puts = kv.ops.put;
  c.set("x", "1");
  await c.sync();
  assert.equal(kv.ops.put, puts);
  c.delete("x");
  await c.sync();
  assert.equal((await KvState.load(kv)).get("x"), undefined);
});
