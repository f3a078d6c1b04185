/**
 * What the HTTP scout says about a response body: a JSON body as its shape and
 * a few small values, anything else as size and SHA-256. Bounded by
 * construction so the tile's answer stays well under the gate's 5,000 characters.
 *
 * @module
 */

/** A scalar kept in a JSON summary. */
export type Scalar = string | number | boolean | null;

/** The shape of a JSON body. */
export interface JsonSummary {
  type: "object" | "array" | "string" | "number" | "boolean" | "null";
  /** Object: its first keys. */
  keys?: string[];
  /** Object: how many keys; array: how many items. */
  size?: number;
  /** Array of objects: the first item's keys. */
  item_keys?: string[];
  /** Small scalar values by dotted path (depth <= 3), strings shortened. */
  values?: Record<string, Scalar>;
  /** Scalars left out of `values`. */
  values_omitted?: number;
}

/** The body part of a tile's answer. */
export interface BodySummary {
  /** Bytes kept (at most `max_body_bytes`). */
  bytes: number;
  /** The target sent more than `max_body_bytes`; reading stopped there. */
  truncated: boolean;
  /** `empty`, `json`, `text` or `binary`. */
  kind: "empty" | "json" | "text" | "binary";
  /** SHA-256 of the bytes kept, hex; for every body but JSON. */
  sha256?: string;
  json?: JsonSummary;
  /** Why a body declared as JSON (or looking like it, with no content type) could not be parsed. */
  json_error?: string;
}

/** A decoded body, for assertions and the summary. */
export interface DecodedBody {
  text: string;
  binary: boolean;
  json: { ok: true; value: unknown } | { ok: false; error: string };
}

/** Bounds of a JSON summary. */
export const SUMMARY_LIMITS = {
  keys: 20,
  keyChars: 40,
  values: 16,
  pathChars: 48,
  stringChars: 48,
  depth: 3,
  /** Most characters of the summary as JSON (2-space indent). */
  chars: 2600,
} as const;

const BINARY_TYPE = /^(image|audio|video|font)\/|octet-stream|zip|gzip|pdf|protobuf|wasm/i;

/**
 * Decode a body: text (in its charset, leniently), whether it looks binary,
 * and JSON when it is declared as JSON or looks like it. This is what the
 * assertions check: the body as the target sent it.
 *
 * @param bytes The bytes kept.
 * @param contentType The `content-type` header, if any.
 * @param truncated Whether reading stopped at the cap.
 * @returns The decoded body.
 */
export function decodeBody(
  bytes: Uint8Array,
  contentType: string,
  truncated: boolean,
): DecodedBody {
  const decoder = decoderFor(bytes, contentType);
  // UTF-16 text is full of zero bytes: they say binary only in other charsets.
  const zeros = !decoder.encoding.startsWith("utf-16") && bytes.subarray(0, 8192).includes(0);
  const binary = BINARY_TYPE.test(contentType) || zeros;
  return parseText(decoder.decode(bytes), binary, contentType, truncated);
}

/**
 * A lenient decoder for a body: the one its byte order mark names, else its
 * declared `charset` (`iso-8859-1`, `utf-16`, `shift_jis`, ...), else UTF-8
 * (also for a charset this runtime does not know).
 */
function decoderFor(bytes: Uint8Array, contentType: string): TextDecoder {
  const options = { fatal: false, ignoreBOM: false };
  const [a, b] = bytes;
  if (a === 0xfe && b === 0xff) return new TextDecoder("utf-16be", options);
  if (a === 0xff && b === 0xfe) return new TextDecoder("utf-16le", options);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  const utf8Bom = a === 0xef && b === 0xbb && bytes[2] === 0xbf;
  if (charset && !utf8Bom) {
    try {
      return new TextDecoder(charset, options);
    } catch { /* an unknown label: UTF-8 */ }
  }
  return new TextDecoder("utf-8", options);
}

/**
 * The body as it may be shown: its text with credentials removed, parsed
 * again only when that changed it. The summary reads this one (a body may
 * echo credentials, and the summary shortens values, which would leave a cut
 * credential unrecognised); the assertions read the body as sent.
 *
 * @param decoded From {@linkcode decodeBody}.
 * @param contentType The `content-type` header, if any.
 * @param truncated Whether reading stopped at the cap.
 * @param scrub Removes credentials from text.
 * @returns The shown body (`decoded` itself when there was nothing to remove).
 */
export function scrubBody(
  decoded: DecodedBody,
  contentType: string,
  truncated: boolean,
  scrub: (text: string) => string,
): DecodedBody {
  const text = scrub(decoded.text);
  if (text === decoded.text) return decoded;
  return parseText(text, decoded.binary, contentType, truncated);
}

function parseText(
  text: string,
  binary: boolean,
  contentType: string,
  truncated: boolean,
): DecodedBody {
  if (binary) return { text, binary, json: { ok: false, error: "body is binary" } };
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (!looksJson) return { text, binary, json: { ok: false, error: "body is not JSON" } };
  if (truncated) {
    return { text, binary, json: { ok: false, error: "body cut at max_body_bytes, not parsed" } };
  }
  try {
    return { text, binary, json: { ok: true, value: JSON.parse(text) } };
  } catch (error) {
    return {
      text,
      binary,
      json: { ok: false, error: `invalid JSON: ${(error as Error).message.slice(0, 120)}` },
    };
  }
}

/**
 * Summarise a body for a tile.
 *
 * @param bytes The bytes kept.
 * @param decoded From {@linkcode scrubBody}.
 * @param contentType The `content-type` header.
 * @param truncated Whether reading stopped at the cap.
 * @returns The summary.
 */
export async function summariseBody(
  bytes: Uint8Array,
  decoded: DecodedBody,
  contentType: string,
  truncated: boolean,
): Promise<BodySummary> {
  if (bytes.length === 0 && !truncated) return { bytes: 0, truncated, kind: "empty" };
  if (decoded.json.ok) {
    return {
      bytes: bytes.length,
      truncated,
      kind: "json",
      json: summariseJson(decoded.json.value),
    };
  }
  const summary: BodySummary = {
    bytes: bytes.length,
    truncated,
    kind: decoded.binary ? "binary" : "text",
    sha256: await sha256Hex(bytes),
  };
  // A body is still parsed when it only looks like JSON (a JSON API that says
  // text/plain), but is called broken JSON only when nothing said it is text.
  const declared = /json/i.test(contentType);
  if (!decoded.binary && (declared || (!contentType.trim() && /^\s*[[{]/.test(decoded.text)))) {
    summary.json_error = decoded.json.error;
  }
  return summary;
}

/**
 * The shape of a JSON value and a few of its small values, bounded.
 *
 * @param value Parsed JSON.
 * @returns Its summary.
 */
export function summariseJson(value: unknown): JsonSummary {
  const L = SUMMARY_LIMITS;
  if (value === null) return { type: "null" };
  if (Array.isArray(value)) {
    const out: JsonSummary = { type: "array", size: value.length };
    const first = value[0];
    if (first && typeof first === "object" && !Array.isArray(first)) {
      out.item_keys = Object.keys(first).slice(0, L.keys).map((k) => cut(k, L.keyChars));
    }
    return fit(withValues(out, value));
  }
  if (typeof value === "object") {
    const keys = Object.keys(value);
    const out: JsonSummary = {
      type: "object",
      size: keys.length,
      keys: keys.slice(0, L.keys).map((k) => cut(k, L.keyChars)),
    };
    return fit(withValues(out, value));
  }
  const type = typeof value as "string" | "number" | "boolean";
  return { type, values: { "$": scalar(value as Scalar) } };
}

/** Drop values, then keys, from the end until the summary fits its character budget. */
function fit(out: JsonSummary): JsonSummary {
  const size = () => JSON.stringify(out, null, 2).length;
  while (size() > SUMMARY_LIMITS.chars && out.values) {
    const keys = Object.keys(out.values);
    delete out.values[keys[keys.length - 1]];
    out.values_omitted = (out.values_omitted ?? 0) + 1;
    if (keys.length === 1) delete out.values;
  }
  while (size() > SUMMARY_LIMITS.chars && (out.keys?.length || out.item_keys?.length)) {
    if (out.keys?.length) out.keys.pop();
    else out.item_keys!.pop();
  }
  return out;
}

function withValues(out: JsonSummary, root: unknown): JsonSummary {
  const values: Record<string, Scalar> = {};
  let kept = 0, omitted = 0;
  const visit = (v: unknown, path: string, depth: number) => {
    if (v === null || typeof v !== "object") {
      if (kept < SUMMARY_LIMITS.values && path.length <= SUMMARY_LIMITS.pathChars) {
        values[printable(path)] = scalar(v as Scalar);
        kept++;
      } else omitted++;
      return;
    }
    if (depth >= SUMMARY_LIMITS.depth) return;
    if (Array.isArray(v)) {
      // Only the first item of an array: its shape stands for the rest.
      if (v.length > 0) visit(v[0], `${path}[0]`, depth + 1);
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      visit(child, path ? `${path}.${k}` : k, depth + 1);
      if (kept + omitted > 10_000) return; // a huge object: stop counting
    }
  };
  visit(root, "", 0);
  if (kept) out.values = values;
  if (omitted) out.values_omitted = omitted;
  return out;
}

function scalar(v: Scalar): Scalar {
  if (typeof v === "string") return cut(v, SUMMARY_LIMITS.stringChars);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return v;
  return String(v);
}

/**
 * Shorten observed text to `n` characters (then an ellipsis, U+2026), control characters shown
 * as spaces.
 *
 * @param text Observed text.
 * @param n Most characters kept.
 * @returns The shortened text.
 */
export function cut(text: string, n: number): string {
  const short = text.length > n ? `${head(text, n)}\u2026` : text;
  return printable(short);
}

/**
 * The first `n` UTF-16 units of a text, one fewer when the last would be the
 * first half of a surrogate pair (an emoji cut in two is not valid Unicode).
 *
 * @param text Any text.
 * @param n Most UTF-16 units kept.
 * @returns The start of the text.
 */
export function head(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/**
 * SHA-256 of bytes, as 64 hex characters (`crypto.subtle`).
 *
 * @param bytes The bytes.
 * @returns The hex digest.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
