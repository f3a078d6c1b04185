/**
 * Keep credentials that applications write into their logs, and control
 * characters, out of tiles: applied to what a tile shows of a matching line
 * (samples, examples, signatures), never in the scan. Private to the log
 * scout.
 *
 * @module
 */

import { isSensitiveQueryName, maskQuerySecrets } from "../redact.ts";

/** `scheme://user:password@`: the user info of a URL. */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
/** An auth scheme and its token (`Bearer eyJ...`, `Basic dXNlcjpw...`). */
const AUTH_SCHEME = /\b(bearer|basic|token)(\s+)([A-Za-z0-9\-._~+/<>]{8,}=*)/gi;
/** `name=value`, `name: value`, `"name": "value"` (the name is checked afterwards). */
const PAIR =
  /(["']?)([A-Za-z][A-Za-z0-9_.-]{0,40})\1(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"'&,;<>{}()[\]]+)/g;
/** A key-ish word, a space, and a long value (`secret wJalrXUtnFDEMI/K7MDENG/...`). */
const NAMED_KEY =
  /\b([A-Za-z0-9_.-]*(?:secret|key|token|passw(?:or)?d|credential|signature)s?)(\s+)([A-Za-z0-9/+=_<>.-]{16,})/gi;
/** An AWS access key id. */
const AWS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;

/** Whether a token looks like a generated key rather than a word. */
function keyLike(value: string): boolean {
  return /\d|[a-z].*[A-Z]/.test(value);
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
 * key ids. Each becomes `***`.
 *
 * @param text A line, or a signature, as a tile would show it.
 * @returns The text with its credentials masked.
 */
export function maskLogCredentials(text: string): string {
  const out = maskQuerySecrets(text)
    .replace(URL_USER_INFO, "$1***@")
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
 * is looked into (`msg="password=x"`).
 */
function maskPairs(text: string): string {
  let out = "", from = 0;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const [whole, q, name, sep, value] = m;
    const head = q + name + q + sep;
    const quoted = value[0] === '"' || value[0] === "'";
    const inner = quoted ? value.slice(1, -1) : value;
    if (
      inner !== "" && inner !== "***" && isSensitiveQueryName(name) &&
      (sep.includes("=") || q !== "" || keyLike(inner))
    ) {
      out += text.slice(from, m.index) + head + (quoted ? `${value[0]}***${value[0]}` : "***");
      from = m.index + whole.length;
    } else PAIR.lastIndex = m.index + head.length;
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
