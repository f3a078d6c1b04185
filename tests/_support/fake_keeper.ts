/**
 * A fleet Keeper for tests, on `Deno.serve({ port: 0 })`, answering
 * `GET /agents` and `GET /stats` with records shaped as PLATO-CONTRACT.md
 * records them, with faults on demand: garbage, an error status, hanging,
 * and going down and up again on the same port.
 */

/** An agent record as the Keeper serves it. */
export interface AgentRecord {
  agent_id: string;
  name: string;
  capabilities: string[];
  endpoint: string;
  status: "active" | "idle" | "offline" | "maintenance";
  trust_score: number;
  load: number;
  last_seen: number;
}

/** How the fake answers. */
export type KeeperMode =
  | "ok"
  | "html" // 200 with an HTML page
  | "wrong-shape" // 200 with JSON that is not an agent list
  | "status" // 503 with a JSON error body
  | "hang"; // answers only when the server stops

/** A real-shaped agent record. */
export function agent(
  n: number,
  status: AgentRecord["status"] = "active",
  name = `agent-${n}`,
): AgentRecord {
  return {
    agent_id: `a${n.toString(16).padStart(6, "0")}`,
    name,
    capabilities: ["reasoning", "synthesis"],
    endpoint: `http://10.0.0.${n % 250}:9001`,
    status,
    trust_score: 0.9,
    load: 0.25,
    last_seen: 1_763_942_400 + n,
  };
}

export class FakeKeeper {
  agents: AgentRecord[] = [];
  mode: KeeperMode = "ok";
  /** Require `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  /** Authorization headers received, in order. */
  readonly authorizations: Array<string | null> = [];
  port = 0;
  #server?: Deno.HttpServer;
  #hanging = new Set<() => void>();
  #waiters: Array<{ n: number; resolve: () => void }> = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listen (again, on the same port after `stop()`). */
  start(): this {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: this.port, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.port = (this.#server.addr as Deno.NetAddr).port;
    return this;
  }

  /** Stop listening: the Keeper is down. Hanging requests are released first. */
  async stop(): Promise<void> {
    for (const release of this.#hanging) release();
    this.#hanging.clear();
    await this.#server?.shutdown();
    this.#server = undefined;
  }

  /** Resolves once `n` requests have arrived in total. */
  received(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  async #handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    this.requests.push(path);
    this.authorizations.push(req.headers.get("authorization"));
    this.#waiters = this.#waiters.filter((w) => {
      if (this.requests.length < w.n) return true;
      w.resolve();
      return false;
    });
    if (this.apiKey && req.headers.get("authorization") !== `Bearer ${this.apiKey}`) {
      return Response.json({ detail: "Invalid or missing API key" }, { status: 401 });
    }
    if (this.mode === "hang") {
      await new Promise<void>((resolve) => {
        this.#hanging.add(resolve);
      });
      return new Response("late", { status: 504 });
    }
    if (this.mode === "status") {
      return Response.json({ error: "registry unavailable" }, { status: 503 });
    }
    if (this.mode === "html") {
      return new Response("<html><body>502 Bad Gateway</body></html>", {
        headers: { "content-type": "text/html" },
      });
    }
    if (this.mode === "wrong-shape") return Response.json({ agents: "none" });
    if (path === "/agents") return Response.json(this.agents);
    if (path === "/stats") return Response.json(this.stats());
    return Response.json({ error: "Not found" }, { status: 404 });
  }

  /** `GET /stats` as the Keeper computes it. */
  stats(): Record<string, unknown> {
    const byStatus: Record<string, number> = {};
    for (const a of this.agents) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    return {
      registry: { total: this.agents.length, by_status: byStatus },
      discovery: { queries: 12, cache_hits: 9 },
      routing: { pools: 3, mailboxes: this.agents.length },
    };
  }
}
