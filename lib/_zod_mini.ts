/**
 * `zod/mini`, set up for the schemas on the Cloudflare Worker's path (config,
 * tiles, the HTTP and Keeper scouts). zod/mini's functional API lets the
 * bundler keep only the checks in use: the Worker bundle's budget (40 KB
 * gzipped) has no room for classic zod.
 *
 * Messages are the project's own (`_zod_messages.ts`): installed as the
 * default when no other is set, and passed explicitly by every parse of ours.
 * No schema here is recursive (`json_equals` is checked by hand), so zod's
 * memoizer, which classic zod installs for `json()` and `lazy()` on cyclic
 * values, is not set up: it would add ~1.2 KB gzipped to the Worker bundle.
 *
 * Import zod/mini from here (`import * as z from "./_zod_mini.ts"`), not from
 * "zod/mini", so the messages are in place before a schema is built.
 *
 * @module
 */
import { config, type core, refine } from "zod/mini";
import { zodMessages } from "./_zod_messages.ts";

const current = config();
// A default for parses that pass no messages of their own (a library user's);
// the project's own parses pass them explicitly (PARSE_OPTIONS).
if (!current.localeError) config({ localeError: zodMessages });

export * from "zod/mini";

/**
 * A whole number, as `z.number().check(whole)`: what `z.int()` checks,
 * without zod's number formats, which cost the Worker bundle ~0.35 KB
 * gzipped. The JSON Schema still says `integer` (see configJsonSchema).
 */
export const whole: core.$ZodCheck<number> = refine(Number.isInteger, {
  error: "expected a whole number",
});

/** Whether `value` parses as an http or https URL. */
function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * An http or https URL, as `z.string().check(httpUrl)`: what
 * `z.url({ protocol: /^https?$/ })` checks, without zod's URL format (~0.5 KB
 * gzipped in the Worker bundle). The JSON Schema still says `uri`.
 */
export const httpUrl: core.$ZodCheck<string> = refine(isHttpUrl, {
  error: "expected an http or https URL",
});
