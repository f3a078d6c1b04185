import assert from "node:assert/strict";
import { loadBatchMemory, NO_BATCH_KEY, NO_BATCH_RECHECK_MS } from "../lib/batch_memory.ts";
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
