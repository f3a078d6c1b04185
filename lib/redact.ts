/**
 * Keep credentials out of logs, tiles and error messages.
 *
 * @module
 */

const SENSITIVE_QUERY =
  /^(token|access_token|api_key|apikey|key|secret|password|passwd|auth|sig|signature)$/i;

/**
 * A URL safe to print: user info removed, sensitive query values masked.
 *
 * @param url A URL string or object.
 * @returns The redacted URL; an unparseable input is returned with any `user:pass@` removed.
 *
 * @example Redact a URL
 * ```ts
 * import { redactUrl } from "@plato/scout";
 * console.log(redactUrl("http://u:p@host/x?token=abc&a=1")); // "http://host/x?token=***&a=1"
 * ```
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return String(url).replace(/\/\/[^/@\s]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  // Without a query there is nothing to mask (and no URLSearchParams to build).
  if (parsed.search !== "") {
    for (const key of [...parsed.searchParams.keys()]) {
      if (SENSITIVE_QUERY.test(key)) parsed.searchParams.set(key, "***");
    }
  }
  let out = parsed.toString().replaceAll("%2A%2A%2A", "***");
  // URL adds "/" to a bare origin; keep what the user wrote.
  if (parsed.pathname === "/" && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(String(url))) {
    out = out.replace(/^([^?#]*?)\/(?=[?#]|$)/, "$1");
  }
  return out;
}

/**
 * Replace every occurrence of each secret in `text` with `***`.
 *
 * @param text Any text.
 * @param secrets Secrets to remove; empty and very short ones (< 4 chars) are ignored.
 * @returns The text without the secrets.
 *
 * @example Redact secrets from a message
 * ```ts
 * import { redactSecrets } from "@plato/scout";
 * console.log(redactSecrets("Bearer s3cret!", ["s3cret!"])); // "Bearer ***"
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}
