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

/** A loopback server speaking raw TCP: what a test needs that Deno.serve will not send. */
export interface RawServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stop listening; resolves when the accept loop has ended. */
  close(): Promise<void>;
}

/**
 * Start a {@linkcode RawServer} on a free port: each connection's request is
 * read, then `reply` (raw HTTP bytes, or nothing when null) is written and
 * the connection closed, so a null reply is a connection dropped unanswered.
 *
 * @param reply What to write back, as is.
 */
export function startRawServer(reply: string | null): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(65536)).catch(() => null);
      if (reply !== null) await conn.write(new TextEncoder().encode(reply)).catch(() => 0);
      conn.close();
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    async close() {
      listener.close();
      await serving;
    },
  };
}
