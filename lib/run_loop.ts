import { globalTimers, type Timers } from "./timers.ts";

/** Options of {@linkcode runEvery}. */
export interface RunEveryOptions {
  /** Period in ms (> 0). */
  intervalMs: number;
  /** Stops the loop; the running cycle finishes first. */
  signal?: AbortSignal;
  /** Epoch ms now. Default `Date.now`. */
  now?: () => number;
  /** Abortable sleep. Default a timer that resolves early on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called with how many cycles were skipped because one overran. */
  onSkip?: (skipped: number) => void;
  /** Run the first cycle at once (default true) or after one interval. */
  immediate?: boolean;
  /** Timers that count, as they pass, the due times a running cycle makes skip. Default the global ones. */
  timers?: Timers;
}

/**
 * An abortable sleep on web-standard timers.
 *
 * @param ms Milliseconds.
 * @param signal Resolves early (never rejects) when aborted.
 * @returns A promise that resolves after `ms` or on abort.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(id);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const id = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Run `cycle` on a drift-free schedule (due times are start + k·interval, not
 * "interval after the last one ended"). Cycles never overlap: a cycle that
 * overruns makes the missed due times be skipped and counted, not queued;
 * each is counted when it passes, so a stuck cycle shows while it is stuck.
 * Resolves when `signal` aborts, after the running cycle finishes.
 *
 * @param cycle One observation cycle; its errors are the caller's to catch.
 * @param options Interval, signal, and injectable clock and sleep.
 * @returns How many cycles ran and how many were skipped.
 *
 * @example Three cycles on a fake clock
 * ```ts
 * import { runEvery } from "@plato/scout";
 * let t = 0;
 * const ac = new AbortController();
 * let runs = 0;
 * await runEvery(() => { if (++runs === 3) ac.abort(); }, {
 *   intervalMs: 1000, signal: ac.signal, now: () => t, sleep: async (ms) => { t += ms; },
 * });
 * console.log(runs, t); // 3 2000
 * ```
 */
export async function runEvery(
  cycle: () => unknown,
  options: RunEveryOptions,
): Promise<{ runs: number; skipped: number }> {
  const { intervalMs, signal } = options;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new RangeError(
      `Cannot run: 'intervalMs' must be a number greater than 0, got ${intervalMs}`,
    );
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const timers = options.timers ?? globalTimers;
  const start = now();
  let k = options.immediate === false ? 1 : 0;
  let runs = 0;
  let skipped = 0;
  const skip = (n: number) => {
    skipped += n;
    options.onSkip?.(n);
  };
  while (!signal?.aborted) {
    const due = start + k * intervalMs;
    const wait = due - now();
    if (wait > 0 || runs > 0) {
      // Even when the next cycle is due already, yield to the event loop: a
      // cycle that settles in microtasks alone (a fetch refused before any
      // I/O) would otherwise starve timers and signal handlers, the stop included.
      await sleep(Math.max(0, wait), signal);
      if (signal?.aborted) break;
    }
    let counted = 0;
    let timer: unknown;
    const arm = () => {
      const due = start + (k + 1 + counted) * intervalMs;
      timer = timers.setTimeout(() => {
        if (signal?.aborted) return;
        if (now() >= due) {
          counted++;
          skip(1);
        }
        arm();
      }, Math.max(0, due - now()));
    };
    // A stop ends the counting (a cycle left running must not keep a timer).
    const stopCounting = () => timers.clearTimeout(timer);
    signal?.addEventListener("abort", stopCounting, { once: true });
    arm();
    try {
      await cycle();
    } finally {
      stopCounting();
      signal?.removeEventListener("abort", stopCounting);
    }
    runs++;
    // The next due time strictly after now; the ones in between were missed
    // (those counted while the cycle ran, and any left).
    const elapsed = now() - start;
    const next = Math.max(k + 1, Math.floor(elapsed / intervalMs) + 1);
    const missed = next - (k + 1) - counted;
    if (missed > 0) skip(missed);
    k = next;
  }
  return { runs, skipped };
}
