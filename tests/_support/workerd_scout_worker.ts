/**
 * The Worker the workerd test runs: the real `createWorker` with the Keeper
 * scout, configured from the environment like a deployed one; a short
 * delivery deadline keeps the PLATO-down case quick.
 *
 * @module
 */
import { createWorker } from "../../lib/runtime/cloudflare.ts";
import { keeperScout } from "../../scouts/keeper.ts";

export default createWorker({ kinds: [keeperScout], deadlineMs: 300 });
