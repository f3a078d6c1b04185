import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { utf8Length } from "../lib/runtime/_sqlite_outbox_sql.ts";
import { SqliteOutbox } from "../lib/runtime/sqlite_outbox.ts";
import { SqliteState } from "../lib/runtime/sqlite_state.ts";
import { outboxConformance, tileN } from "./outbox_conformance.ts";
import { buildTile, createLogger, createPlatoClient, Emitter } from "../mod.ts";
import { FakePlato } from "./_support/fake_plato.ts";

outboxConformance("SqliteOutbox", ({ capacity }) => {
  const dir = Deno.makeTempDirSync({ prefix: "scout_outbox_" });
  return {
    outbox: SqliteOutbox.open(`${dir}/scout.db`, { maxEntries: capacity }),
    dispose: () => Deno.removeSync(dir, { recursive: true }),
  };
});

async function withDir(body: (path: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "scout_outbox_" });
  try {
    await body(`${dir}/state/scout.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function rowCount(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const peekIds = (outbox: SqliteOutbox, max: number) => outbox.peek(max).map((e) => e.tile.id);

const endOfTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("SqliteOutbox writes appended tiles once the appending task ends", () =>
  withDir(async (path) => {
    const outbox = SqliteOutbox.open(path);
    try {
      for (let i = 0; i < 100; i++) outbox.append(tileN(i));
      assert.equal(rowCount(path), 0);
      await endOfTask();
      assert.equal(rowCount(path), 100);
    } finally {
      outbox.close();
    }
  }));

Deno.test("SqliteOutbox reopened keeps entries, attempts (at least one for what it left) and the dropped count", () =>
  withDir((path) => {
    const first = SqliteOutbox.open(path, { maxEntries: 3 });
    for (let i = 0; i < 5; i++) first.append(tileN(i));
    first.nack(["t3"]);
    first.nack(["t3", "t4"]);
    first.close();
    const second = SqliteOutbox.open(path, { maxEntries: 3 });
    try {
      assert.equal(second.size(), 3);
      assert.equal(second.dropped, 2);
      const entries = second.peek(10);
      assert.deepEqual(entries.map((e) => e.tile), [tileN(2), tileN(3), tileN(4)]);
      // t2 was never tried, but the earlier process may have sent it before it
      // stopped: it counts as tried once; a tile appended now, as never tried.
      assert.deepEqual(entries.map((e) => e.attempts), [1, 2, 1]);
      second.append(tileN(5));
      assert.deepEqual(second.peek(10).map((e) => e.attempts), [2, 1, 0]); // t2 dropped: at most 3
    } finally {
      second.close();
    }
  }));

Deno.test("SqliteOutbox reopened with a lower maxEntries drops the oldest and counts them", () =>
  withDir((path) => {
    const first = SqliteOutbox.open(path);
    for (let i = 0; i < 10; i++) first.append(tileN(i));
    first.close();
    const second = SqliteOutbox.open(path, { maxEntries: 4 });
    second.close();
    const third = SqliteOutbox.open(path);
    try {
      assert.equal(third.size(), 4);
      assert.equal(third.dropped, 6);
      assert.deepEqual(peekIds(third, 10), ["t6", "t7", "t8", "t9"]);
    } finally {
      third.close();
    }
  }));

Deno.test("an emitter over a reopened SqliteOutbox logs only this run's drops, a lowered bound's included", () =>
  withDir(async (path) => {
    // An earlier run dropped 2 (and said so); this one lowers the bound: 1 more.
    const earlier = SqliteOutbox.open(path, { maxEntries: 3 });
    for (let i = 0; i < 5; i++) earlier.append(tileN(i));
    earlier.close();
    const lines: string[] = [];
    const emitter = new Emitter({
      client: createPlatoClient({ url: "http://127.0.0.1:9" }), // nothing listens
      outbox: SqliteOutbox.open(path, { maxEntries: 2 }),
      autoFlush: false,
      logger: createLogger({ level: "debug", sink: (r) => lines.push(r.message) }),
    });
    await emitter.flush();
    emitter.emit(tileN(5));
    await emitter.flush();
    await emitter.close({ deadlineMs: 0 });
    assert.deepEqual(
      lines.filter((l) => l.startsWith("Outbox full")).map((l) => l.split(";")[0]),
      [
        "Outbox full: 1 oldest tile(s) dropped (3 in all)",
        "Outbox full: 1 oldest tile(s) dropped (4 in all)",
      ],
    );
  }));

Deno.test("utf8Length is the byte length SQLite stores, for ASCII and multi-byte text", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const stored = db.prepare("SELECT length(CAST(? AS BLOB)) AS b");
    const texts = [
      "",
      'plain ASCII {"a":1}\n\t\u007f',
      "caf\u00e9 \u0080 \u00ff", // Latin-1 above ASCII: 2 bytes each
      "\u0100 \u07ff", // 2 bytes each
      "\u0800 \u4e2d \uffff", // 3 bytes each
      "\ud83d\ude42 and \ud800\udc00", // astral: 4 bytes per pair
      JSON.stringify({ answer: `\u00e9 \u00fc \u4e2d \ud83d\ude42 ${"x".repeat(3000)}` }),
      "x".repeat(5000),
    ];
    for (const text of texts) {
      const bytes = (stored.get(text) as { b: number }).b;
      assert.equal(utf8Length(text), bytes, JSON.stringify(text.slice(0, 40)));
      assert.equal(bytes, new TextEncoder().encode(text).length);
    }
  } finally {
    db.close();
  }
});

Deno.test("SqliteOutbox keeps the stored tile JSON within maxBytes by dropping the oldest", () =>
  withDir((path) => {
    const wide = (i: number) => ({ ...tileN(i), answer: `é ü 中 🙂 ${"x".repeat(i)}` });
    const bytes = (i: number) => new TextEncoder().encode(JSON.stringify(wide(i))).length;
    const maxBytes = bytes(15) + bytes(16) + bytes(17) + bytes(18) + bytes(19);
    const outbox = SqliteOutbox.open(path, { maxBytes });
    try {
      for (let i = 0; i < 20; i++) outbox.append(wide(i));
      outbox.sync();
      assert.deepEqual(peekIds(outbox, 100), ["t15", "t16", "t17", "t18", "t19"]);
      assert.equal(outbox.size(), 5);
      assert.equal(outbox.dropped, 15);
      const db = new DatabaseSync(path, { readOnly: true });
      const stored = db.prepare("SELECT SUM(length(CAST(tile AS BLOB))) AS b FROM outbox").get();
      db.close();
      assert.equal((stored as { b: number }).b, maxBytes);
    } finally {
      outbox.close();
    }
  }));

Deno.test("SqliteOutbox drops a single tile larger than maxBytes and counts it", () =>
  withDir((path) => {
    const outbox = SqliteOutbox.open(path, { maxBytes: 100 });
    try {
      outbox.append(tileN(0));
      outbox.sync();
      assert.equal(outbox.size(), 0);
      assert.equal(outbox.dropped, 1);
    } finally {
      outbox.close();
    }
  }));

Deno.test("SqliteOutbox ack() of a dropped tile never removes a newer tile in its old row", () =>
  withDir((path) => {
    const outbox = SqliteOutbox.open(path, { maxEntries: 1 });
    try {
      outbox.append(tileN(0));
      assert.deepEqual(peekIds(outbox, 1), ["t0"]); // Remembers t0's row.
      outbox.append(tileN(1)); // Drops t0.
      outbox.ack(peekIds(outbox, 1)); // Empties the table, so row numbers start over.
      outbox.append(tileN(2));
      outbox.sync();
      outbox.ack(["t0"]);
      outbox.nack(["t0"]);
      assert.deepEqual(outbox.peek(5).map((e) => [e.tile.id, e.attempts]), [["t2", 0]]);
      assert.equal(outbox.size(), 1);
    } finally {
      outbox.close();
    }
  }));

Deno.test("SqliteOutbox counts an append after close() as dropped instead of throwing", () =>
  withDir((path) => {
    const outbox = SqliteOutbox.open(path);
    outbox.close();
    outbox.append(tileN(0));
    outbox.close();
    assert.equal(outbox.dropped, 1);
    assert.deepEqual(outbox.peek(1), []);
  }));

Deno.test("SqliteOutbox rejects a bound that is not a positive integer", () => {
  const db = new DatabaseSync(":memory:");
  try {
    assert.throws(
      () => new SqliteOutbox(db, { maxEntries: 0 }),
      new RangeError("Cannot open outbox: 'maxEntries' must be a positive integer, got 0"),
    );
    assert.throws(() => new SqliteOutbox(db, { maxBytes: 1.5 }), RangeError);
  } finally {
    db.close();
  }
});

Deno.test("SqliteOutbox keeps every tile appended before kill -9, in order, exactly once", () =>
  withDir(async (path) => {
    const count = 2_000;
    const script = new URL("./testdata/outbox_append_child.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, path, String(count)],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!output.includes("ready\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      output += value;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await lines.cancel();
    assert.equal(output, "ready\n");
    assert.equal(status.signal, "SIGKILL");

    const outbox = SqliteOutbox.open(path, { maxEntries: count });
    const state = SqliteState.open(path);
    try {
      assert.equal(outbox.size(), count);
      assert.equal(outbox.dropped, 0);
      const ids = peekIds(outbox, count + 1);
      assert.deepEqual(ids, Array.from({ length: count }, (_, i) => `t${i}`));
      assert.equal(state.get("appended"), String(count));
    } finally {
      state.close();
      outbox.close();
    }
  }));

Deno.test("SqliteState keeps set values and forgets deleted ones across reopen", () =>
  withDir((path) => {
    const outbox = SqliteOutbox.open(path);
    const first = SqliteState.open(path);
    first.set("offset", "41");
    first.set("offset", "42");
    first.set("seen", '["a","b"]');
    first.set("gone", "x");
    first.delete("gone");
    outbox.append(tileN(0));
    first.close();
    outbox.close();
    const second = SqliteState.open(path);
    try {
      assert.equal(second.get("offset"), "42");
      assert.equal(second.get("seen"), '["a","b"]');
      assert.equal(second.get("gone"), undefined);
      assert.equal(second.get("never"), undefined);
      assert.equal(rowCount(path), 1);
    } finally {
      second.close();
    }
    assert.throws(() => second.get("offset"), new Error("Cannot use state: the store is closed"));
  }));

/** An outbox on a database the test holds (to turn it read-only or full), and the errors it reports. */
function outboxOnOwnDb(path: string) {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const db = new DatabaseSync(path);
  const errors: string[] = [];
  const outbox = new SqliteOutbox(db, { onError: (e) => errors.push(e.message) });
  return { db, outbox, errors };
}

Deno.test("tiles acknowledged while the database refuses deletes are not handed out again", async () => {
  await withDir((path) => {
    const { db, outbox, errors } = outboxOnOwnDb(path);
    try {
      for (let i = 0; i < 3; i++) outbox.append(tileN(i));
      outbox.sync();
      const [a, b, c] = peekIds(outbox, 10);
      db.exec("PRAGMA query_only = ON"); // the file turned read-only, say
      outbox.ack([a, b]);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /readonly/);
      // Delivered already: handing them out again would resend them in a loop.
      assert.deepEqual(peekIds(outbox, 10), [c]);
      assert.equal(outbox.size(), 1);
      db.exec("PRAGMA query_only = OFF");
      outbox.ack([c]); // works again: the earlier acknowledgements are applied too
      assert.equal(outbox.size(), 0);
      assert.deepEqual(peekIds(outbox, 10), []);
      outbox.close();
    } finally {
      db.close();
    }
    assert.equal(rowCount(path), 0);
  });
});

Deno.test("a full disk is reported as a full disk, not as the failed rollback after it", async () => {
  await withDir((path) => {
    const { db, outbox, errors } = outboxOnOwnDb(path);
    try {
      const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
      db.exec(`PRAGMA max_page_count = ${pages}`); // no room for one more page
      const big = { ...tileN(1), answer: "x".repeat(64 * 1024) };
      outbox.append(big);
      assert.throws(() => outbox.sync(), /full/);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /database or disk is full/);
      assert.equal(outbox.size(), 1); // kept in memory
    } finally {
      db.close();
    }
  });
});

Deno.test("a tile an earlier process sent before it was killed counts as delivered when PLATO answers Duplicate", () =>
  withDir(async (path) => {
    const server = new FakePlato().start();
    try {
      const client = createPlatoClient({ url: server.url });
      // The earlier process: the tile was written, sent and stored, then
      // `kill -9` before the answer came (so it was never acknowledged).
      const sent = buildTile({
        scoutName: "killed-scout",
        room: "test/outbox",
        checkpointType: "periodic",
        question: "an observation sent just before the kill",
        answer: { status: 200, note: "stored by PLATO, not yet acknowledged to the scout" },
      });
      const earlier = SqliteOutbox.open(path);
      earlier.append(sent);
      await endOfTask();
      assert.equal((await client.submit(sent)).kind, "accepted");
      earlier.close();
      const emitter = new Emitter({
        client,
        outbox: SqliteOutbox.open(path),
        autoFlush: false,
        logger: createLogger({ level: "error", sink: () => {} }),
      });
      const report = await emitter.close();
      assert.deepEqual(
        { delivered: report.delivered, rejected: report.rejected, pending: report.pending },
        { delivered: 1, rejected: 0, pending: 0 },
      );
      assert.equal(emitter.stats.duplicates, 0);
      assert.equal(server.stored.length, 1);
    } finally {
      server.stop();
    }
  }));
