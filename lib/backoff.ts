/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** First delay ceiling in ms. Default 500. */
  baseMs?: number;
  /** Largest delay ceiling in ms. Default 60,000. */
  capMs?: number;
  /** Largest `Retry-After` honoured, in ms. Default 600,000. */
  maxRetryAfterMs?: number;
}

/**
 * Exponential backoff with full jitter: a random delay in
 * [0, min(cap, base·2^(failures-1))), raised to `Retry-After` when the
 * server asked for longer.
 *
 * @param failures Consecutive failures so far (>= 1).
 * @param random A uniform random number in [0, 1).
 * @param retryAfterMs The server's `Retry-After`, if any.
 * @param options Base and cap.
 * @returns Milliseconds to wait.
 *
 * @example Compute a delay
 * ```ts
 * import { backoffDelay } from "@plato/scout";
 * console.log(backoffDelay(3, 0.5)); // 1000
 * ```
 */
export function backoffDelay(
  failures: number,
  random: number,
  retryAfterMs?: number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const jittered = Math.floor(random * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, options.maxRetryAfterMs ?? 600_000));
}
