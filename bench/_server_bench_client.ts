/// <reference lib="deno.worker" />
/**
 * The load generator of `server_bench.ts`, in a worker so that client work
 * (sending bodies, parsing answers) does not run on the server's thread.
 *
 * @module
 */
self.onmessage = async (
  event: MessageEvent<{ url: string; bodies: string[]; concurrency: number }>,
) => {
  const { url, bodies, concurrency } = event.data;
  const start = performance.now();
  let accepted = 0;
  let next = 0;
  // A few requests in flight, as several scouts would have: the server never idles on a round trip.
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const response = await fetch(`${url}/submit_batch`, { method: "POST", body });
      accepted += (await response.json()).accepted;
    }
  }));
  self.postMessage({ accepted, ms: performance.now() - start });
};
