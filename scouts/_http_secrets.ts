/**
 * Credentials of the HTTP scout's target: user info in the URL becomes a
 * Basic `Authorization` header (as curl does), and every credential (URL user
 * and password, sensitive query values, every configured header value) joins
 * a list that {@linkcode Scrubber} removes from anything the scout emits or logs.
 *
 * @module
 */
import { redactSecrets, redactUrl } from "../lib/redact.ts";

/** Headers whose value is a credential: not forwarded across origins on redirect. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie)$|token|key|secret|auth|session|password|cookie/i;

/** A target ready to request, with what must not be shown. */
export interface PreparedTarget {
  /** The URL without user info. */
  url: URL;
  /** The URL as it may be shown. */
  shownUrl: string;
  /** Headers to send (configured, plus Basic auth from the URL's user info). */
  headers: Headers;
  /** Configured header names with every value masked, for tiles. */
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
    shownHeaders[name] = "***";
    secrets.push(value, value.replace(/^\s*\S+\s+/, ""));
    if (CREDENTIAL_HEADER.test(name)) credentialHeaders.add(name.toLowerCase());
  }
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    const basic = btoa(String.fromCodePoint(...new TextEncoder().encode(`${user}:${pass}`)));
    if (!sent.has("authorization")) sent.set("authorization", `Basic ${basic}`);
    credentialHeaders.add("authorization");
    secrets.push(url.username, url.password, user, pass, basic, `${user}:${pass}`);
    url.username = "";
    url.password = "";
  }
  const shownUrl = redactUrl(url);
  const shown = new URL(shownUrl);
  for (const [key, value] of url.searchParams) {
    if (shown.searchParams.get(key) === "***" && value !== "***") secrets.push(value);
  }
  // The value as written too: a target echoing its query shows 'a+b', not 'a b'.
  for (const pair of url.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    let key = pair.slice(0, at);
    try {
      key = decodeURIComponent(key.replaceAll("+", " "));
    } catch { /* keep it as written */ }
    if (shown.searchParams.get(key) === "***") secrets.push(pair.slice(at + 1));
  }
  return { url, shownUrl, headers: sent, shownHeaders, credentialHeaders, secrets };
}

/** Removes a target's credentials from text. */
export class Scrubber {
  readonly #secrets: string[];
  readonly #urls: Array<[string, string]> = [];

  /** @param secrets The credentials; each is also removed URL- and JSON-encoded. */
  constructor(secrets: readonly string[]) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      all.add(s);
      all.add(encodeURIComponent(s));
      all.add(JSON.stringify(s).slice(1, -1));
    }
    // Longest first, so "Bearer x" goes before "x".
    this.#secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /**
   * Also show this URL (as the target prints it) redacted wherever it appears.
   *
   * @param url A URL the scout requested.
   */
  addUrl(url: URL): void {
    if (url.href !== redactUrl(url)) this.#urls.push([url.href, redactUrl(url)]);
  }

  /**
   * @param text Any text.
   * @returns The text without credentials.
   */
  scrub(text: string): string {
    let out = text;
    for (const [raw, shown] of this.#urls) out = out.split(raw).join(shown);
    return redactSecrets(out, this.#secrets);
  }
}
