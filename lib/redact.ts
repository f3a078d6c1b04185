/**
 * Keep credentials out of logs, tiles and error messages.
 *
 * @module
 */

/**
 * Query parameter names whose values are credentials: any name holding
 * token, secret, pass, pwd, credential, session, signature, jwt, bearer or
 * hmac (`refresh_token`, `client_secret`, `pass`, `passphrase`,
 * `X-Amz-Signature`, `X-Amz-Credential`); any name ending in key (`key`,
 * `api-key`, `private_key`, `privatekey`, `accesskey`); the words pw, pin,
 * otp, totp, sig and sid, alone or between `-`, `_` or `.` (`pw`,
 * `user_pin`, `otp_code`, `sig`; not `pinned`); and auth, alone or starting a
 * name (`auth`, `auth_code`, `authorization`; not `author`).
 */
const SENSITIVE_QUERY =
  /token|secret|pass|pwd|credential|session|signature|jwt|bearer|hmac|apikey|key$|(^|[-_.])(pw|pin|t?otp|sig|sid)([-_.]|$)|(^|[-_.])auth([-_.]|$|oriz|entic)/i;

/**
 * Whether a query parameter's name says its value is a credential (`token`,
 * `api-key`, `client_secret`, ...), as {@linkcode redactUrl} decides.
 *
 * @param name The name, decoded.
 * @returns True for a credential's name.
 */
export function isSensitiveQueryName(name: string): boolean {
  return SENSITIVE_QUERY.test(name);
}

/**
 * Mask sensitive query values in text that need not parse as a URL (an
 * invalid URL a user typed, an error message quoting one).
 *
 * @param text Any text.
 * @returns The text with `name=value` masked as `name=***` for sensitive names.
 */
export function maskQuerySecrets(text: string): string {
  return text.replace(
    // A value ends where a URL would: at a separator, a space or a quote (text
    // may be JSON, or a log line quoting the URL).
    /(\\u0026|[?&;#])([^=&#\s?;"'\\<>]+)=([^&#\s;"'\\<>]*)/g,
    // A ':' ending the value is kept: text such as 'GET <url>: 200 OK' goes on.
    (whole, sep: string, name: string, value: string) =>
      SENSITIVE_QUERY.test(name) ? `${sep}${name}=***${value.endsWith(":") ? ":" : ""}` : whole,
  );
}

/**
 * A URL safe to print: user info removed, sensitive query values masked, and
 * the fragment dropped (it is never sent, and may carry an `access_token`).
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
    return maskQuerySecrets(String(url).replace(/\/\/[^/@\s]*@/, "//"));
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
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
 * Replace every occurrence of each secret in `text` with `***`, and the
 * start of one cut short by an ellipsis (`s3cr...`, U+2026) with `***` and the ellipsis.
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
  // A value shortened for a tile ends in an ellipsis: the start of a secret
  // before one (at least 4 characters of it) is a secret too. Found from each
  // place the secret's first 4 characters occur, so the cost is one scan of
  // the text per secret, however long the secrets.
  if (out.includes(CUT)) {
    for (const secret of secrets) {
      if (!secret || secret.length < 5) continue;
      const head = secret.slice(0, 4);
      let parts = "";
      let from = 0;
      for (let at = out.indexOf(head); at >= 0; at = out.indexOf(head, at + 1)) {
        if (at < from) continue;
        let n = 4;
        while (n < secret.length - 1 && out[at + n] === secret[n]) n++;
        if (out[at + n] !== CUT) continue;
        parts += `${out.slice(from, at)}***`;
        from = at + n;
      }
      if (from > 0) out = parts + out.slice(from);
    }
  }
  return out;
}

/** What a shortened value ends with (see the HTTP and log scouts' summaries). */
const CUT = "\u2026";

/**
 * Percent-decode URL user info as curl does: a `%` that starts no valid
 * escape (`50%off`) is kept as written, never an error.
 *
 * @param text The user or password as the URL holds it.
 * @returns The decoded text, or the text itself when it does not decode.
 */
export function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The Basic credential fetch sends for URL user info: base64 of
 * `user:password` in UTF-8.
 *
 * @param user The user, decoded.
 * @param password The password, decoded.
 * @returns The base64 text after `Basic `.
 */
export function basicCredential(user: string, password: string): string {
  return btoa(String.fromCodePoint(...new TextEncoder().encode(`${user}:${password}`)));
}
