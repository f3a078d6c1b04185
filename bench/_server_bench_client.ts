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
  let partial: string | undefined;
  let next = 0;
  // A few requests in flight, as several scouts would have: the server never idles on a round trip.
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const response = await fetch(`${url}/submit_batch`, { method: "POST", body });
      const text = await response.text();
      let answer: { accepted?: number } = {};
      try {
        answer = JSON.parse(text);
      } catch { /* reported below */ }
      if (answer.accepted !== (JSON.parse(body).tiles as unknown[]).length) {
        partial ??= `${response.status} ${text.slice(0, 300)}`;
      }
      accepted += answer.accepted ?? 0;
    }
  }));
  self.postMessage({ accepted, ms: performance.now() - start, partial });
};
