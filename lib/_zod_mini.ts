/**
 * `zod/mini`, set up the way classic `zod` sets itself up, for the schemas on
 * the Cloudflare Worker's path (config, tiles, the HTTP and Keeper scouts).
 * zod/mini's functional API lets the bundler keep only the checks in use: the
 * Worker bundle's budget (40 KB gzipped) has no room for classic zod.
 *
 * Classic zod installs its memoizer (which lets a recursive schema such as
 * `json()` parse a cyclic value) on first use; zod/mini does not. Both APIs
 * share zod's core and its global config, so the memoizer is set here when
 * none is set yet, and results stay the same whichever API built a schema.
 * Messages are the project's own (`_zod_messages.ts`): installed as the
 * default when no other is set, and passed explicitly by every parse of ours.
 *
 * Import zod/mini from here (`import * as z from "./_zod_mini.ts"`), not from
 * "zod/mini", so the memoizer is in place before a schema is built.
 *
 * @module
 */
import { config, memoizer } from "zod/mini";
import { zodMessages } from "./_zod_messages.ts";

const current = config();
if (!current.memoizer) config({ memoizer: memoizer() });
// A default for parses that pass no messages of their own (a library user's);
// the project's own parses pass them explicitly (PARSE_OPTIONS).
if (!current.localeError) config({ localeError: zodMessages });

export * from "zod/mini";
