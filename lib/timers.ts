/**
 * Timer functions the core takes as options, so tests can drive time and a
 * runtime can supply its own.
 *
 * @module
 */

/** Timer functions, injectable for tests; default the global ones. */
export interface Timers {
  /** Schedule `fn` after `ms` milliseconds; returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancel a handle from `setTimeout`. */
  clearTimeout(id: unknown): void;
}

/** The global `setTimeout` and `clearTimeout`. */
export const globalTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/**
 * Wait `ms` on `timers`; an abort of `signal` clears the timer and ends the wait.
 *
 * @param timers Where the timer is set.
 * @param ms How long.
 * @param signal Ends the wait early.
 * @returns Resolves after `ms`, or at the abort (never rejects).
 */
export function sleepOn(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timers.clearTimeout(id);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const id = timers.setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Timers built on `AbortSignal.timeout()`, for **deadlines of work that keeps
 * the runtime alive on its own**, such as a request in flight. Such a timer
 * does not keep a process alive (Deno, Node and Bun do not wait for it), so
 * never use it for a sleep. A cleared one stops calling `fn` but stays in the
 * runtime's timer queue until it would have fired, so it suits a few
 * requests, not thousands a second.
 *
 * Why it exists: on Deno the first `setTimeout` call loads the Node
 * compatibility timers (about 12 ms), while `AbortSignal.timeout` uses the
 * runtime's own; the CLI's `--once` run makes two requests and needs nothing
 * else from timers.
 *
 * @example A deadline that is met
 * ```ts
 * import { deadlineTimers } from "./timers.ts";
 * let fired = false;
 * const id = deadlineTimers.setTimeout(() => fired = true, 60_000);
 * await fetch("data:,ok").then((r) => r.text());
 * deadlineTimers.clearTimeout(id);
 * if (fired) throw new Error("a cleared deadline fired");
 * ```
 */
export const deadlineTimers: Timers = {
  setTimeout(fn, ms) {
    const signal = AbortSignal.timeout(Math.max(0, ms));
    const onTimeout = () => fn();
    signal.addEventListener("abort", onTimeout, { once: true });
    return { signal, onTimeout };
  },
  clearTimeout(id) {
    const handle = id as { signal?: AbortSignal; onTimeout?: () => void } | undefined;
    if (handle?.signal && handle.onTimeout) {
      handle.signal.removeEventListener("abort", handle.onTimeout);
    }
  },
};
