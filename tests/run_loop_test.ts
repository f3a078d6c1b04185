import assert from "node:assert/strict";
import { runEvery } from "../mod.ts";
import { FakeClock } from "./_support/fake_clock.ts";

Deno.test("runEvery() keeps due times on the grid (no drift from cycle duration)", async () => {
  let t = 0;
  const starts: number[] = [];
  const ac = new AbortController();
  await runEvery(() => {
    starts.push(t);
    t += 300; // each cycle takes 300 ms
    if (starts.length === 4) ac.abort();
  }, {
    intervalMs: 1000,
    signal: ac.signal,
    now: () => t,
    sleep: (ms) => Promise.resolve(void (t += ms)),
  });
  assert.deepEqual(starts, [0, 1000, 2000, 3000]);
});

Deno.test("runEvery() skips and counts due times missed by an overrunning cycle instead of queueing them", async () => {
  let t = 0;
  const starts: number[] = [];
  const skips: number[] = [];
  const ac = new AbortController();
  const r = await runEvery(() => {
    starts.push(t);
    t += starts.length === 2 ? 3500 : 10;
    if (starts.length === 4) ac.abort();
  }, {
    intervalMs: 1000,
    signal: ac.signal,
    now: () => t,
    sleep: (ms) => Promise.resolve(void (t += ms)),
    onSkip: (n) => skips.push(n),
  });
  assert.deepEqual(starts, [0, 1000, 5000, 6000]);
  assert.deepEqual(skips, [3]);
  assert.deepEqual(r, { runs: 4, skipped: 3 });
});

/** runEvery's options on a fake clock: 1 s interval, stopped by `ac`, skips into `skips`. */
function onClock(clock: FakeClock, ac: AbortController, skips: number[]) {
  return {
    intervalMs: 1000,
    signal: ac.signal,
    now: clock.now,
    sleep: clock.sleep,
    timers: clock,
    onSkip: (n: number) => skips.push(n),
  };
}

Deno.test("runEvery() counts each due time a stuck cycle misses as it passes, not when the cycle ends", async () => {
  const clock = new FakeClock(0);
  const skips: number[] = [];
  const ac = new AbortController();
  let release = () => {};
  const starts: number[] = [];
  const done = runEvery(() => {
    if (starts.push(clock.t) === 2) ac.abort();
    return new Promise<void>((r) => (release = r));
  }, {
    ...onClock(clock, ac, skips),
  });
  await clock.advance(3500); // the first cycle hangs past three due times
  assert.deepEqual(skips, [1, 1, 1]);
  release();
  await clock.advance(0);
  await clock.advance(500); // the next cycle runs at 4000, on the grid
  release();
  assert.deepEqual(await done, { runs: 2, skipped: 3 });
  assert.deepEqual(starts, [0, 4000]);
  assert.deepEqual(skips, [1, 1, 1]);
});

Deno.test("runEvery() stops counting at a stop, though the cycle still runs", async () => {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const skips: number[] = [];
  void runEvery(() => new Promise<void>(() => {}), {
    ...onClock(clock, ac, skips),
  });
  await clock.advance(1500);
  assert.deepEqual(skips, [1]);
  ac.abort();
  assert.deepEqual(clock.pending, [], "a timer outlives the stop");
  await clock.advance(5000);
  assert.deepEqual(skips, [1]);
});

Deno.test("runEvery() never runs two cycles at once", async () => {
  let running = 0;
  let max = 0;
  let t = 0;
  const ac = new AbortController();
  let n = 0;
  await runEvery(async () => {
    running++;
    max = Math.max(max, running);
    await Promise.resolve();
    t += 2500;
    running--;
    if (++n === 5) ac.abort();
  }, {
    intervalMs: 1000,
    signal: ac.signal,
    now: () => t,
    sleep: (ms) => Promise.resolve(void (t += ms)),
  });
  assert.equal(max, 1);
});

Deno.test("runEvery() stops promptly when aborted during a sleep", async () => {
  const ac = new AbortController();
  let runs = 0;
  const done = runEvery(() => void runs++, { intervalMs: 3_600_000, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 0));
  ac.abort();
  assert.deepEqual(await done, { runs: 1, skipped: 0 });
});

Deno.test("runEvery() refuses a non-positive interval", async () => {
  await assert.rejects(
    runEvery(() => {}, { intervalMs: 0 }),
    /'intervalMs' must be a number greater than 0/,
  );
});

Deno.test("runEvery() yields to the event loop between cycles that are always due, so a stop gets through", async () => {
  // 1e-6 ms: below the clock's resolution, every cycle is due at once. A
  // cycle settling in microtasks alone (a fetch refused before any I/O)
  // then starved the timer that stops the loop.
  const ac = new AbortController();
  let stoppedByTimer = false;
  setTimeout(() => {
    stoppedByTimer = true;
    ac.abort();
  }, 5);
  let runs = 0;
  let t = Date.now(); // a clock that moves on every look, as a busy one does
  await runEvery(async () => {
    await Promise.reject(new TypeError("refused")).catch(() => {});
    if (++runs === 200_000) ac.abort(); // a safety net: without the yield the loop ends here
  }, { intervalMs: 1e-6, signal: ac.signal, now: () => (t += 1) });
  assert.ok(stoppedByTimer, `the timer never fired in ${runs} cycles`);
});
