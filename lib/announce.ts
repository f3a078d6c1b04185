/**
 * The startup tile once per configuration, for runs that start a process (or
 * an isolate) per cycle: a `--once` cron job, a Worker's scheduled trigger.
 * The startup tile documents what a scout watches and how to read its tiles;
 * sent on every such run it would repeat the same contract once a minute.
 *
 * @module
 */
import { Scout } from "./scout.ts";
import type { StateStore } from "./state.ts";

/**
 * Skip the startup tile of each scout whose configuration sent it before, as
 * recorded in `state` under `keyPrefix` + the scout's name.
 *
 * What is recorded is a SHA-256 digest of the configuration, never the
 * configuration itself: it may hold credentials. A scout whose class
 * overrides `onStartup` keeps it (it may do more than send the tile).
 *
 * @param scouts The scouts about to start, each with what defines its contract
 * (its configuration, and the PLATO it reports to), as text.
 * @param state Where the digests are kept.
 * @param keyPrefix The state key prefix.
 * @returns A function recording the scouts that have sent their startup tile
 * since. Call it once those tiles are queued (a durable outbox writes them
 * before the state): recorded before, a crash in between would lose the tile
 * for good.
 */
export async function announceOncePerConfig(
  scouts: ReadonlyArray<{ scout: Scout<unknown>; print: string }>,
  state: StateStore,
  keyPrefix: string,
): Promise<() => Promise<void>> {
  const sent: Array<[key: string, digest: string]> = [];
  for (const { scout, print } of scouts) {
    if (scout.onStartup !== Scout.prototype.onStartup) continue;
    const key = keyPrefix + scout.scoutName;
    const digest = await sha256(print);
    if ((await state.get(key)) === digest) {
      scout.onStartup = () => {};
    } else {
      // Recorded only if the tile was queued (a run stopped before the scout started sends none).
      scout.onStartup = () => {
        Scout.prototype.onStartup.call(scout);
        sent.push([key, digest]);
      };
    }
  }
  return async () => {
    for (const [key, digest] of sent.splice(0)) await state.set(key, digest);
  };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
