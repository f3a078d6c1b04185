/**
 * A loopback TCP server that accepts connections and never answers: the
 * target of request-deadline tests.
 */
export interface SilentServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stop listening and close every accepted connection. */
  close(): void;
}

/** Start a {@linkcode SilentServer} on a free port. */
export function startSilentServer(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  void (async () => {
    for await (const c of listener) conns.push(c);
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    close() {
      listener.close();
      conns.forEach((c) => c.close());
    },
  };
}
