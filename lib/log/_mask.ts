/**
 * Keep credentials that applications write into their logs, and control
 * characters, out of tiles: applied to what a tile shows of a matching line
 * (samples, examples, signatures), never in the scan. Private to the log
 * scout.
 *
 * @module
 */

import { isSensitiveQueryName, maskQuerySecrets } from "../redact.ts";

// Linear time on any line: the URL user info and key-word patterns start
// only where a run of their characters starts (a lookbehind, not `\b`), as
// from each `\b` inside a run (`a-a-a-...`) they would scan to its end again
// (tens of milliseconds on an 8 KiB line); and a pair's value is found once,
// however many names inside it are looked into (`password:password:...`
// took seconds).

/** `scheme://user:password@`: the user info of a URL, after the run of scheme characters it ends. */
const URL_USER_INFO = /(?<![a-z0-9+.-])([a-z0-9+.-]+:\/\/)[^\s/?#@"'<>]+@/gi;
/** An auth scheme and its token (`Bearer eyJ...`, `Basic dXNlcjpw...`). */
const AUTH_SCHEME = /\b(bearer|basic|token)(\s+)([A-Za-z0-9\-._~+/<>]{8,}=*)/gi;
/** `name=`, `name: `, `"name": ` before a value (the name is checked afterwards). */
const PAIR_HEAD = /(["']?)([A-Za-z][A-Za-z0-9_.-]{0,40})\1(\s*[=:]\s*)/g;
/** What ends a pair's unquoted value. */
const VALUE_END = /[\s"'&,;<>{}()[\]]/g;
/** A word ending in a key-ish word, a space, and a long value (`secret wJalrXUtnFDEMI/K7MDENG/...`). */
const NAMED_KEY =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:secret|key|token|passw(?:or)?d|credential|signature)s?)(\s+)([A-Za-z0-9/+=_<>.-]{16,})/gi;
/** An AWS access key id. */
const AWS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;

/**
 * Whether a token looks like a generated key rather than a word: it has a
 * digit, or a lower-case letter followed on its line by a capital.
 */
function keyLike(value: string): boolean {
  let lower = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57 || lower && c >= 65 && c <= 90) return true;
    if (c >= 97 && c <= 122) lower = true;
    else if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) lower = false;
  }
  return false;
}

/** Whether an auth scheme's token looks like one (`Basic authentication` does not). */
function tokenLike(value: string): boolean {
  return /[\d._~+/=<-]/.test(value);
}

/**
 * Mask the credentials a log line may hold: URL user info, the values of
 * credential-named query parameters and `name=value` / `name: value` pairs
 * (names as {@linkcode isSensitiveQueryName} has them: password, token,
 * secret, api_key...; after `:` only when the name is quoted or the value
 * looks generated), auth scheme tokens (`Bearer ...`), long generated values
 * after a key-ish word (`secret wJalrXUtnFDEMI/K7MDENG/...`) and AWS access
 * key ids. Each becomes `***`. Linear in the text's length.
 *
 * @param text A line, or a signature, as a tile would show it.
 * @returns The text with its credentials masked.
 */
export function maskLogCredentials(text: string): string {
  const out = maskQuerySecrets(text)
    .replace(URL_USER_INFO, (whole, run: string, at: number, all: string) =>
      // A scheme starts with a letter at a word boundary in the run.
      /[+.-][a-z]/i.test(run) || /^[a-z]/i.test(run) && all[at - 1] !== "_" ? `${run}***@` : whole)
    .replace(
      AUTH_SCHEME,
      (whole, scheme: string, gap: string, token: string) =>
        tokenLike(token) ? `${scheme}${gap}***` : whole,
    );
  return maskPairs(out)
    .replace(
      NAMED_KEY,
      (whole, name: string, gap: string, value: string) =>
        keyLike(value) ? `${name}${gap}***` : whole,
    )
    .replace(AWS_KEY_ID, "***");
}

/**
 * Mask the values of credential-named pairs. A pair whose name is not one
 * is looked into (`msg="password=x"`). A value is `"..."`, `'...'` or a run
 * up to {@linkcode VALUE_END}; with no value, the search goes on at the next
 * character.
 */
function maskPairs(text: string): string {
  // The next `"`, `'` or value end at or after a place, found once: the
  // place only moves on, and the answer holds until the place passes it.
  const found: Record<string, [from: number, at: number]> = {};
  const next = (what: string, from: number): number => {
    const known = found[what];
    if (known && known[0] <= from && from <= known[1]) return known[1];
    let at: number;
    if (what) at = text.indexOf(what, from);
    else {
      VALUE_END.lastIndex = from;
      at = VALUE_END.exec(text)?.index ?? -1;
    }
    found[what] = [from, at < 0 ? text.length : at];
    return found[what][1];
  };
  // A value found not key-like, and the earliest place it was read from: a
  // value inside it that ends with it is not key-like either.
  let plainEnd = -1, plainFrom = 0;
  const generated = (from: number, end: number): boolean => {
    if (end === plainEnd && from >= plainFrom) return false;
    if (keyLike(text.slice(from, end))) return true;
    [plainEnd, plainFrom] = [end, from];
    return false;
  };
  let out = "", from = 0;
  PAIR_HEAD.lastIndex = 0;
  for (let m = PAIR_HEAD.exec(text); m !== null; m = PAIR_HEAD.exec(text)) {
    const [head, q, name, sep] = m;
    const start = m.index + head.length;
    const quote = text[start] === '"' || text[start] === "'" ? text[start] : "";
    const end = quote ? next(quote, start + 1) : next("", start);
    if (quote ? end === text.length : end === start) {
      PAIR_HEAD.lastIndex = m.index + 1;
      continue;
    }
    const inner = text.slice(start + quote.length, end);
    if (
      inner !== "" && inner !== "***" && isSensitiveQueryName(name) &&
      (sep.includes("=") || q !== "" || generated(start + quote.length, end))
    ) {
      out += text.slice(from, m.index) + head + (quote ? `${quote}***${quote}` : "***");
      from = end + quote.length;
      PAIR_HEAD.lastIndex = from;
    } else PAIR_HEAD.lastIndex = start;
  }
  return out + text.slice(from);
}

/** C0 controls but tab, DEL, C1 controls, and the bidi embedding, override and isolate marks. */
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Show the control characters of a log line as escapes (`\x1b`, `\u202e`),
 * so that a tile read in a terminal cannot set its title, clear it or turn
 * text around.
 *
 * @param text A line, or a signature, as a tile would show it.
 * @returns The text with no control character but tab.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
}
