/**
 * Prints, as one JSON line, what `getEnv` reads for `PLATO_SCOUT_ENV_PROBE`
 * and for an unset variable, under whichever runtime runs it (bundled for
 * Node and Bun by `tests/env_test.ts`).
 *
 * @module
 */
import { getEnv } from "../../lib/env.ts";

console.log(JSON.stringify({
  value: getEnv("PLATO_SCOUT_ENV_PROBE") ?? null,
  unset: getEnv("PLATO_SCOUT_ENV_PROBE_UNSET") ?? null,
}));
