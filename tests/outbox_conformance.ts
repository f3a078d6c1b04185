/**
 * The shared conformance suite every {@linkcode Outbox} implementation runs
 * (unstorage style): `outboxConformance(name, factory)` registers the cases.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Awaitable, Outbox } from "../lib/outbox.ts";
import { buildTile, type Tile } from "../lib/tile.ts";

/** An outbox under test and how to release it (close files, remove directories). */
export interface OutboxUnderTest {
  /** The implementation under test, empty. */
  outbox: Outbox;
  /** Release everything the factory created; called once per test, even on failure. */
  dispose(): Awaitable<void>;
}

/** Makes a fresh, empty outbox holding at most `capacity` entries. */
export type OutboxFactory = (options: { capacity: number }) => Awaitable<OutboxUnderTest>;

/** A small tile with a predictable id: `t<i>`. */
export function tileN(i: number): Tile {
  return buildTile({
    scoutName: "conformance",
    room: "tests/outbox",
    checkpointType: "periodic",
    question: `observation ${i}`,
    answer: { i },
    id: `t${i}`,
    now: 0,
  });
}

/** The ids of the oldest `max` entries. */
export async function peekIds(outbox: Outbox, max: number): Promise<string[]> {
  return (await outbox.peek(max)).map((entry) => entry.tile.id);
}

function fill(outbox: Outbox, from: number, to: number): void {
  for (let i = from; i < to; i++) outbox.append(tileN(i));
}

function ids(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, k) => `t${from + k}`);
}

/**
 * Register the conformance cases for one implementation.
 *
 * @param name Shown at the start of every test name.
 * @param factory Makes a fresh outbox per test.
 */
export function outboxConformance(name: string, factory: OutboxFactory): void {
  const test = (
    title: string,
    capacity: number,
    body: (outbox: Outbox) => Promise<void>,
  ) =>
    Deno.test(`${name}: ${title}`, async () => {
      const { outbox, dispose } = await factory({ capacity });
      try {
        await body(outbox);
      } finally {
        await outbox.close?.();
        await dispose();
      }
    });

  test("peek() returns the oldest entries first, without removing them", 100, async (outbox) => {
    assert.deepEqual(await outbox.peek(10), []);
    fill(outbox, 0, 5);
    assert.deepEqual(await peekIds(outbox, 3), ids(0, 3));
    assert.deepEqual(await peekIds(outbox, 10), ids(0, 5));
    assert.deepEqual(await peekIds(outbox, 0), []);
    const [first] = await outbox.peek(1);
    assert.deepEqual(first.tile, tileN(0));
    assert.equal(first.attempts, 0);
  });

  test("ack() removes entries at the head and in the middle", 100, async (outbox) => {
    fill(outbox, 0, 6);
    await outbox.ack(["t0", "t1"]);
    assert.deepEqual(await peekIds(outbox, 10), ids(2, 6));
    await outbox.ack(["t3", "t5"]);
    assert.deepEqual(await peekIds(outbox, 10), ["t2", "t4"]);
    await outbox.ack([]);
    await outbox.ack(["unknown"]);
    assert.deepEqual(await peekIds(outbox, 10), ["t2", "t4"]);
    assert.equal(outbox.size(), 2);
  });

  test("nack() counts attempts without reordering", 100, async (outbox) => {
    fill(outbox, 0, 4);
    await outbox.nack(["t1", "t2"]);
    await outbox.nack(["t2", "unknown"]);
    const entries = await outbox.peek(10);
    assert.deepEqual(entries.map((e) => e.tile.id), ids(0, 4));
    assert.deepEqual(entries.map((e) => e.attempts), [0, 1, 2, 0]);
    assert.equal(outbox.size(), 4);
  });

  test("append() beyond capacity drops the oldest and counts it", 3, async (outbox) => {
    fill(outbox, 0, 3);
    assert.equal(outbox.dropped, 0);
    fill(outbox, 3, 5);
    assert.equal(outbox.dropped, 2);
    assert.equal(outbox.size(), 3);
    assert.deepEqual(await peekIds(outbox, 10), ids(2, 5));
    await outbox.ack(["t2"]);
    outbox.append(tileN(5));
    assert.equal(outbox.dropped, 2);
    assert.deepEqual(await peekIds(outbox, 10), ids(3, 6));
  });

  test("size() follows append, ack and drops", 4, async (outbox) => {
    assert.equal(outbox.size(), 0);
    fill(outbox, 0, 3);
    assert.equal(outbox.size(), 3);
    await outbox.ack(["t1"]);
    assert.equal(outbox.size(), 2);
    fill(outbox, 3, 10);
    assert.equal(outbox.size(), 4);
    await outbox.nack(["t9"]);
    assert.equal(outbox.size(), 4);
    await outbox.ack(ids(0, 10));
    assert.equal(outbox.size(), 0);
  });

  test("peek() returns every appended tile exactly once", 1000, async (outbox) => {
    fill(outbox, 0, 500);
    const seen = await peekIds(outbox, 1000);
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    assert.deepEqual(seen, ids(0, 500));
  });

  test("peek() after ack() starts at the next entry", 100, async (outbox) => {
    fill(outbox, 0, 10);
    for (let start = 0; start < 10; start += 3) {
      const batch = await peekIds(outbox, 3);
      assert.deepEqual(batch, ids(start, Math.min(start + 3, 10)));
      await outbox.ack(batch);
    }
    assert.deepEqual(await outbox.peek(3), []);
  });

  test(
    "a tile appended while a batch is outstanding survives the batch's ack",
    100,
    async (outbox) => {
      fill(outbox, 0, 2);
      const outstanding = outbox.peek(2);
      outbox.append(tileN(2));
      const batch = (await outstanding).map((e) => e.tile.id);
      assert.deepEqual(batch, ids(0, 2));
      await outbox.nack(batch);
      outbox.append(tileN(3));
      await outbox.ack(batch);
      assert.deepEqual(await peekIds(outbox, 10), ids(2, 4));
      assert.equal(outbox.size(), 2);
    },
  );

  test("ack() of an outstanding id that was dropped meanwhile is harmless", 2, async (outbox) => {
    fill(outbox, 0, 2);
    const batch = await peekIds(outbox, 2);
    fill(outbox, 2, 3); // Drops t0 while it is being delivered.
    await outbox.ack(batch);
    assert.equal(outbox.dropped, 1);
    assert.equal(outbox.size(), 1);
    assert.deepEqual(await peekIds(outbox, 10), ["t2"]);
  });

  test("holds 50,000 appends and drains them in order", 50_000, async (outbox) => {
    fill(outbox, 0, 50_000);
    assert.equal(outbox.size(), 50_000);
    assert.equal(outbox.dropped, 0);
    let next = 0;
    while (outbox.size() > 0) {
      const batch = await peekIds(outbox, 1000);
      assert.deepEqual(batch, ids(next, next + batch.length));
      next += batch.length;
      await outbox.ack(batch);
    }
    assert.equal(next, 50_000);
  });

  test("keeps the newest entries when 50,000 appends overflow capacity", 10_000, async (outbox) => {
    fill(outbox, 0, 50_000);
    assert.equal(outbox.size(), 10_000);
    assert.equal(outbox.dropped, 40_000);
    assert.deepEqual(await peekIds(outbox, 2), ["t40000", "t40001"]);
    const all = await peekIds(outbox, 20_000);
    assert.equal(all.length, 10_000);
    assert.equal(all.at(-1), "t49999");
  });
}
