/**
 * Reading the fleet Keeper (PLATO-CONTRACT.md, "The Keeper service"): its
 * record shapes as zod schemas, and a GET that turns every way the Keeper can
 * fail (down, slow, an error status, an oversized or non-JSON or wrongly
 * shaped answer) into a {@linkcode KeeperError} whose message is safe to put
 * in a tile. Private to the Keeper scout.
 *
 * @module
 */

import * as z from "../lib/_zod_mini.ts";
import { redactSecrets, redactUrl } from "../lib/redact.ts";
import { cut } from "./_answer.ts";
import { PARSE_OPTIONS } from "../lib/_zod_messages.ts";

/** An agent record as the scout keeps it: `agent_id` and `status` checked, other fields as served. */
export interface KeeperAgent {
  /** The Keeper's id of the agent (a number is turned into a string). */
  agent_id: string;
  /** Display name; the id stands in when absent. */
  name?: string;
  /** `active | idle | offline | maintenance`, or whatever the Keeper reports. */
  status: string;
  /** `capabilities`, `endpoint`, `trust_score`, `load`, `last_seen`, ... as served. */
  [field: string]: unknown;
}

/** One agent record of `GET /agents`. Unknown fields are kept. */
export const KeeperAgentSchema: z.ZodMiniType<KeeperAgent> = z.looseObject({
  agent_id: z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String)),
  name: z.optional(z.string()),
  status: z.string().check(z.minLength(1)),
});

/** `GET /stats` as the scout keeps it. */
export interface KeeperStats {
  /** Agent counts: `total` and `by_status`. */
  registry?: { total?: number; by_status?: Record<string, number>; [field: string]: unknown };
  /** Discovery stats, as served. */
  discovery?: unknown;
  /** Routing stats (`pools`, `mailboxes`), as served. */
  routing?: unknown;
  /** Other fields the Keeper sends, kept as they are. */
  [field: string]: unknown;
}

/** `GET /stats`: registry counts, discovery and routing stats. Unknown fields are kept. */
export const KeeperStatsSchema: z.ZodMiniType<KeeperStats> = z.looseObject({
  registry: z.optional(z.looseObject({
    total: z.optional(z.number()),
    by_status: z.optional(z.catchall(z.object({}), z.number())),
  })),
  discovery: z.optional(z.unknown()),
  routing: z.optional(z.unknown()),
});

/** Why a Keeper request failed. */
export type KeeperFailure = "unreachable" | "timeout" | "status" | "garbage";

/** A Keeper request that failed; the message names method, URL and cause, never a credential. */
export class KeeperError extends Error {
  /** What kind of failure it was. */
  readonly failure: KeeperFailure;

  /**
   * @param failure The kind of failure.
   * @param message One line, already redacted.
   * @param options The underlying error.
   */
  constructor(failure: KeeperFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeeperError";
    this.failure = failure;
  }
}

/** How {@linkcode keeperGet} reaches the Keeper. */
export interface KeeperRequest {
  /** The Keeper's base URL. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; scrubbed from every message. */
  apiKey?: string;
  /** Give up after this many ms. */
  timeoutMs: number;
  /** Resolves after `ms` (or when `signal` aborts); the timeout's clock. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  fetch: typeof fetch;
  /** Aborted when the scout stops. */
  signal?: AbortSignal;
}

/** The largest answer read, in bytes; a bigger one is reported, not parsed. */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * GET a Keeper endpoint and parse it with `schema`.
 *
 * @param path The endpoint, e.g. `/agents`.
 * @param schema What a correct answer looks like.
 * @param req Base URL, key, timeout and injectables.
 * @returns The parsed answer.
 * @throws {KeeperError} On any failure, with a one-line redacted message.
 */
export async function keeperGet<T>(
  path: string,
  schema: z.ZodMiniType<T>,
  req: KeeperRequest,
): Promise<T> {
  const url = `${req.baseUrl.replace(/\/+$/, "")}${path}`;
  const where = `[GET] "${redactUrl(url)}"`;
  const secrets = req.apiKey ? [req.apiKey] : [];
  const clean = (text: string) => redactSecrets(text, secrets).replace(/\s+/g, " ").trim();
  const request = new AbortController();
  const timer = new AbortController();
  const stop = () => request.abort();
  req.signal?.addEventListener("abort", stop, { once: true });
  let timedOut = false;
  void req.sleep(req.timeoutMs, timer.signal).then(() => {
    if (timer.signal.aborted) return;
    timedOut = true;
    request.abort();
  });
  let body: string;
  let status = 0;
  try {
    const headers: Record<string, string> = { accept: "application/json" };
    if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
    const res = await req.fetch(url, { headers, signal: request.signal });
    status = res.status;
    body = await readCapped(res, MAX_ANSWER_BYTES);
    if (!res.ok) {
      throw new KeeperError(
        "status",
        `${where}: ${res.status} ${res.statusText}${body ? ` ${cut(clean(body), 100)}` : ""}`,
      );
    }
  } catch (error) {
    if (error instanceof KeeperError) throw error;
    if (timedOut) {
      throw new KeeperError("timeout", `${where}: no answer within ${req.timeoutMs} ms`, {
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    const failure = status ? "garbage" : "unreachable";
    throw new KeeperError(failure, `${where}: ${cut(clean(message), 200)}`, { cause: error });
  } finally {
    timer.abort();
    req.signal?.removeEventListener("abort", stop);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const start = cut(clean(body), 40) || "an empty body";
    throw new KeeperError("garbage", `${where}: not JSON (starts with ${JSON.stringify(start)})`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json, PARSE_OPTIONS);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new KeeperError(
      "garbage",
      `${where}: wrong shape${at}: ${cut(issue?.message ?? "", 120)}`,
    );
  }
  return parsed.data;
}

/**
 * Read a response body as text, refusing one larger than `max` bytes.
 *
 * @param res The response.
 * @param max Most bytes read.
 * @returns The body.
 * @throws {RangeError} When the body is larger.
 */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel().catch(() => {});
      throw new RangeError(`answer larger than ${max} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * `GET /agents` must be a JSON array; records that are not agent records are
 * counted and left out, unless none of them is one.
 */
export const AgentListSchema: z.ZodMiniType<{ agents: KeeperAgent[]; invalid: number }> = z.pipe(
  z.array(z.unknown(), { error: "expected an array of agent records" }),
  z.transform((items: unknown[], payload) => {
    const agents: KeeperAgent[] = [];
    for (const item of items) {
      const r = KeeperAgentSchema.safeParse(item, PARSE_OPTIONS);
      if (r.success) agents.push(r.data);
    }
    if (items.length > 0 && agents.length === 0) {
      // zod/mini's transform has no `addIssue`: push the issue it would add.
      payload.issues.push({
        code: "custom",
        message: `none of ${items.length} records has an agent_id and a status`,
        input: items,
      });
      return z.NEVER;
    }
    return { agents, invalid: items.length - agents.length };
  }),
);
