/**
 * Parse the paging parameters of `GET /room/<name>` and `GET /search`.
 *
 * @module
 */
import { jsonError } from "./http.ts";

/** Parsed paging parameters. */
export interface PagingQuery {
  /** At most this many tiles (clamped to the server's maximum). */
  limit: number;
  /** Epoch milliseconds: only tiles received after it. */
  since?: number;
  /** A cursor: only tiles after it. */
  after?: number;
}

/** The limits {@linkcode readQuery} applies. */
export interface PagingLimits {
  /** Largest `limit`. */
  maxReadLimit: number;
  /** `limit` when absent. */
  defaultReadLimit: number;
}

/**
 * Read `limit`, `since` (epoch ms or an ISO date) and `after` (a cursor) from
 * query parameters, answering a 400 that names the parameter when one is bad.
 *
 * @param params The URL's query parameters.
 * @param limits Default and maximum `limit`.
 * @param allowed Which of the parameters this route reads.
 * @returns The parsed values, or the error response.
 */
export function readQuery(
  params: URLSearchParams,
  limits: PagingLimits,
  allowed: ReadonlyArray<"limit" | "since" | "after">,
): { value: PagingQuery } | { error: Response } {
  const bad = (name: string, why: string) => ({
    error: jsonError(400, `Invalid query parameter '${name}': ${why}`, { field: name }),
  });
  const value: PagingQuery = { limit: limits.defaultReadLimit };
  const limit = params.get("limit");
  if (allowed.includes("limit") && limit !== null) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1) {
      return bad("limit", `expected a positive integer, got '${limit}'`);
    }
    value.limit = Math.min(n, limits.maxReadLimit);
  }
  const since = params.get("since");
  if (allowed.includes("since") && since !== null) {
    const n = /^-?\d+(\.\d+)?$/.test(since) ? Number(since) : Date.parse(since);
    if (!Number.isFinite(n)) {
      return bad("since", `expected epoch milliseconds or an ISO date, got '${since}'`);
    }
    value.since = n;
  }
  const after = params.get("after");
  if (allowed.includes("after") && after !== null) {
    // Beyond 2^53 a number is rounded, and the cursor echoed back would be another one.
    if (!/^\d+$/.test(after) || !Number.isSafeInteger(Number(after))) {
      return bad("after", `expected a cursor from 'cursor', got '${after}'`);
    }
    value.after = Number(after);
  }
  return { value };
}
