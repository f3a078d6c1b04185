import assert from "node:assert/strict";
import { MemoryOutbox } from "../lib/outbox.ts";
import { outboxConformance, tileN } from "./outbox_conformance.ts";

outboxConformance("MemoryOutbox", ({ capacity }) => ({
  outbox: new MemoryOutbox({ capacity }),
  dispose() {},
}));

outboxConformance("MemoryOutbox with a byte bound", ({ capacity }) => ({
  outbox: new MemoryOutbox({ capacity, maxBytes: 64 << 20 }),
  dispose() {},
}));

Deno.test("MemoryOutbox with maxBytes drops the oldest tiles to stay under it, and counts them", () => {
  const big = (i: number) => ({ ...tileN(i), answer: "x".repeat(1000) });
  const outbox = new MemoryOutbox({ capacity: 1000, maxBytes: 5200 });
  for (let i = 0; i < 10; i++) outbox.append(big(i));
  // Each tile counts ~1,280 bytes: four fit.
  assert.deepEqual(outbox.peek(100).map((e) => e.tile.id), ["t6", "t7", "t8", "t9"]);
  assert.equal(outbox.dropped, 6);
  // Delivered tiles free their bytes: two more fit without a drop.
  outbox.ack(["t6", "t8"]);
  outbox.append(big(10));
  outbox.append(big(11));
  assert.deepEqual(outbox.peek(100).map((e) => e.tile.id), ["t7", "t9", "t10", "t11"]);
  assert.equal(outbox.dropped, 6);
  // A tile over the whole bound is still kept (alone): the newest observation wins.
  outbox.append({ ...tileN(12), answer: "y".repeat(10_000) });
  assert.deepEqual(outbox.peek(100).map((e) => e.tile.id), ["t12"]);
  assert.equal(outbox.dropped, 10);
});
