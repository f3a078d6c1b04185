/**
 * `zod/mini`, set up the way classic `zod` sets itself up, for the schemas on
 * the Cloudflare Worker's path (config, tiles, the HTTP and Keeper scouts).
 * zod/mini's functional API lets the bundler keep only the checks in use: the
 * Worker bundle's budget (40 KB gzipped) has no room for classic zod.
 *
 * Classic zod installs English messages and its memoizer (which lets a
 * recursive schema such as `json()` parse a cyclic value) on first use;
 * zod/mini does neither. Both APIs share zod's core and its global config, so
 * the same defaults are set here, only where none is set yet: messages and
 * results stay the same whichever API built a schema, and wherever it runs,
 * with or without classic zod loaded.
 *
 * Import zod/mini from here (`import * as z from "./_zod_mini.ts"`), not from
 * "zod/mini", so the defaults are in place before a schema is built.
 *
 * @module
 */
import { config, memoizer } from "zod/mini";
import { englishError } from "./_zod_en.ts";

const current = config();
if (!current.localeError) config({ localeError: englishError });
if (!current.memoizer) config({ memoizer: memoizer() });

export * from "zod/mini";
