/**
 * One HTTP request as the HTTP scout makes it: redirects followed by hand and
 * bounded, one deadline over headers and body, the body read as a stream and
 * cut at a byte cap. Never throws: every failure is a value.
 *
 * @module
 */

/** Timer functions, injectable for tests. */
export interface ProbeTimers {
  /** Call `fn` after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancel a timer set by `setTimeout`. */
  clearTimeout(id: unknown): void;
}

/** What one probe sends, and its limits. */
export interface ProbeRequest {
  /** Without user info (credentials travel in `headers`). */
  url: URL;
  method: string;
  headers: Headers;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Redirects followed at most; 0 follows none (a 3xx is the response). */
  maxRedirects: number;
  /** Lower-case header names dropped when a redirect leaves the origin. */
  credentialHeaders: ReadonlySet<string>;
}

/** What a probe needs from its host. */
export interface ProbeDeps {
  fetch: typeof fetch;
  now: () => number;
  timers: ProbeTimers;
}

/** Why a probe failed. */
export type ProbeErrorType =
  | "timeout"
  | "refused"
  | "dns"
  | "tls"
  | "network"
  | "redirects"
  | "aborted";

interface ProbeCommon {
  /** Every URL requested, in order (the first is the target). */
  urls: URL[];
  redirects: number;
  /** Start to end of the body (or to the failure), ms. */
  latencyMs: number;
  /**
   * Body bytes received, including any beyond the cap; undefined when a body
   * of declared length, read in one step, failed part way (how much of it
   * arrived is unknown: not 0).
   */
  bytesRead?: number;
}

/** A response was received and its body read (up to the cap). */
export interface ProbeResponse extends ProbeCommon {
  ok: true;
  status: number;
  statusText: string;
  contentType: string;
  /** The declared `content-length`, when valid. */
  contentLength?: number;
  /** Start to response headers, ms. */
  ttfbMs: number;
  /** At most `maxBodyBytes`. */
  body: Uint8Array;
  /** The body was longer than the cap; reading stopped there. */
  truncated: boolean;
}

/** No usable response. */
export interface ProbeFailure extends ProbeCommon {
  ok: false;
  errorType: ProbeErrorType;
  /** Where it failed. */
  phase: "headers" | "body" | "redirect";
  /** One line; may hold a URL requested (scrub it before showing). */
  message: string;
  /** Known when it failed reading the body. */
  status?: number;
}

/** The outcome of {@linkcode probe}. */
export type ProbeResult = ProbeResponse | ProbeFailure;

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const TIMEOUT = Symbol("timeout");

/**
 * Make one request.
 *
 * @param req What to send and the limits.
 * @param deps fetch, clock and timers.
 * @param signal Aborts the probe (the scout stopping).
 * @returns The response, or why there is none.
 */
export async function probe(
  req: ProbeRequest,
  deps: ProbeDeps,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const started = deps.now();
  const controller = new AbortController();
  const timer = deps.timers.setTimeout(() => controller.abort(TIMEOUT), req.timeoutMs);
  const onStop = () => controller.abort(signal?.reason ?? "stopped");
  if (signal?.aborted) onStop();
  signal?.addEventListener("abort", onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
      once: true,
    });
  });
  aborted.catch(() => {});
  const urls: URL[] = [req.url];
  let redirects = 0;
  let phase: ProbeFailure["phase"] = "headers";
  let status: number | undefined;
  let bytesRead: number | undefined = 0;
  const fail = (errorType: ProbeErrorType, message: string): ProbeFailure => ({
    ok: false,
    errorType,
    phase,
    message,
    status,
    urls,
    redirects,
    latencyMs: deps.now() - started,
    bytesRead,
  });
  try {
    let url = req.url, method = req.method, body = req.body;
    let headers = new Headers(req.headers);
    let res: Response;
    while (true) {
      res = await Promise.race([
        deps.fetch(url, { method, headers, body, redirect: "manual", signal: controller.signal }),
        aborted,
      ]);
      const location = res.headers.get("location");
      // max_redirects 0: a redirect is not followed, it is the answer observed.
      if (!REDIRECT.has(res.status) || location === null || req.maxRedirects === 0) break;
      await res.body?.cancel().catch(() => {});
      phase = "redirect";
      if (redirects >= req.maxRedirects) {
        const loop = urls.some((u, i) => urls.findIndex((v) => v.href === u.href) !== i);
        return fail(
          "redirects",
          `Stopped after ${req.maxRedirects} redirects${loop ? " (a redirect loop)" : ""}`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return fail("redirects", `Redirect ${res.status} to an invalid location`);
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        return fail("redirects", `Redirect ${res.status} to a ${next.protocol} URL`);
      }
      next.username = next.password = "";
      if (next.origin !== url.origin) {
        headers = new Headers(headers);
        for (const name of req.credentialHeaders) headers.delete(name);
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
      }
      url = next;
      urls.push(next);
      redirects++;
      phase = "headers";
    }
    if (res.type === "opaqueredirect") {
      await res.body?.cancel().catch(() => {});
      return fail("redirects", "This runtime hides redirects from manual following");
    }
    const ttfbMs = deps.now() - started;
    status = res.status;
    phase = "body";
    const read = await readCapped(res, req.maxBodyBytes, aborted, (n) => {
      bytesRead = n === undefined || bytesRead === undefined ? n : bytesRead + n;
    });
    const length = Number(res.headers.get("content-length"));
    return {
      ok: true,
      status: res.status,
      statusText: res.statusText,
      contentType: res.headers.get("content-type") ?? "",
      contentLength:
        Number.isSafeInteger(length) && length >= 0 && res.headers.has("content-length")
          ? length
          : undefined,
      ttfbMs,
      body: read.body,
      truncated: read.truncated,
      urls,
      redirects,
      latencyMs: deps.now() - started,
      bytesRead,
    };
  } catch (error) {
    if (controller.signal.aborted) {
      return controller.signal.reason === TIMEOUT
        ? fail("timeout", `Timed out after ${req.timeoutMs / 1000} s waiting for the ${phase}`)
        : fail("aborted", "Probe stopped: the scout is stopping");
    }
    const message = errorLine(error);
    return fail(classify(message), message);
  } finally {
    deps.timers.clearTimeout(timer);
    signal?.removeEventListener("abort", onStop);
  }
}

/**
 * Read a body, keeping at most `cap` bytes. A body whose size the response
 * declares (`content-length`, not content-encoded: a compressed body's decoded
 * size is unknown) and that fits the cap is read whole, in one step; any
 * other is read as a stream, stopping (and cancelling) past the cap.
 * `onBytes(undefined)` says the count is unknown until the next call.
 */
async function readCapped(
  res: Response,
  cap: number,
  aborted: Promise<never>,
  onBytes: (n: number | undefined) => void,
): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (!res.body) return { body: new Uint8Array(0), truncated: false };
  const declared = declaredLength(res.headers);
  if (declared !== undefined && declared <= cap) {
    // HTTP framing holds the body to the declared length; a response made by
    // an injected fetch need not, so the cap is still applied. Until it is
    // read, how many bytes arrived is unknown (a failure part way says so).
    onBytes(undefined);
    const body = new Uint8Array(await Promise.race([res.arrayBuffer(), aborted]));
    onBytes(body.byteLength);
    if (body.byteLength > cap) return { body: body.subarray(0, cap), truncated: true };
    return { body, truncated: false };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  try {
    while (true) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      onBytes(value.byteLength);
      if (kept + value.byteLength > cap) {
        chunks.push(value.subarray(0, cap - kept));
        kept = cap;
        truncated = true;
        break;
      }
      chunks.push(value);
      kept += value.byteLength;
    }
  } finally {
    // Stop the transfer: past the cap, on timeout, or on error. Not awaited on
    // failure, so a target that stalls cannot hold the probe.
    const cancelled = reader.cancel().catch(() => {});
    if (truncated) await cancelled;
  }
  const body = new Uint8Array(kept);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return { body, truncated };
}

/** The body's size when the response declares it and sends it as is. */
function declaredLength(headers: Headers): number | undefined {
  const encoding = headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return undefined;
  // A chunked body's length is its chunks', whatever content-length says.
  if (headers.has("transfer-encoding")) return undefined;
  const raw = headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

function errorLine(error: unknown): string {
  const text = error instanceof Error
    ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}`
    : String(error);
  // Whole: the caller scrubs credentials (a long URL holds them) before it shortens.
  // Deno's preamble ("error sending request from <addr> for <url> (<host>):
  // client error (SendRequest): ") repeats the URL the tile names already,
  // and pushed the cause past a short question's end.
  return text.split("\n")[0].replace(
    /error sending request(?: from \S+)?(?: for (?:url )?\S+)?(?: \([^)]*\))?: (?:client error \(\w+\): )?/i,
    "",
  ) || "network error";
}

function classify(text: string): ProbeErrorType {
  // Deno's messages quote the request's URL: '/api/dns-records' says nothing
  // about the failure.
  const message = text.replace(/\b[a-z][a-z\d+.-]*:\/\/[^\s)]*/gi, "");
  if (/refused|ECONNREFUSED/i.test(message)) return "refused";
  if (/dns|getaddrinfo|name resolution|not known|ENOTFOUND|lookup/i.test(message)) return "dns";
  // rustls talking to a plain-HTTP port: "received corrupt message of type InvalidContentType".
  if (/certificate|tls|ssl|handshake|corrupt message|InvalidContentType/i.test(message)) {
    return "tls";
  }
  return "network";
}
