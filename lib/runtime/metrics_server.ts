import type { MetricsRegistry } from "../metrics.ts";
import { renderMetrics } from "../metrics_text.ts";

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  /** Stop listening. */
  stop(): Promise<void>;
}

/**
 * Serve `/metrics` (Prometheus text format) and `/health` under Deno.
 *
 * @param registry The metrics to render.
 * @param options Port (0 for any), hostname (default `0.0.0.0`, so a scraper can reach it), health details.
 * @returns The server.
 */
export function serveMetrics(
  registry: MetricsRegistry,
  options: { port: number; hostname?: string; health?: () => Record<string, unknown> },
): MetricsServer {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: () => {},
  }, (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return Response.json({ error: "Method not allowed" }, {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    if (path === "/metrics") {
      return new Response(renderMetrics(registry), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    if (path === "/health") return Response.json({ status: "healthy", ...options.health?.() });
    return Response.json({ error: "Not found" }, { status: 404 });
  });
  return { port: server.addr.port, stop: () => server.shutdown() };
}
