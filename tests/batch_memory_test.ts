import assert from "node:assert/strict";
import {
  loadBatchMemory,
  NO_BATCH_KEY,
  NO_BATCH_RECHECK_MS,
  RETRY_AFTER_KEY,
} from "../lib/batch_memory.ts";
import { buildTile, createPlatoClient, Emitter, MemoryOutbox } from "../mod.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { MemoryState } from "../lib/state.ts";

const T0 = Date.UTC(2026, 11, 3, 12);

Deno.test("batch memory: kept per PLATO URL, without its credentials, for an hour", async () => {
  const state = new MemoryState();
  const url = "https://scout:hunter2-password@plato.example:8848";
  const first = await loadBatchMemory(state, url, T0);
  assert.equal(first.batch, true);
  await first.save();
  assert.equal(state.get(NO_BATCH_KEY), undefined, "nothing learnt, nothing written");
  first.onNoBatch();
  await first.save();
  assert.ok(!state.get(NO_BATCH_KEY)!.includes("hunter2"), state.get(NO_BATCH_KEY));
  assert.equal((await loadBatchMemory(state, url, T0 + 1)).batch, false);
  assert.equal((await loadBatchMemory(state, url, T0 + NO_BATCH_RECHECK_MS)).batch, true);
  assert.equal((await loadBatchMemory(state, "https://other.example", T0 + 1)).batch, true);
});

Deno.test("batch memory: an unreadable value means asking the server again", async () => {
  const state = new MemoryState();
  for (const value of ["{", "[]", '"x"', '{"url":"https://plato.example","until":"later"}']) {
    state.set(NO_BATCH_KEY, value);
    assert.equal((await loadBatchMemory(state, "https://plato.example", T0)).batch, true, value);
  }
});

Deno.test("retry-after memory: the next short run sends nothing before the time PLATO asked for", async () => {
  const server = new FakePlato().start();
  let now = T0;
  const state = new MemoryState();
  // What the runs' durable outbox is to the CLI: tiles left wait for the next run.
  const outbox = new MemoryOutbox();
  const run = async (tiles: number) => {
    const memory = await loadBatchMemory(state, server.url, now);
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url, now: () => now }),
      outbox,
      autoFlush: false,
      now: () => now,
      sleep: () => Promise.resolve(),
    });
    if (memory.retryAfterUntil) emitter.holdUntil(memory.retryAfterUntil);
    for (let i = 0; i < tiles; i++) {
      emitter.emit(buildTile({
        scoutName: "t",
        room: "r/x",
        checkpointType: "periodic",
        question: `tile ${now} ${i}`,
        answer: { note: "an answer long enough to pass", i },
      }));
    }
    const report = await emitter.drain({ deadlineMs: 10_000 });
    await memory.save(emitter.retryAfterUntil);
    return { report, memory };
  };
  try {
    server.faults.push({
      status: 429,
      body: { error: "slow down" },
      headers: { "retry-after": "120" },
    });
    const first = await run(1);
    assert.equal(first.report.pending, 1);
    assert.equal(server.requests.length, 1);
    assert.equal(JSON.parse(state.get(RETRY_AFTER_KEY)!).until, T0 + 120_000);
    // A minute later: no request at all, and the report says why.
    now = T0 + 60_000;
    const second = await run(1);
    assert.equal(server.requests.length, 1, "the second run sent nothing");
    assert.equal(second.memory.retryAfterUntil, T0 + 120_000);
    assert.match(second.report.lastError ?? "", /Retry-After.*2026-12-03T12:02:00\.000Z/);
    // Once the time has passed: everything goes, and the note is removed.
    now = T0 + 121_000;
    const third = await run(0);
    assert.equal(third.report.pending, 0);
    assert.equal(server.stored.length, 2);
    assert.equal(state.get(RETRY_AFTER_KEY), undefined);
    // Another PLATO is not held by this one's Retry-After.
    state.set(RETRY_AFTER_KEY, JSON.stringify({ url: "http://other.example", until: now + 1e6 }));
    assert.equal((await loadBatchMemory(state, server.url, now)).retryAfterUntil, 0);
  } finally {
    server.stop();
  }
});
