import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { createReadCommand, formatTile } from "../lib/runtime/cli/read.ts";
import { serveCommand } from "../lib/runtime/cli/serve.ts";
import { UsageError } from "../lib/runtime/usage_error.ts";
import { makeTile, startTestServer } from "./_support/plato_server.ts";

const ROOM = "gc/research/scout-reports/server-test";

/** Collects printed lines; `waitFor(n)` resolves once n lines were printed. */
function collector() {
  const lines: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
      for (const w of waiters.filter((w) => lines.length >= w.n)) w.resolve();
    },
    waitFor(n: number): Promise<void> {
      if (lines.length >= n) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      return promise;
    },
  };
}

Deno.test("'read <room>' prints tiles readably by default and as JSON lines with --json", async () => {
  const server = await startTestServer({ apiKey: "k" });
  try {
    const client = createPlatoClient({ url: server.url, apiKey: "k" });
    await client.submitBatch([
      makeTile(1, { answer: "line one\nline two of the answer" }),
      makeTile(2),
    ]);
    const env = (name: string) => ({ PLATO_URL: server.url, PLATO_API_KEY: "k" })[name];
    const human = collector();
    assert.equal(await createReadCommand({ env, write: human.write }).run([ROOM]), 0);
    assert.equal(human.lines.length, 2);
    assert.equal(
      human.lines[0],
      "2026-05-19T22:30:00.000Z  server-test  [PERIODIC] tile number 1\n    line one\n    line two of the answer",
    );
    const json = collector();
    assert.equal(
      await createReadCommand({ env, write: json.write }).run([ROOM, "--json", "--limit", "1"]),
      0,
    );
    assert.deepEqual(json.lines.map((l) => JSON.parse(l).id), ["tile-2"]);
    // A room with nothing in it (PLATO answers an unknown room so too): stdout stays empty,
    // stderr says so.
    const empty = collector();
    const notes: string[] = [];
    const read = createReadCommand({ env, write: empty.write, warn: (l) => notes.push(l) });
    assert.equal(await read.run(["no/such/room"]), 0);
    assert.deepEqual(empty.lines, []);
    assert.deepEqual(notes, ["read: no tiles in room 'no/such/room' (or no such room)"]);
  } finally {
    await server.stop();
  }
});

Deno.test("'read --follow' prints stored tiles, then new ones as they arrive, until stopped", async () => {
  const server = await startTestServer();
  const stop = new AbortController();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submit(makeTile("before"));
    const out = collector();
    const env = (name: string) => name === "PLATO_URL" ? server.url : undefined;
    const running = createReadCommand({ env, write: out.write, signal: stop.signal })
      .run([ROOM, "--follow", "--json"]);
    await out.waitFor(1); // the stream is open before the first read prints
    await client.submit(makeTile("other", { domain: "another/room" }));
    await client.submit(makeTile("after"));
    await out.waitFor(2);
    stop.abort();
    assert.equal(await running, 0);
    assert.deepEqual(out.lines.map((l) => JSON.parse(l).id), ["tile-before", "tile-after"]);
  } finally {
    await server.stop();
  }
});

Deno.test("'read --follow' reconnects when PLATO restarts and prints what was stored meanwhile, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plato-read-follow-" });
  const dbPath = `${dir}/plato.db`;
  let server = await startTestServer({ dbPath });
  const port = server.port;
  const stop = new AbortController();
  const warnings: string[] = [];
  const waits: number[] = [];
  const back = Promise.withResolvers<void>();
  try {
    const client = () => createPlatoClient({ url: server.url });
    await client().submit(makeTile("before"));
    const out = collector();
    const env = (name: string) => name === "PLATO_URL" ? server.url : undefined;
    const running = createReadCommand({
      env,
      write: out.write,
      signal: stop.signal,
      warn: (line) => warnings.push(line),
      // Each reconnect waits until the server is back (no real waiting).
      sleep: (ms) => (waits.push(ms), back.promise),
    }).run([ROOM, "--follow", "--json"]);
    await out.waitFor(1);
    await client().submit(makeTile("live"));
    await out.waitFor(2);
    await server.stop(); // the stream ends; reconnecting fails while it is down
    while (waits.length < 1) await new Promise((r) => setTimeout(r, 5));
    server = await startTestServer({ dbPath, port });
    await client().submit(makeTile("while-away"));
    back.resolve();
    await out.waitFor(3);
    await client().submit(makeTile("after"));
    await out.waitFor(4);
    stop.abort();
    assert.equal(await running, 0);
    assert.deepEqual(
      out.lines.map((l) => JSON.parse(l).id),
      ["tile-before", "tile-live", "tile-while-away", "tile-after"],
    );
    assert.match(
      warnings[0],
      /^read: PLATO ended the stream; reconnecting in 0\.5s$/,
    );
    assert.match(warnings.at(-1)!, /^read: reconnected to /);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("'read' names the URL and the cause when PLATO cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close(); // nothing listens there now
  const env = (name: string) => name === "PLATO_URL" ? url : undefined;
  await assert.rejects(
    createReadCommand({ env, write: () => {} }).run([ROOM]),
    (error: Error) => {
      assert.ok(error.message.startsWith(`[GET] "${url}/room/${ROOM}": TypeError: fetch failed (`));
      assert.match(error.message, /Connection refused \(os error \d+\)\)$/);
      return true;
    },
  );
});

Deno.test("'read' and 'serve' reject bad flags with one UsageError line naming the flag", async () => {
  const read = createReadCommand({ env: () => undefined, write: () => {} });
  const cases: Array<[Promise<number>, RegExp]> = [
    [read.run([]), /read: missing <room>/],
    [read.run(["r", "--limit", "0"]), /'--limit'/],
    [read.run(["r", "--since", "soonish"]), /'--since'/],
    [read.run(["r", "--bogus"]), /unknown flag '--bogus'/],
    [serveCommand.run(["--port", "99999"]), /'--port'/],
    [serveCommand.run(["--gate", "strict"]), /'--gate' must be 'schema' or 'fleet'/],
    [
      serveCommand.run(["--host", "0.0.0.0"]),
      /refusing to listen on '0.0.0.0' without PLATO_API_KEY/,
    ],
  ];
  for (const [run, message] of cases) {
    await assert.rejects(run, (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("formatTile() shows a structured answer as JSON and falls back to the receive time", () => {
  assert.equal(
    formatTile({ _received_at: "2026-01-01T00:00:00.000Z", question: "q", answer: { a: 1 } }),
    '2026-01-01T00:00:00.000Z  q\n    {"a":1}',
  );
});

Deno.test("'read --since --limit' pages past the server's page size, and a read that stops short says so", async () => {
  const server = await startTestServer({ limits: { maxReadLimit: 3, defaultReadLimit: 2 } });
  try {
    await createPlatoClient({ url: server.url })
      .submitBatch(Array.from({ length: 10 }, (_, i) => makeTile(i)));
    const env = (name: string) => name === "PLATO_URL" ? server.url : undefined;
    const read = async (...argv: string[]) => {
      const out = collector();
      const notes: string[] = [];
      const code = await createReadCommand({ env, write: out.write, warn: (l) => notes.push(l) })
        .run([ROOM, "--json", ...argv]);
      assert.equal(code, 0);
      return { ids: out.lines.map((l) => JSON.parse(l).id), notes };
    };
    const paged = await read("--since", "0", "--limit", "7");
    assert.deepEqual(paged.ids, [0, 1, 2, 3, 4, 5, 6].map((i) => `tile-${i}`));
    assert.deepEqual(paged.notes, []);
    const onePage = await read("--since", "0");
    assert.deepEqual(onePage.ids, ["tile-0", "tile-1"]);
    assert.deepEqual(onePage.notes, [
      "read: stopped at 2 tiles; more follow (--limit N reads more)",
    ]);
    const newest = await read("--limit", "7");
    assert.deepEqual(newest.ids, ["tile-7", "tile-8", "tile-9"]);
    assert.match(newest.notes[0], /^read: stopped at 3 tiles, the server's page size/);
  } finally {
    await server.stop();
  }
});

Deno.test("'read --follow --since 0' prints every stored page before the live tiles", async () => {
  const server = await startTestServer({ limits: { maxReadLimit: 3, defaultReadLimit: 3 } });
  const stop = new AbortController();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch(Array.from({ length: 8 }, (_, i) => makeTile(i)));
    const out = collector();
    const env = (name: string) => name === "PLATO_URL" ? server.url : undefined;
    const running = createReadCommand({ env, write: out.write, signal: stop.signal })
      .run([ROOM, "--follow", "--json", "--since", "0"]);
    await out.waitFor(8);
    await client.submit(makeTile("live"));
    await out.waitFor(9);
    stop.abort();
    assert.equal(await running, 0);
    assert.deepEqual(
      out.lines.map((l) => JSON.parse(l).id),
      [...Array.from({ length: 8 }, (_, i) => `tile-${i}`), "tile-live"],
    );
  } finally {
    await server.stop();
  }
});

Deno.test("'read --follow' ends with 0 when stdout is closed instead of reconnecting forever", async () => {
  const server = await startTestServer();
  const stop = new AbortController();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submit(makeTile("before"));
    const warnings: string[] = [];
    const printed = Promise.withResolvers<void>();
    const env = (name: string) => name === "PLATO_URL" ? server.url : undefined;
    const running = createReadCommand({
      env,
      signal: stop.signal,
      warn: (line) => warnings.push(line),
      write: (line) => {
        if (JSON.parse(line).id === "tile-before") return printed.resolve();
        throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      },
    }).run([ROOM, "--follow", "--json"]);
    await printed.promise;
    await client.submit(makeTile("after"));
    assert.equal(await running, 0);
    assert.deepEqual(warnings, []);
  } finally {
    stop.abort();
    await server.stop();
  }
});
