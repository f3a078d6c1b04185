/**
 * Whether PLATO has `POST /submit_batch`, remembered across short runs.
 *
 * A server without the batch endpoint answers it with 404, and the client
 * then sends each tile to `/submit`. A long run learns that once; a Worker
 * invocation or a cron `--once` run would learn it again every time, at the
 * price of one request (on a Worker, one of its few delivery subrequests).
 * This keeps the answer in the run's state store for an hour, then asks again
 * (the server may have been upgraded).
 *
 * @module
 */

import { redactUrl } from "./redact.ts";
import type { StateStore } from "./state.ts";

/** The state key (outside every scout's `<name>:` namespace). */
export const NO_BATCH_KEY = "plato-scout:no-submit-batch";

/** How long a server's missing `/submit_batch` is taken as known before asking again (ms). */
export const NO_BATCH_RECHECK_MS = 3_600_000;

/** What a run passes to `createPlatoClient`, and saves when it is done. */
export interface BatchMemory {
  /** `batch` for the client: false while a recent run found no `/submit_batch`. */
  readonly batch: boolean;
  /** `onNoBatch` for the client. */
  readonly onNoBatch: () => void;
  /** Write what this run learnt (nothing when it learnt nothing). */
  save(): Promise<void>;
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
  let learnt = false;
  return {
    batch,
    onNoBatch: () => {
      learnt = true;
    },
    save: async () => {
      if (!learnt) return;
      await state.set(
        NO_BATCH_KEY,
        JSON.stringify({ url: server, until: now + NO_BATCH_RECHECK_MS }),
      );
    },
  };
}
