/**
 * A fetch for one Worker invocation that keeps within the platform's limits:
 * it counts subrequests against a budget (refusing, as a network error, once
 * it is spent) and keeps at most `maxConnections` requests in flight.
 *
 * @module
 */

/** Thrown (as a rejected fetch) once the invocation's subrequest budget is spent. */
export class SubrequestBudgetError extends TypeError {
  /** @param budget The budget that was spent. */
  constructor(budget: number) {
    super(`Subrequest budget of ${budget} for this invocation is spent`);
    this.name = "SubrequestBudgetError";
  }
}

/** A budgeted, connection-limited fetch and its counters. */
export interface WorkerFetch {
  /** Use it wherever a `fetch` is injected. */
  fetch: typeof fetch;
  /** Subrequests started so far. */
  readonly used: number;
  /** Whether the budget is spent. */
  readonly exhausted: boolean;
}

/**
 * Wrap `inner` with a subrequest budget and a connection limit.
 *
 * @param inner The fetch to call (`globalThis.fetch` on Workers).
 * @param options `budget`: subrequests allowed; `maxConnections`: in flight at once.
 * @returns The wrapped fetch and its counters.
 */
export function createWorkerFetch(
  inner: typeof fetch,
  options: { budget: number; maxConnections: number },
): WorkerFetch {
  let used = 0;
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (used >= options.budget) throw new SubrequestBudgetError(options.budget);
    used++;
    if (active >= options.maxConnections) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    active++;
    try {
      return await inner(input, init);
    } finally {
      release();
    }
  };
  return {
    fetch: wrapped as typeof fetch,
    get used() {
      return used;
    },
    get exhausted() {
      return used >= options.budget;
    },
  };
}
