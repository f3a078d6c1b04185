/**
 * The startup tile once per configuration, for runs that start a process (or
 * an isolate) per cycle: a `--once` cron job, a Worker's scheduled trigger.
 * The startup tile documents what a scout watches and how to read its tiles;
 * sent on every such run it would repeat the same contract once a minute.
 *
 * @module
 */
import { fingerprint } from "./fingerprint.ts";
import { Scout } from "./scout.ts";
import type { StateStore } from "./state.ts";

/**
 * Skip the startup tile of each scout whose configuration sent it before, as
 * recorded in `state` under `keyPrefix` + the scout's name.
 *
 * What is recorded is a 64-bit hash of the configuration, never the
 * configuration itself: it may hold credentials. A scout whose class
 * overrides `onStartup` keeps it (it may do more than send the tile).
 *
 * @param scouts The scouts about to start, each with its configuration and
 * the PLATO it reports to, as text; what its startup tile would say
 * ({@linkcode Scout.startupContract}) is added, so a change that reaches the
 * tile from elsewhere (an environment variable, a new version) sends it too.
 * @param state Where the hashes are kept.
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
  const sent: Array<[key: string, hash: string]> = [];
  for (const { scout, print } of scouts) {
    if (scout.onStartup !== Scout.prototype.onStartup) continue;
    let contract: string;
    try {
      contract = JSON.stringify(scout.startupContract());
    } catch {
      continue; // its startup reports the failure (an ERROR tile)
    }
    const key = keyPrefix + scout.scoutName;
    const hash = fingerprint(print + contract);
    if ((await state.get(key)) === hash) {
      scout.onStartup = () => {};
    } else {
      // Recorded only if the tile was queued (a run stopped before the scout started sends none).
      scout.onStartup = () => {
        Scout.prototype.onStartup.call(scout);
        sent.push([key, hash]);
      };
    }
  }
  return async () => {
    for (const [key, hash] of sent.splice(0)) await state.set(key, hash);
  };
}
