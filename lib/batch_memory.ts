/**
 * What short runs remember about their PLATO: whether it has
 * `POST /submit_batch`, and a `Retry-After` it asked for.
 *
 * A server without the batch endpoint answers it with 404, and the client
 * then sends each tile to `/submit`. A long run learns that once; a Worker
 * invocation or a cron `--once` run would learn it again every time, at the
 * price of one request (on a Worker, one of its few delivery subrequests).
 * This keeps the answer in the run's state store for an hour, then asks again
 * (the server may have been upgraded).
 *
 * A 429 or 503 with `Retry-After` asks for a wait that outlasts a short run;
 * the next run, a minute later, would send again at once. The time PLATO
 * asked for is kept too, and the next run sends nothing before it.
 *
 * @module
 */

import { redactUrl } from "./redact.ts";
import type { StateStore } from "./state.ts";

/** The state key (outside every scout's `<name>:` namespace). */
export const NO_BATCH_KEY = "plato-scout:no-submit-batch";

/** The state key of a `Retry-After` that outlasted its run. */
export const RETRY_AFTER_KEY = "plato-scout:retry-after";

/** How long a server's missing `/submit_batch` is taken as known before asking again (ms). */
export const NO_BATCH_RECHECK_MS = 3_600_000;

/** What a run passes to `createPlatoClient`, and saves when it is done. */
export interface BatchMemory {
  /** `batch` for the client: false while a recent run found no `/submit_batch`. */
  readonly batch: boolean;
  /** `onNoBatch` for the client. */
  readonly onNoBatch: () => void;
  /**
   * Epoch ms before which an earlier run was asked (`Retry-After`) to send
   * nothing more; 0 when none is pending. Pass it to `Emitter.holdUntil`.
   */
  readonly retryAfterUntil: number;
  /**
   * Write what this run learnt (nothing when it learnt nothing).
   *
   * @param retryAfterUntil The emitter's `retryAfterUntil` at the run's end.
   */
  save(retryAfterUntil?: number): Promise<void>;
}

/**
 * Read what earlier runs learnt about `url`'s batch endpoint from `state`.
 *
 * @param state The run's state store.
 * @param url The PLATO URL (kept without credentials).
 * @param now Epoch milliseconds now.
 * @returns The client options and a `save` for the end of the run.
 */
export async function loadBatchMemory(
  state: StateStore,
  url: string,
  now: number,
): Promise<BatchMemory> {
  const server = redactUrl(url);
  let batch = true;
  try {
    const saved = JSON.parse((await state.get(NO_BATCH_KEY)) ?? "null");
    if (saved?.url === server && typeof saved.until === "number" && now < saved.until) {
      batch = false;
    }
  } catch {
    // Unreadable: ask the server again.
  }
  let retryAfterUntil = 0, savedRetryAfter = false;
  try {
    const saved = JSON.parse((await state.get(RETRY_AFTER_KEY)) ?? "null");
    savedRetryAfter = saved !== null;
    if (saved?.url === server && typeof saved.until === "number" && now < saved.until) {
      retryAfterUntil = saved.until;
    }
  } catch {
    // Unreadable: send.
  }
  let learnt = false;
  return {
    batch,
    retryAfterUntil,
    onNoBatch: () => {
      learnt = true;
    },
    save: async (until = 0) => {
      if (learnt) {
        await state.set(
          NO_BATCH_KEY,
          JSON.stringify({ url: server, until: now + NO_BATCH_RECHECK_MS }),
        );
      }
      if (until > now) {
        if (until !== retryAfterUntil) {
          await state.set(RETRY_AFTER_KEY, JSON.stringify({ url: server, until }));
        }
      } else if (savedRetryAfter) {
        await state.delete(RETRY_AFTER_KEY);
      }
    },
  };
}
