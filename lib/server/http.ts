/**
 * Small web-standard HTTP helpers of the room server: JSON answers, a body
 * reader that stops at a size limit, and a constant-time bearer check.
 *
 * @module
 */

/**
 * A JSON response.
 *
 * @param status The HTTP status.
 * @param body Any JSON-serializable value.
 * @param headers Extra headers.
 * @returns The response.
 */
export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/**
 * A JSON error response: `{"error": message, ...extra}`.
 *
 * @param status The HTTP status.
 * @param message One line naming the problem.
 * @param extra More fields, or headers under `headers`.
 * @returns The response.
 */
export function jsonError(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: HeadersInit = {},
): Response {
  return json(status, { error: message, ...extra }, headers);
}

/** The result of {@linkcode readBodyText}: the text, or why there is none. */
export type BodyText =
  | { ok: true; text: string }
  | { ok: false; problem: "too large" | "not UTF-8" };

/** Refuses bytes that are not UTF-8 instead of replacing them with U+FFFD. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decode UTF-8 strictly. */
function decode(bytes: BufferSource): BodyText {
  try {
    return { ok: true, text: UTF8.decode(bytes) };
  } catch {
    return { ok: false, problem: "not UTF-8" };
  }
}

/**
 * Read a request body as UTF-8 text, giving up as soon as it passes `maxBytes`
 * (whatever `content-length` claims), so an oversized body is never buffered
 * whole. Bytes that are not UTF-8 are refused, not stored as U+FFFD.
 *
 * @param request The request.
 * @param maxBytes The largest body accepted.
 * @returns The text, or the problem: `"too large"` or `"not UTF-8"`.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<BodyText> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, problem: "too large" };
  }
  if (!request.body) return { ok: true, text: "" };
  if (Number.isFinite(declared)) {
    // The runtime enforces a declared length, so the native reader is safe and faster.
    return decode(await request.arrayBuffer());
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, problem: "too large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decode(bytes);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * A checker of `Authorization: Bearer <key>` that compares digests in
 * constant time, so neither the key's content nor its length leaks through timing.
 *
 * @param apiKey The expected key.
 * @returns A function telling whether a request carries the key.
 */
export function bearerChecker(apiKey: string): (request: Request) => Promise<boolean> {
  const expected = sha256(apiKey);
  return async (request) => {
    const header = request.headers.get("authorization") ?? "";
    const match = /^bearer\s+(.+)$/i.exec(header.trim());
    const [want, got] = await Promise.all([expected, sha256(match ? match[1] : "")]);
    let diff = match ? 0 : 1;
    for (let i = 0; i < want.length; i++) diff |= want[i] ^ got[i];
    return diff === 0;
  };
}
