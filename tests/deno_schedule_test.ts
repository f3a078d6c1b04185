import assert from "node:assert/strict";
import { cronFor, type DenoCron, scheduleScout } from "../lib/runtime/deno_schedule.ts";
import { createLogger, createPlatoClient, Emitter, Scout } from "../mod.ts";

Deno.test("cronFor expresses whole-minute intervals cron can keep exactly, and nothing else", () => {
  assert.equal(cronFor(60), "* * * * *");
  assert.equal(cronFor(300), "*/5 * * * *");
  assert.equal(cronFor(1800), "*/30 * * * *");
  assert.equal(cronFor(3600), "0 * * * *");
  assert.equal(cronFor(6 * 3600), "0 */6 * * *");
  assert.equal(cronFor(86400), "0 0 * * *");
  assert.equal(cronFor(30), undefined);
  assert.equal(cronFor(420), undefined); // 7 minutes does not divide an hour
  assert.equal(cronFor(5 * 3600), undefined);
});

function slowScout() {
  let release: () => void = () => {};
  let calls = 0;
  class Slow extends Scout {
    protected override collect() {
      calls++;
      return new Promise<Record<string, unknown>>((r) => (release = () => r({})));
    }
  }
  const scout = new Slow({
    scoutName: "slow",
    scoutRoom: "r",
    platoUrl: "http://127.0.0.1:9",
    logger: createLogger({ level: "silent" }),
    emitter: new Emitter({
      client: createPlatoClient({ url: "http://127.0.0.1:9" }),
      autoFlush: false,
    }),
  });
  return { scout, release: () => release(), calls: () => calls };
}

Deno.test("with cron, a trigger that arrives while a cycle runs is skipped and counted, never overlapped", async () => {
  const { scout, release, calls } = slowScout();
  let handler: () => unknown = () => {};
  let name = "";
  const fakeCron: DenoCron = (n, _schedule, _opts, h) => {
    name = n;
    handler = h;
    return new Promise(() => {});
  };
  const ac = new AbortController();
  const { mode, done } = scheduleScout(scout, {
    intervalSeconds: 60,
    signal: ac.signal,
    cronImpl: fakeCron,
  });
  assert.equal(mode, "cron");
  assert.equal(name, "plato-scout slow");
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(calls(), 1); // the first cycle runs at once
  handler();
  handler();
  assert.equal(calls(), 1);
  assert.equal(scout.counts.skipped, 2);
  release();
  await new Promise((r) => setTimeout(r, 0));
  const next = handler();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(calls(), 2);
  release();
  await next;
  ac.abort();
  await done;
});

Deno.test("a cron Deno refuses falls back to the timer instead of stopping the scout", async () => {
  const { scout, release } = slowScout();
  const refusing: DenoCron = () => {
    throw new TypeError("Invalid cron schedule");
  };
  const ac = new AbortController();
  const { mode, done } = scheduleScout(scout, {
    intervalSeconds: 60,
    signal: ac.signal,
    cronImpl: refusing,
  });
  assert.equal(mode, "timer");
  await new Promise((r) => setTimeout(r, 0)); // the first cycle is under way
  ac.abort();
  release();
  await done;
});
