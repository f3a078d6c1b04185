/**
 * The HTTP scout through the shared conformance suite
 * (`tests/scout_conformance.ts`), against a real loopback target.
 */
import { httpScout } from "../scouts/http.ts";
import { scoutConformance } from "./scout_conformance.ts";

scoutConformance("http", ({ options, state }) => {
  let mode: "json" | "garbage" = "json";
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () =>
      mode === "json"
        ? Response.json({ registry: { total: 3, by_status: { active: 2, idle: 1 } } })
        : new Response('{"registry": <html>\u0000', {
          headers: { "content-type": "application/json" },
        }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/stats`;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= server.shutdown());
  const watch = httpScout.watch.parse({ type: "http", url, json_path: "registry.total" });
  return {
    scout: httpScout.create(options, watch, { state }),
    watched: [url],
    fail: stop,
    garble: () => {
      mode = "garbage";
    },
    dispose: stop,
  };
});
