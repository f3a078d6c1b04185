/**
 * A Cloudflare Worker that runs scouts on Cron Triggers. The scouts come from
 * the SCOUTS var in wrangler.toml (scout.yaml as JSON); PLATO_API_KEY and
 * SCOUT_TRIGGER_TOKEN are secrets (`wrangler secret put ...`).
 *
 * Outside this repository, import from the package instead:
 *   import { createWorker } from "@plato/scout/cloudflare";
 *   import { httpScout, keeperScout } from "@plato/scout/scouts";
 *
 * @module
 */
import { createWorker } from "../../lib/runtime/cloudflare.ts";
import { httpScout } from "../../scouts/http.ts";
import { keeperScout } from "../../scouts/keeper.ts";

export default createWorker({ kinds: [httpScout, keeperScout] });
