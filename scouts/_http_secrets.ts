/**
 * Credentials of the HTTP scout's target: user info in the URL becomes a
 * Basic `Authorization` header (as curl does), and every credential (URL user
 * and password, sensitive query values, the values of credential headers)
 * joins a list that {@linkcode Scrubber} removes from anything the scout
 * emits or logs.
 *
 * @module
 */
import {
  basicCredential,
  decodeUserInfo,
  isSensitiveQueryName,
  maskQuerySecrets,
  redactSecrets,
  redactUrl,
} from "../lib/redact.ts";

/**
 * Headers known to carry no credential: shown as configured in tiles, and
 * not taken for secrets (masking `application/json` or `true` wherever it
 * appears would make every answer unreadable). Every other configured header
 * (`Authorization`, `X-Api-Key`, `X-JFrog-Art-Api`, `X-Passphrase`, ...) is
 * a credential: masked, removed from anything shown, and not sent on to
 * another origin on a redirect.
 */
const PLAIN_HEADERS =
  /^(accept(-charset|-encoding|-language)?|cache-control|connection|content-(language|type)|dnt|if-(match|modified-since|none-match|unmodified-since)|origin|pragma|range|referer|user-agent|x-request(-id|ed-with))$/i;

/**
 * Which masked header values are also hunted in what the target answers (a
 * body echoing a token): a name saying credential, or a value that looks
 * like one (an auth scheme and its token; 8+ characters mixing letters and
 * digits). A tenant id `5000` or a mode `enabled` is masked where shown but
 * not hunted: removing every `5000` from a body would break its JSON, and a
 * `json_equals: enabled` check.
 */
const HUNTED_NAME = /pass|pin|otp|tok|secr|key|auth|sess|cook|sign|cred|jwt|cert|dsn/i;
const HUNTED_VALUE = /^\s*\S+\s+\S|^(?=.*\d)(?=.*[a-z]).{8,}$/i;

/**
 * Whether a configured header carries a credential: any header but the
 * plain ones in `PLAIN_HEADERS`.
 *
 * @param name The header's name.
 * @returns True for a credential.
 */
function isCredentialHeader(name: string): boolean {
  return !PLAIN_HEADERS.test(name.trim());
}

/**
 * Which values of a credential header are hunted in what the target answers:
 * the value and the value without its scheme when hunted, the decoded
 * `user:password`, user and password of a `Basic` value, and each cookie of
 * a `Cookie` header hunted by its own name and value (an echo endpoint shows
 * `sid`'s value alone).
 *
 * @param name The header's name.
 * @param value Its configured value.
 * @returns The strings to hunt.
 */
function headerSecrets(name: string, value: string): string[] {
  const out = isHunted(name, value) ? [value, value.replace(/^\s*\S+\s+/, "")] : [];
  const basic = /^\s*basic\s+(\S+)\s*$/i.exec(value);
  if (basic) out.push(...basicSecrets(basic[1]));
  if (name.trim().toLowerCase() === "cookie") out.push(...cookieSecrets(value));
  return out;
}

/** Whether a masked value is also hunted in bodies (see `HUNTED_NAME`). */
function isHunted(name: string, value: string): boolean {
  return HUNTED_NAME.test(name) || HUNTED_VALUE.test(value);
}

/**
 * The credentials inside a Basic value: `user:password`, the password and
 * the user, decoded as UTF-8 (leniently); none when it is not base64.
 */
function basicSecrets(encoded: string): string[] {
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    decoded = new TextDecoder().decode(bytes);
  } catch {
    return [];
  }
  const colon = decoded.indexOf(":");
  return colon < 0 ? [decoded] : [decoded, decoded.slice(colon + 1), decoded.slice(0, colon)];
}

/** A cookie name that says session id (`sid`, `connect.sid`), besides `HUNTED_NAME`'s words. */
const SESSION_ID_COOKIE = /(^|[-_.])sid$/i;

/**
 * The values of a `Cookie` header's `name=value` pairs that are hunted: by
 * the cookie's name or the value's look, as for a header (`theme=dark` is
 * not: masking every `dark` in a body would serve nothing), as written and
 * percent-decoded.
 */
function cookieSecrets(header: string): string[] {
  const out: string[] = [];
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
    if (!value || !(isHunted(name, value) || SESSION_ID_COOKIE.test(name))) continue;
    out.push(value, decodeUserInfo(value));
  }
  return out;
}

/** A target ready to request, with what must not be shown. */
export interface PreparedTarget {
  /** The URL without user info. */
  url: URL;
  /** The URL as it may be shown. */
  shownUrl: string;
  /** Headers to send (configured, plus Basic auth from the URL's user info). */
  headers: Headers;
  /** Configured headers with each credential's value masked, for tiles. */
  shownHeaders: Record<string, string>;
  /** Names of headers not forwarded to another origin on redirect. */
  credentialHeaders: Set<string>;
  /** Strings that must not appear in tiles or logs. */
  secrets: string[];
}

/**
 * Split a target into what is sent and what may be shown.
 *
 * @param rawUrl The configured URL (may hold `user:pass@` and token query values).
 * @param headers The configured headers.
 * @returns The prepared target.
 * @throws {TypeError} If the URL is not an http or https URL (the message shows it redacted).
 */
export function prepareTarget(
  rawUrl: string,
  headers: Record<string, string> = {},
): PreparedTarget {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TypeError(`Cannot watch '${redactUrl(rawUrl)}': it is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot watch '${redactUrl(rawUrl)}': expected an http or https URL`);
  }
  const secrets: string[] = [];
  const sent = new Headers();
  const shownHeaders: Record<string, string> = {};
  const credentialHeaders = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    sent.set(name, value);
    if (!isCredentialHeader(name)) {
      shownHeaders[name] = value;
      continue;
    }
    shownHeaders[name] = "***";
    credentialHeaders.add(name.toLowerCase());
    secrets.push(...headerSecrets(name, value));
  }
  secrets.push(...urlSecrets(url));
  if (url.username || url.password) {
    const user = decodeUserInfo(url.username);
    const pass = decodeUserInfo(url.password);
    const basic = basicCredential(user, pass);
    if (!sent.has("authorization")) sent.set("authorization", `Basic ${basic}`);
    credentialHeaders.add("authorization");
    secrets.push(basic, `${user}:${pass}`);
    url.username = "";
    url.password = "";
  }
  // The fragment is never sent; dropping it keeps an `#access_token=` out of sight.
  url.hash = "";
  const shownUrl = redactUrl(url);
  return { url, shownUrl, headers: sent, shownHeaders, credentialHeaders, secrets };
}

/**
 * A URL's credentials: user info, and the values of sensitive query (and
 * fragment) parameters, decoded and as written (a target echoing its query
 * shows 'a+b', not 'a b').
 */
function urlSecrets(url: URL): string[] {
  const out: string[] = [];
  if (url.username || url.password) {
    out.push(
      url.username,
      url.password,
      decodeUserInfo(url.username),
      decodeUserInfo(url.password),
    );
  }
  for (const part of [url.search.slice(1), url.hash.slice(1)]) {
    for (const pair of part.split("&")) {
      const at = pair.indexOf("=");
      if (at < 0) continue;
      const raw = pair.slice(at + 1);
      if (!raw || raw === "***") continue;
      // Sensitive by name, decoded as redactUrl reads it (`api%2Dkey` is `api-key`).
      let name = pair.slice(0, at);
      try {
        name = decodeURIComponent(name.replaceAll("+", " "));
      } catch { /* kept as written */ }
      if (!isSensitiveQueryName(name)) continue;
      out.push(raw);
      try {
        out.push(decodeURIComponent(raw.replaceAll("+", " ")));
      } catch { /* kept as written */ }
    }
  }
  return out;
}

/** The most URLs (the target's redirects) a scrubber learns: a target redirecting to a new URL each cycle must not grow it. */
const MAX_URLS = 64;

/** Removes a target's credentials from text. */
export class Scrubber {
  readonly #all = new Set<string>();
  #secrets: string[] = [];
  readonly #urls: Array<[string, string]> = [];
  readonly #seen = new Set<string>();

  /** @param secrets The credentials; each is also removed URL- and JSON-encoded. */
  constructor(secrets: readonly string[]) {
    this.#add(secrets);
  }

  #add(secrets: readonly string[]): void {
    const before = this.#all.size;
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      this.#all.add(s);
      this.#all.add(encodeURIComponent(s));
      this.#all.add(JSON.stringify(s).slice(1, -1));
    }
    // Longest first, so "Bearer x" goes before "x".
    if (this.#all.size !== before) {
      this.#secrets = [...this.#all].sort((a, b) => b.length - a.length);
    }
  }

  /**
   * Also show this URL (as the target prints it) redacted wherever it
   * appears, and its credentials (a redirect's) nowhere. Each URL is learnt
   * once, and at most 64 (name=value credentials are masked anyway).
   *
   * @param url A URL the scout requested.
   */
  addUrl(url: URL): void {
    if (this.#seen.has(url.href) || this.#seen.size >= MAX_URLS) return;
    const shown = redactUrl(url);
    // Only URLs with something to hide count towards the bound.
    if (url.href === shown) return;
    this.#seen.add(url.href);
    this.#urls.push([url.href, shown]);
    this.#add(urlSecrets(url));
  }

  /** How many URLs it has learnt (at most 64). */
  get urlCount(): number {
    return this.#seen.size;
  }

  /**
   * @param text Any text.
   * @returns The text without credentials: the known ones, and the value of
   * any sensitive `name=value` after `?`, `&`, `;` or `#`, however short.
   */
  scrub(text: string): string {
    let out = text;
    for (const [raw, shown] of this.#urls) out = out.split(raw).join(shown);
    return maskQuerySecrets(redactSecrets(out, this.#secrets));
  }
}
