/**
 * The comparison of `cli_once_bench.ts`: the least a Deno script can do to get
 * one observation acknowledged by PLATO. One `fetch` of the target, one
 * `POST /submit` of a hand-built tile, exit 0 when the server answered 2xx.
 * No imports, no validation, no outbox, no state.
 *
 *     deno run -A bench/_minimal_once.ts <target-url> <plato-url> <room>
 *
 * @module
 */
const [target, plato, room] = Deno.args;
const start = performance.now();
const res = await fetch(target);
const body = await res.text();
const latencyMs = performance.now() - start;
const tile = {
  id: crypto.randomUUID(),
  domain: room,
  question: "[PERIODIC] minimal script observation",
  answer: JSON.stringify({ url: target, status: res.status, bytes: body.length, latencyMs }),
  tags: ["scout", "minimal", "checkpoint:periodic"],
  confidence: 0.9,
  source: "minimal-once",
  timestamp: new Date().toISOString(),
};
const ack = await fetch(`${plato}/submit`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(tile),
});
await ack.body?.cancel();
Deno.exit(ack.ok ? 0 : 1);
