import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { createPlatoHandler } from "../lib/server/handler.ts";
import { createMemoryStore } from "../lib/server/memory_store.ts";
import { readSse, type SseEvent } from "../lib/runtime/cli/sse_reader.ts";
import { makeTile, startTestServer } from "./_support/plato_server.ts";

async function next(events: AsyncGenerator<SseEvent>): Promise<SseEvent> {
  const { value, done } = await events.next();
  assert.ok(!done, "the event stream ended");
  return value;
}

Deno.test("/events streams each stored tile as 'event: tile' with its room and cursor", async () => {
  const server = await startTestServer();
  const abort = new AbortController();
  try {
    const response = await fetch(`${server.url}/events`, { signal: abort.signal });
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = readSse(response.body!);
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch([makeTile(1), makeTile(2, { domain: "other/room" })]);
    await client.submit(makeTile(1)); // a retry stores nothing, so announces nothing
    await client.submit(makeTile(3));
    const got = [await next(events), await next(events), await next(events)];
    assert.deepEqual(got.map((e) => e.event), ["tile", "tile", "tile"]);
    const tiles = got.map((e) => JSON.parse(e.data));
    assert.deepEqual(tiles.map((t) => t.id), ["tile-1", "tile-2", "tile-3"]);
    assert.deepEqual(tiles.map((t) => t.room), [
      "gc/research/scout-reports/server-test",
      "other/room",
      "gc/research/scout-reports/server-test",
    ]);
    assert.deepEqual(got.map((e) => e.id), tiles.map((t) => String(t._seq)));
  } finally {
    abort.abort();
    await server.stop();
  }
});

Deno.test("/events and /search name the room a tile is stored in, not a 'room' field the tile carries", async () => {
  const server = await startTestServer();
  const abort = new AbortController();
  try {
    const events = readSse((await fetch(`${server.url}/events`, { signal: abort.signal })).body!);
    const client = createPlatoClient({ url: server.url });
    await client.submit({ ...makeTile(1, { domain: "real/room" }), room: "spoofed/room" } as never);
    assert.equal(JSON.parse((await next(events)).data).room, "real/room");
    const search = await (await fetch(`${server.url}/search?q=tile%20number`)).json();
    assert.deepEqual(search.results.map((t: { room: string }) => t.room), ["real/room"]);
  } finally {
    abort.abort();
    await server.stop();
  }
});

Deno.test("/events?room= and ?prefix= deliver only the matching rooms", async () => {
  const server = await startTestServer();
  const abort = new AbortController();
  try {
    const one = readSse((await fetch(`${server.url}/events?room=A/One`, abort)).body!);
    const prefixed = readSse((await fetch(`${server.url}/events?prefix=a/`, abort)).body!);
    const client = createPlatoClient({ url: server.url });
    await client.submit(makeTile(1, { domain: "b/one" }));
    await client.submit(makeTile(2, { domain: "a/two" }));
    await client.submit(makeTile(3, { domain: "a/one" }));
    assert.equal(JSON.parse((await next(one)).data).id, "tile-3");
    assert.equal(JSON.parse((await next(prefixed)).data).id, "tile-2");
    assert.equal(JSON.parse((await next(prefixed)).data).id, "tile-3");
  } finally {
    abort.abort();
    await server.stop();
  }
});

Deno.test("a client that does not read is dropped when its bounded queue fills, not buffered", async () => {
  const handler = createPlatoHandler({ store: createMemoryStore(), limits: { sseQueue: 4 } });
  try {
    const slow = await handler.fetch(new Request("http://plato/events"));
    const fast = await handler.fetch(new Request("http://plato/events"));
    const fastEvents = readSse(fast.body!);
    for (let i = 0; i < 10; i++) {
      const r = await handler.fetch(
        new Request("http://plato/submit", { method: "POST", body: JSON.stringify(makeTile(i)) }),
      );
      assert.equal(r.status, 200);
      assert.equal(JSON.parse((await next(fastEvents)).data).id, `tile-${i}`);
    }
    const status = await (await handler.fetch(new Request("http://plato/status"))).json();
    assert.equal(status.events.dropped, 1);
    assert.equal(status.events.clients, 1);
    const received: SseEvent[] = [];
    for await (const event of readSse(slow.body!)) received.push(event);
    const tiles = received.filter((e) => e.event === "tile");
    assert.deepEqual(tiles.map((e) => JSON.parse(e.data).id), [
      "tile-0",
      "tile-1",
      "tile-2",
      "tile-3",
    ]);
    assert.equal(received.at(-1)?.event, "dropped");
    assert.match(JSON.parse(received.at(-1)!.data).reason, /too slow/);
    await fastEvents.return(undefined);
  } finally {
    handler.close();
  }
});

Deno.test("event streams beyond the client limit are refused with 503 and Retry-After", async () => {
  const handler = createPlatoHandler({ store: createMemoryStore(), limits: { sseClients: 1 } });
  try {
    const first = await handler.fetch(new Request("http://plato/events"));
    assert.equal(first.status, 200);
    const second = await handler.fetch(new Request("http://plato/events"));
    assert.equal(second.status, 503);
    assert.equal(second.headers.get("retry-after"), "5");
    await second.body?.cancel();
    await first.body!.cancel();
    const third = await handler.fetch(new Request("http://plato/events"));
    assert.equal(third.status, 200, "a cancelled stream frees its slot");
    await third.body!.cancel();
  } finally {
    handler.close();
  }
});

Deno.test("stopping the server ends open event streams instead of waiting on them", async () => {
  const server = await startTestServer();
  const response = await fetch(`${server.url}/events`);
  const events = readSse(response.body!);
  await server.stop();
  const { done } = await events.next();
  assert.equal(done, true);
});

/** An `/events` client that sends its request and never reads. */
async function stuckClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET /events HTTP/1.1\r\nHost: plato\r\nConnection: close\r\n\r\n"),
  );
  return conn;
}

/** Post batches of large tiles until `done` says stop (at most 60 batches, about 48 MB). */
async function flood(url: string, done: () => Promise<boolean>): Promise<void> {
  const big = "y".repeat(200_000);
  for (let b = 0; b < 60 && !(await done()); b++) {
    const tiles = [0, 1, 2, 3].map((i) => ({ ...makeTile(`${b}-${i}`), x: big }));
    const r = await fetch(`${url}/submit_batch`, {
      method: "POST",
      body: JSON.stringify({ tiles }),
    });
    assert.equal(r.status, 200);
    await r.body?.cancel();
  }
}

/** Read `conn` until the server ends the connection (aborted, or closed after the stream). */
async function readToEnd(conn: Deno.TcpConn): Promise<void> {
  const buffer = new Uint8Array(1 << 16);
  try {
    while ((await conn.read(buffer)) !== null) { /* discard */ }
  } catch { /* reset: ended too */ }
}

Deno.test("a dropped client that never reads keeps its slot until its connection is aborted, then frees it", async () => {
  const server = await startTestServer({
    limits: { sseQueue: 8, sseClients: 1, sseDrainMs: 1000 },
  });
  const conn = await stuckClient(server.port);
  try {
    const status = async () => (await (await fetch(`${server.url}/status`)).json()).events;
    await flood(server.url, async () => (await status()).dropped > 0);
    assert.equal((await status()).dropped, 1);
    const refused = await fetch(`${server.url}/events`);
    assert.equal(
      refused.status,
      503,
      `the dropped stream still counts against the limit: ${JSON.stringify(await status())}`,
    );
    await refused.body?.cancel();
    await readToEnd(conn);
    assert.deepEqual({ ...(await status()), sent: 0 }, {
      clients: 0,
      ending: 0,
      dropped: 1,
      sent: 0,
    });
    const admitted = await fetch(`${server.url}/events`);
    assert.equal(admitted.status, 200);
    await admitted.body?.cancel();
  } finally {
    conn.close();
    await server.stop();
  }
});

Deno.test("stopping the server finishes while an event client does not read", async () => {
  const server = await startTestServer({ limits: { sseDrainMs: 50 } });
  const conn = await stuckClient(server.port);
  try {
    let batches = 0;
    await flood(server.url, () => Promise.resolve(batches++ >= 20));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopped = await Promise.race([
      server.stop().then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 10_000)),
    ]);
    clearTimeout(timer);
    assert.ok(stopped, "stop() did not finish within 10 s");
  } finally {
    conn.close();
    await server.stop();
  }
});

/** The events of a stream sent as `chunks`. */
async function parse(chunks: string[]): Promise<Array<{ event: string; data: string }>> {
  const body = ReadableStream.from(chunks).pipeThrough(new TextEncoderStream());
  const out = [];
  for await (const { event, data } of readSse(body)) out.push({ event, data });
  return out;
}

Deno.test("readSse() takes CRLF, LF and CR line ends, split anywhere across chunks", async () => {
  const two = [{ event: "tile", data: '{"n":1}' }, { event: "tile", data: '{"n":2}' }];
  for (const end of ["\r\n", "\n", "\r"]) {
    const text = [1, 2].map((n) => `event: tile${end}data: {"n":${n}}${end}${end}`).join("");
    for (let cut = 0; cut <= text.length; cut++) {
      assert.deepEqual(
        await parse([text.slice(0, cut), text.slice(cut)]),
        two,
        `${JSON.stringify(end)} cut at ${cut}`,
      );
    }
  }
  assert.deepEqual(await parse(["data: a\rdata: b\r\n\r\ndata: half\n"]), [
    { event: "message", data: "a\nb" },
  ]);
});
