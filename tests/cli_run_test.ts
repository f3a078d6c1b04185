/**
 * The real CLI, as a separate process, against the project's real local PLATO
 * server: delivery, outages, restarts, signals and metrics.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { buildTile } from "../lib/tile.ts";
import { startLocalPlato } from "../lib/runtime/serve.ts";
import { SqliteOutbox } from "../lib/runtime/sqlite_outbox.ts";
import { SqliteState } from "../lib/runtime/sqlite_state.ts";
import { runCli, startCli } from "./_support/cli.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { startSilentServer } from "./_support/silent_server.ts";

async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "plato-cli-run-" });
  const log = `${dir}/app.log`;
  await Deno.writeTextFile(log, "");
  return { dir, log, state: `${dir}/state` };
}

async function roomTiles(url: string, room: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${url}/room/${room}?limit=1000&after=0`);
  const body = await res.json();
  return body.tiles;
}

/** Make a named pipe (POSIX). */
async function mkfifo(path: string): Promise<void> {
  const mk = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(mk.success, "mkfifo failed");
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Start a --once run, SIGTERM it once its signal handling is armed; its exit code and stderr after. */
async function sigtermOnceArmed(
  args: string[],
  platoUrl: string,
): Promise<{ code: number; stderr: string }> {
  const { child, rest } = await startCli(args, /SIGINT\/SIGTERM now end this run/, {
    env: { PLATO_URL: platoUrl, SCOUT_LOG_LEVEL: "debug" },
  });
  child.kill("SIGTERM");
  const status = await child.status;
  return { code: status.code, stderr: await rest };
}

Deno.test("--once runs one cycle, delivers the startup and periodic tiles, and exits 0", async () => {
  const f = await fixture();
  const plato = await startLocalPlato({ port: 0 });
  try {
    const r = await runCli([
      "log",
      "--file",
      f.log,
      "--room",
      "e2e/once",
      "--name",
      "once-scout",
      "--once",
      "--state-dir",
      f.state,
    ], {
      env: { PLATO_URL: plato.url },
    });
    assert.equal(r.code, 0, r.stderr);
    const tiles = await roomTiles(plato.url, "e2e/once");
    assert.deepEqual(tiles.map((t) => String(t.question).split("]")[0] + "]"), [
      "[STARTUP]",
      "[PERIODIC]",
    ]);
    assert.ok(tiles.every((t) => t.source === "once-scout"));
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once sends the startup tile once per configuration and PLATO, as a cron job runs it", async () => {
  const f = await fixture();
  const plato = await startLocalPlato({ port: 0 });
  const other = await startLocalPlato({ port: 0 });
  const kinds = (tiles: Array<Record<string, unknown>>) =>
    tiles.map((t) => String(t.question).split("]")[0] + "]");
  const once = async (url: string, ...extra: string[]) => {
    const r = await runCli(
      ["log", "--file", f.log, "--room", "e2e/cron", "--name", "cron-scout", "--once"]
        .concat(["--state-dir", f.state, "--plato-url", url, ...extra]),
    );
    assert.equal(r.code, 0, r.stderr);
  };
  try {
    await once(plato.url);
    await once(plato.url);
    await once(plato.url);
    // The same contract three times: announced by the first run only.
    assert.deepEqual(kinds(await roomTiles(plato.url, "e2e/cron")), [
      "[STARTUP]",
      "[PERIODIC]",
      "[PERIODIC]",
      "[PERIODIC]",
    ]);
    // A changed setting changes what the tiles mean: announced again, then not.
    await once(plato.url, "--pattern", "FATAL");
    await once(plato.url, "--pattern", "FATAL");
    assert.deepEqual(kinds(await roomTiles(plato.url, "e2e/cron")).slice(4), [
      "[STARTUP]",
      "[PERIODIC]",
      "[PERIODIC]",
    ]);
    // Another PLATO has never seen it.
    await once(other.url, "--pattern", "FATAL");
    assert.deepEqual(kinds(await roomTiles(other.url, "e2e/cron")), ["[STARTUP]", "[PERIODIC]"]);
    // What the state keeps is a hash, not the configuration.
    const db = new DatabaseSync(`${f.state}/scout.db`, { readOnly: true });
    try {
      const row = db.prepare("SELECT value FROM state WHERE key = ?")
        .get("plato-scout:announced:cron-scout") as { value: string } | undefined;
      assert.match(String(row?.value), /^[0-9a-f]{16}$/);
    } finally {
      db.close();
    }
  } finally {
    await plato.stop();
    await other.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("a long run sends its startup tile though a --once run announced the same configuration", async () => {
  const f = await fixture();
  const plato = await startLocalPlato({ port: 0 });
  // The same flags, so the same configuration.
  const args = ["log", "--file", f.log, "--room", "e2e/cron-long", "--name", "cron-scout"]
    .concat(["--interval", "3600", "--state-dir", f.state, "--plato-url", plato.url]);
  try {
    const r = await runCli([...args, "--once"]);
    assert.equal(r.code, 0, r.stderr);
    const cli = await startCli(args, /scout\(s\) \u2192/, {
      env: { SCOUT_LOG_LEVEL: "info" },
    });
    cli.child.kill("SIGTERM");
    const status = await cli.child.status;
    assert.equal(status.code, 0, await cli.rest);
    const questions = (await roomTiles(plato.url, "e2e/cron-long")).map((t) => String(t.question));
    assert.equal(
      questions.filter((q) => q.startsWith("[STARTUP]")).length,
      2,
      questions.join("\n"),
    );
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once sends the cycle's tiles together in one batch request", async () => {
  const f = await fixture();
  const plato = new FakePlato().start();
  try {
    const r = await runCli(
      ["log", "--file", f.log, "--room", "e2e/once-batch", "--once", "--state-dir", f.state],
      { env: { PLATO_URL: plato.url } },
    );
    assert.equal(r.code, 0, r.stderr);
    const posts = plato.requests.filter((q) => q.method === "POST");
    assert.deepEqual(posts.map((q) => q.path), ["/submit_batch"]);
    assert.equal(plato.stored.length, 2);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once runs remember a PLATO without /submit_batch: only the first one asks", async () => {
  const f = await fixture();
  const plato = new FakePlato({ batch: false }).start();
  try {
    const args = ["log", "--file", f.log, "--room", "e2e/once-nobatch", "--once"];
    for (const _ of [1, 2]) {
      const r = await runCli([...args, "--state-dir", f.state], { env: { PLATO_URL: plato.url } });
      assert.equal(r.code, 0, r.stderr);
    }
    const posts = plato.requests.filter((q) => q.method === "POST").map((q) => q.path);
    // The second run sends its cycle's tile only (the startup tile went with the first).
    assert.deepEqual(posts, ["/submit_batch", "/submit", "/submit", "/submit"]);
    assert.equal(plato.stored.length, 3);
    // Another state directory knows nothing of it.
    const fresh = await runCli([...args, "--state-dir", `${f.dir}/other`], {
      env: { PLATO_URL: plato.url },
    });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(plato.requests.filter((q) => q.path === "/submit_batch").length, 2);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once runs remember PLATO's Retry-After: the next run sends nothing before it, exit 1", async () => {
  const f = await fixture();
  const plato = new FakePlato().start();
  try {
    plato.faults.push({
      status: 429,
      body: { error: "slow down" },
      headers: { "retry-after": "600" },
    });
    const args = ["log", "--file", f.log, "--room", "e2e/once-retry-after", "--once"];
    const env = { PLATO_URL: plato.url };
    const first = await runCli([...args, "--state-dir", f.state, "--deadline", "1"], { env });
    assert.equal(first.code, 1, first.stderr);
    // The wait asked for is past the deadline: the log says so.
    assert.match(first.stderr, /next try in \d{5,} ms \(\d+ ms left to deliver\)/);
    const sent = plato.requests.length;
    const second = await runCli([...args, "--state-dir", f.state], { env });
    assert.equal(second.code, 1, second.stderr);
    assert.equal(plato.requests.length, sent, "the second run sent nothing");
    assert.match(second.stderr, /could not be delivered .*Retry-After.* until 20\d\d-/);
    assert.equal(plato.stored.length, 0);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("http --once against a target that never answers: the deadline fires, an ERROR tile is delivered, exit 0", async () => {
  const f = await fixture();
  const silent = startSilentServer();
  const plato = new FakePlato().start();
  try {
    const url = `${silent.url}/stats`;
    const r = await runCli(
      ["http", "--url", url, "--timeout", "0.3", "--room", "e2e/silent", "--once"].concat(
        ["--state-dir", f.state],
      ),
      { env: { PLATO_URL: plato.url } },
    );
    assert.equal(r.code, 0, r.stderr);
    const questions = plato.stored.map((t) => String(t.question));
    assert.equal(questions.length, 2, questions.join("\n"));
    assert.match(questions[1], /^\[ERROR\]/);
    assert.match(String(plato.stored[1].answer), /Timed out after 0\.3 s/);
  } finally {
    plato.stop();
    silent.close();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("SIGTERM to a --once run that lasts stops its cycle, delivers a SESSION_END tile and exits 0", async () => {
  const f = await fixture();
  const silent = startSilentServer(); // the cycle's request never gets an answer
  const plato = await startLocalPlato({ port: 0 });
  try {
    const { code, stderr } = await sigtermOnceArmed(
      ["http", "--url", `${silent.url}/stats`, "--timeout", "60", "--room", "e2e/once-stop"].concat(
        ["--name", "once-stop", "--once", "--state-dir", f.state],
      ),
      plato.url,
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Stopped; delivered 2 tile\(s\)/);
    const questions = (await roomTiles(plato.url, "e2e/once-stop")).map((t) => String(t.question));
    assert.equal(questions.length, 2, questions.join("\n"));
    assert.match(questions[0], /^\[STARTUP\]/);
    assert.match(questions[1], /^\[SESSION_END\] once-stop stopped after \d+s: 2 tiles, 0 errors$/);
  } finally {
    await plato.stop();
    silent.close();
    await Deno.remove(f.dir, { recursive: true });
  }
});

/**
 * Run `body` with a fixture, a PLATO that accepts every request and never
 * answers, and a target answering `{ ok: true }`; all removed after.
 */
async function withSilentPlato(
  body: (
    ctx: { f: Awaited<ReturnType<typeof fixture>>; silentUrl: string; targetUrl: string },
  ) => Promise<void>,
): Promise<void> {
  const f = await fixture();
  const silentPlato = startSilentServer();
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ ok: true }),
  );
  try {
    await body({
      f,
      silentUrl: silentPlato.url,
      targetUrl: `http://127.0.0.1:${target.addr.port}/`,
    });
  } finally {
    silentPlato.close();
    await target.shutdown();
    await Deno.remove(f.dir, { recursive: true });
  }
}

/** An `http --once` run on `state` against a fresh local PLATO: exit 0, and the room's questions. */
async function nextRunDelivers(targetUrl: string, room: string, state: string): Promise<string[]> {
  const plato = await startLocalPlato({ port: 0 });
  try {
    const next = await runCli(["http", "--url", targetUrl, "--room", room, "--once"].concat(
      ["--state-dir", state, "--plato-url", plato.url],
    ));
    assert.equal(next.code, 0, next.stderr);
    return (await roomTiles(plato.url, room)).map((t) => String(t.question));
  } finally {
    await plato.stop();
  }
}

Deno.test("SIGTERM while a --once run delivers stops the delivery: exit 0, the tiles kept for the next run", async () => {
  await withSilentPlato(async ({ f, silentUrl, targetUrl }) => {
    const { code, stderr } = await sigtermOnceArmed(
      ["http", "--url", targetUrl, "--room", "e2e/once-deliver"]
        .concat(["--once", "--deadline", "60", "--state-dir", f.state]),
      silentUrl,
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Stopped; 2 tile\(s\) still waiting in /);
    // The two kept tiles, then this run's STARTUP and PERIODIC.
    assert.equal((await nextRunDelivers(targetUrl, "e2e/once-deliver", f.state)).length, 4);
  });
});

Deno.test("a second SIGTERM ends a long run's final delivery at once: exit 0, the tiles kept for the next run", async () => {
  await withSilentPlato(async ({ f, silentUrl, targetUrl }) => {
    // A deadline of an hour: only the second signal can end this delivery.
    const cli = await startCli(
      ["http", "--url", targetUrl, "--room", "e2e/twice", "--interval", "3600"]
        .concat(["--deadline", "3600", "--state-dir", f.state]),
      /scout\(s\) \u2192/,
      { env: { PLATO_URL: silentUrl, SCOUT_LOG_LEVEL: "info" } },
    );
    cli.child.kill("SIGTERM");
    const stopping = await cli.next(/Stopping: delivering (\d+) tile\(s\) within 3600s/);
    // STARTUP, SESSION_END, and the first cycle's PERIODIC if it came before the signal.
    const kept = Number(stopping[1]);
    assert.ok(kept >= 2, stopping[0]);
    cli.child.kill("SIGTERM");
    // The hour's deadline is what a missing second-signal stop would wait out.
    const guard = setTimeout(() => cli.child.kill("SIGKILL"), 30_000);
    const status = await cli.child.status;
    clearTimeout(guard);
    const rest = await cli.rest;
    assert.equal(status.code, 0, rest);
    assert.match(rest, new RegExp(`Stopped; ${kept} tile\\(s\\) still waiting in `));
    // The kept tiles, then this run's STARTUP and PERIODIC.
    const questions = await nextRunDelivers(targetUrl, "e2e/twice", f.state);
    assert.equal(questions.length, kept + 2, questions.join("\n"));
    assert.match(questions[kept - 1], /^\[SESSION_END\] /);
  });
});

Deno.test("a state directory from an earlier version (outbox.db, state.db) is adopted: its waiting tiles are delivered, its state kept", async () => {
  const f = await fixture();
  // What builds before scout.db left behind: three undelivered tiles and a state value.
  const earlier = SqliteOutbox.open(`${f.state}/outbox.db`);
  const old = [1, 2, 3].map((i) =>
    buildTile({
      scoutName: "older-build",
      room: "e2e/adopt",
      checkpointType: "periodic",
      question: `earlier observation ${i}`,
      answer: { i, note: "kept by an earlier build while PLATO was down" },
    })
  );
  old.forEach((t) => earlier.append(t));
  earlier.close();
  const oldState = SqliteState.open(`${f.state}/state.db`);
  oldState.set("earlier-key", "earlier-value");
  oldState.close();
  const plato = new FakePlato().start();
  try {
    const r = await runCli(
      ["log", "--file", f.log, "--room", "e2e/adopt", "--once", "--state-dir", f.state],
      { env: { PLATO_URL: plato.url } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Moved 3 waiting tile\(s\) and the scouts' state from an earlier version's files into scout\.db/,
    );
    const ids = plato.stored.map((t) => t.id);
    for (const t of old) assert.ok(ids.includes(t.id), `tile ${t.id} was not delivered`);
    assert.equal(plato.stored.length, 5);
    const names = [...Deno.readDirSync(f.state)].map((e) => e.name).sort();
    // scout.lock stays: the lock on it goes with the process.
    assert.deepEqual(names.filter((n) => !n.startsWith("scout.db")), ["scout.lock"]);
    const db = new DatabaseSync(`${f.state}/scout.db`, { readOnly: true });
    try {
      const row = db.prepare("SELECT value FROM state WHERE key = 'earlier-key'").get() as
        | { value: string }
        | undefined;
      assert.equal(row?.value, "earlier-value");
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once exits 1 while PLATO is down, keeps the tiles, and delivers them once on the next run", async () => {
  const f = await fixture();
  const port = freePort();
  const args = [
    "log",
    "--file",
    f.log,
    "--room",
    "e2e/outage",
    "--once",
    "--state-dir",
    f.state,
    "--deadline",
    "1",
  ];
  const env = { PLATO_URL: `http://127.0.0.1:${port}` };
  const down = await runCli(args, { env });
  assert.equal(down.code, 1, down.stderr);
  assert.match(down.stderr, /2 tile\(s\) could not be delivered \(kept in /);
  const plato = await startLocalPlato({ port });
  try {
    const up = await runCli(args, { env });
    assert.equal(up.code, 0, up.stderr);
    const tiles = await roomTiles(plato.url, "e2e/outage");
    // The first run's STARTUP and PERIODIC, then this run's PERIODIC: the
    // startup tile waiting in the outbox already announces this configuration.
    assert.deepEqual(tiles.map((t) => String(t.question).split("]")[0] + "]"), [
      "[STARTUP]",
      "[PERIODIC]",
      "[PERIODIC]",
    ]);
    assert.equal(new Set(tiles.map((t) => t.id)).size, 3);
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test({
  name:
    "SIGTERM while a long run reads its config ends it with exit 0, no tile, not the signal's 143",
  // A FIFO as the config: opening it for writing returns once the CLI opened it to read.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const f = await fixture();
    const fifo = `${f.dir}/scout.yaml`;
    const plato = new FakePlato().start();
    try {
      await mkfifo(fifo);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", new URL("../cli.ts", import.meta.url).pathname]
          .concat(["--config", fifo, "--state-dir", f.state]),
        env: { NO_COLOR: "1", PLATO_URL: plato.url, SCOUT_LOG_LEVEL: "info" },
        stdout: "null",
        stderr: "piped",
        stdin: "null",
      }).spawn();
      const writer = await Deno.open(fifo, { write: true });
      child.kill("SIGTERM");
      // The signal reaches the CLI's listener through its event loop; the
      // config only once that has surely run (else the run may start first,
      // and this is a stop after the first cycle, another test).
      await new Promise((r) => setTimeout(r, 500));
      const config =
        `scout:\n  name: early\n  scout_room: e2e/early\nwatch:\n  type: log\n  file: ${f.log}\n`;
      await writer.write(new TextEncoder().encode(config));
      writer.close();
      const out = await child.output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.match(stderr, /Stopped before the first cycle/);
      assert.equal(plato.stored.length, 0);
    } finally {
      plato.stop();
      await Deno.remove(f.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a state directory on a full device ends the run with one line saying so, exit 1, not 2",
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const f = await fixture();
    try {
      await Deno.mkdir(f.state);
      await Deno.symlink("/dev/full", `${f.state}/scout.db`);
      const r = await runCli(
        ["log", "--file", f.log, "--room", "e2e/full", "--once", "--state-dir", f.state],
        { env: { PLATO_URL: "http://127.0.0.1:9" } },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr.trim(),
        `plato-scout: Cannot use the state directory '${f.state}' (--state-dir): database or disk is full (is its device full or failing? The tiles already waiting there are kept; this run observed nothing)`,
      );
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  },
});

Deno.test("--once keeps its tiles and exits 1 when PLATO answers a status about the URL (404), not the tile", async () => {
  const f = await fixture();
  const plato = await startLocalPlato({ port: 0 });
  const args = ["log", "--file", f.log, "--room", "e2e/prefix", "--once", "--state-dir", f.state];
  try {
    // A wrong path prefix: every request answers 404.
    const wrong = await runCli([...args, "--plato-url", `${plato.url}/plato`]);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /2 tile\(s\) could not be delivered \(kept in .*404/);
    const right = await runCli([...args, "--plato-url", plato.url]);
    assert.equal(right.code, 0, right.stderr);
    assert.equal((await roomTiles(plato.url, "e2e/prefix")).length, 4);
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once exits 1 when PLATO refuses a tile for good (the gate's 403)", async () => {
  const f = await fixture();
  const refusal = {
    status: 403,
    body: { status: "rejected", reason: "Answer too short", gate: "P0" },
  };
  const plato = new FakePlato({ batch: false }).start();
  plato.faults.push(refusal);
  try {
    const r = await runCli(
      ["log", "--file", f.log, "--room", "e2e/refused", "--once", "--state-dir", f.state].concat(
        ["--plato-url", plato.url],
      ),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Delivered 1 tile\(s\); PLATO refused 1/);
    assert.equal(plato.stored.length, 1);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--stdout prints each tile as one JSON line and sends nothing", async () => {
  const f = await fixture();
  try {
    const r = await runCli(["--watch-file", f.log, "--room", "e2e/stdout", "--once", "--stdout"], {
      env: { PLATO_URL: "http://127.0.0.1:9" },
    });
    assert.equal(r.code, 0, r.stderr);
    const tiles = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(tiles.length, 2);
    assert.ok(
      tiles.every((t) => t.domain === "e2e/stdout" && typeof t.answer === "string" && t.id),
    );
    // Its last line says what it did: nothing went to PLATO.
    assert.match(r.stderr, /Printed 2 tile\(s\), 0 refused\n$/);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--stdout starts from the state directory's log offset and changes nothing in it", async () => {
  const f = await fixture();
  const plato = new FakePlato().start();
  try {
    const args = ["--watch-file", f.log, "--room", "e2e/stdout-state", "--once"];
    const env = { PLATO_URL: plato.url };
    const real = await runCli([...args, "--state-dir", f.state], { env });
    assert.equal(real.code, 0, real.stderr);
    await Deno.writeTextFile(f.log, "ERROR payment gateway timed out after 30s\nINFO ok\n", {
      append: true,
    });
    const before = await Deno.readFile(`${f.state}/scout.db`);
    const preview = async () => {
      const r = await runCli([...args, "--stdout", "--state-dir", f.state], { env });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l).answer as string).join("\n");
    };
    const first = await preview();
    assert.match(first, /"lines_scanned": 2,\s+"lines_matched": 1,/);
    assert.match(first, /payment gateway timed out/);
    // Twice the same: the dry run kept no offset.
    assert.equal(
      (await preview()).replace(/"20\d\d-[^"]*"/g, ""),
      first.replace(/"20\d\d-[^"]*"/g, ""),
    );
    assert.deepEqual(await Deno.readFile(`${f.state}/scout.db`), before);
    assert.equal(plato.stored.length, 2, "a dry run sends nothing");
    // The next real run delivers what the preview showed.
    const next = await runCli([...args, "--state-dir", f.state], { env });
    assert.equal(next.code, 0, next.stderr);
    assert.ok(plato.stored.some((t) => String(t.answer).includes("payment gateway timed out")));
    // A state directory that does not exist is not made by a dry run.
    const none = await runCli([...args, "--stdout", "--state-dir", `${f.dir}/none`], { env });
    assert.equal(none.code, 0, none.stderr);
    await assert.rejects(Deno.stat(`${f.dir}/none`), Deno.errors.NotFound);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("a credential interpolated anywhere in scout.yaml (here a URL path) never reaches a tile or the log", async () => {
  const f = await fixture();
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    // It echoes the URL: the body summary cuts that string short, mid-secret.
    (req) => Response.json({ note: `echo ${req.url}` }),
  );
  try {
    const config = `${f.dir}/scout.yaml`;
    await Deno.writeTextFile(
      config,
      `scout:\n  name: hook\n  scout_room: e2e/hook\nwatch:\n  type: http\n  url: http://127.0.0.1:${target.addr.port}/hooks/\${HOOK_SECRET}\n`,
    );
    const r = await runCli(["--config", config, "--once", "--stdout"], {
      env: { HOOK_SECRET: "Sup3rS3cretHookPath", SCOUT_LOG_LEVEL: "debug" },
    });
    assert.equal(r.code, 0, r.stderr);
    const tiles = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(tiles.length, 2);
    assert.match(tiles[0].answer, /\/hooks\/\*\*\*/);
    const secret = "Sup3rS3cretHookPath";
    for (let i = 0; i + 6 <= secret.length; i++) {
      assert.ok(!`${r.stdout}${r.stderr}`.includes(secret.slice(i, i + 6)), secret.slice(i, i + 6));
    }
  } finally {
    await target.shutdown();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("SCOUT_METRICS_PORT serves /metrics and /health, and SIGTERM flushes a SESSION_END tile and exits 0", async () => {
  const f = await fixture();
  const plato = await startLocalPlato({ port: 0 });
  try {
    const { child, match, rest } = await startCli(
      [
        "log",
        "--file",
        f.log,
        "--room",
        "e2e/metrics",
        "--name",
        "metrics-scout",
        "--interval",
        "3600",
        "--state-dir",
        f.state,
      ],
      /metrics on :(\d+)\/metrics/,
      { env: { PLATO_URL: plato.url, SCOUT_METRICS_PORT: "0", SCOUT_LOG_LEVEL: "info" } },
    );
    const port = match[1];
    // Poll the real endpoint until the first cycle's two tiles are delivered (bounded).
    let text = "";
    const deadline = Date.now() + 30_000;
    while (!/plato_scout_tiles_delivered_total\{scout_name="plato-scout"\} 2/.test(text)) {
      if (Date.now() > deadline) throw new Error(`tiles not delivered in 30 s:\n${text}`);
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.match(
      text,
      /plato_scout_tiles_emitted_total\{scout_name="metrics-scout",checkpoint_type="startup"\} 1/,
    );
    assert.match(text, /plato_scout_tiles_delivered_total\{scout_name="plato-scout"\} 2/);
    assert.match(text, /# TYPE plato_scout_plato_submit_duration_seconds histogram/);
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    assert.equal(health.status, "healthy");
    assert.deepEqual(health.scouts, ["metrics-scout"]);
    child.kill("SIGTERM");
    const status = await child.status;
    await rest;
    assert.equal(status.code, 0);
    const tiles = await roomTiles(plato.url, "e2e/metrics");
    const end = tiles.at(-1)!;
    assert.match(String(end.question), /^\[SESSION_END\] metrics-scout stopped after \d+s: /);
    assert.equal(JSON.parse(String(end.answer)).cycles, 1);
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("SCOUT_METRICS_PORT=HOST:PORT serves /metrics on that address only", async () => {
  const f = await fixture();
  try {
    const { child, match, rest } = await startCli(
      ["log", "--file", f.log, "--room", "e2e/metrics-host", "--interval", "3600"]
        .concat(["--state-dir", f.state, "--stdout"]),
      /metrics on 127\.0\.0\.1:(\d+)\/metrics/,
      { env: { SCOUT_METRICS_PORT: "127.0.0.1:0", SCOUT_LOG_LEVEL: "info" } },
    );
    const port = match[1];
    const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    // Another loopback address of this machine: reachable only when bound to every interface.
    await assert.rejects(fetch(`http://127.0.0.2:${port}/metrics`), (error: Error) => {
      assert.match(String(error.cause), /Connection refused/);
      return true;
    });
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0, await rest);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("a scout killed with SIGKILL while PLATO is down loses nothing: the restart delivers every tile once", async () => {
  const f = await fixture();
  const port = freePort();
  const env = { PLATO_URL: `http://127.0.0.1:${port}`, SCOUT_LOG_LEVEL: "info" };
  const args = [
    "log",
    "--file",
    f.log,
    "--room",
    "e2e/kill9",
    "--interval",
    "1",
    "--state-dir",
    f.state,
  ];
  const { child } = await startCli(args, /Delivery failed, [2-9]\d* tile\(s\) waiting/, { env });
  child.kill("SIGKILL");
  await child.status;
  await child.stderr.cancel().catch(() => {});
  // What the killed scout had accepted, straight from its outbox.
  const db = new DatabaseSync(`${f.state}/scout.db`, { readOnly: true });
  const rows = db.prepare("SELECT tile FROM outbox").all() as Array<{ tile: string }>;
  db.close();
  const waiting = rows.map((r) => JSON.parse(r.tile).id as string);
  assert.ok(waiting.length >= 2, `outbox held ${waiting.length}`);
  const plato = await startLocalPlato({ port });
  try {
    const r = await runCli([...args.filter((a) => a !== "--interval" && a !== "1"), "--once"], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    const tiles = await roomTiles(plato.url, "e2e/kill9");
    const counts = new Map<string, number>();
    for (const t of tiles) counts.set(String(t.id), (counts.get(String(t.id)) ?? 0) + 1);
    for (const id of waiting) {
      assert.equal(counts.get(id), 1, `tile ${id} stored ${counts.get(id) ?? 0} times`);
    }
    assert.ok([...counts.values()].every((n) => n === 1));
  } finally {
    await plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("PLATO_URL is checked only when it is used: a config's plato_url wins over a bad one", async () => {
  const f = await fixture();
  try {
    const config = `${f.dir}/scout.yaml`;
    await Deno.writeTextFile(
      config,
      `scout: {name: s, scout_room: r/x, plato_url: "http://127.0.0.1:9"}\nwatch: {type: log, file: ${f.log}}\n`,
    );
    const env = { PLATO_URL: "ftp://x" };
    const used = await runCli(["--config", config, "--once", "--stdout"], { env });
    assert.equal(used.code, 0, used.stderr);
    const bad = await runCli(["--watch-file", f.log, "--once", "--stdout"], { env });
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(
      bad.stderr.trim(),
      "plato-scout: PLATO_URL must be an http or https URL, got 'ftp://x'",
    );
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("--once whose tiles PLATO has already (Duplicate tile) exits 0 and says they were duplicates", async () => {
  const f = await fixture();
  const plato = new FakePlato().start();
  try {
    // PLATO has them all: the batch, and each half and tile it is split into, are duplicates.
    for (let i = 0; i < 32; i++) {
      plato.faults.push({
        status: 403,
        body: { status: "rejected", reason: "Duplicate tile", gate: "P0" },
      });
    }
    const r = await runCli(
      ["log", "--file", f.log, "--room", "e2e/once-dup", "--once", "--state-dir", f.state],
      { env: { PLATO_URL: plato.url } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /refused \(\d+ as duplicates of content PLATO has already\)/);
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("a cron: schedule without Deno.cron (no --unstable-cron) is an error for a long run, not a silent poll", async () => {
  const f = await fixture();
  // The project's import map without its "unstable": ["cron"].
  const project = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const config = `${f.dir}/deno.json`;
  await Deno.writeTextFile(config, JSON.stringify({ imports: project.imports }));
  const yaml = `${f.dir}/scout.yaml`;
  await Deno.writeTextFile(
    yaml,
    `scout:\n  name: yearly\n  scout_room: e2e/cron\n  poll_interval: 2\n  cron: "0 9 1 1 *"\n` +
      `watch:\n  type: log\n  file: ${f.log}\n`,
  );
  const args = ["--config", yaml, "--state-dir", f.state, "--stdout"];
  try {
    // Without the check it would run on (killed at 20 s), a tile every 2 s.
    const long = await runCli(args, { config, timeoutMs: 20_000 });
    assert.equal(long.code, 2, long.stderr);
    assert.equal(
      long.stderr,
      "plato-scout: scout 'yearly': cron '0 9 1 1 *' needs Deno.cron: run deno with --unstable-cron, or drop cron: to poll every poll_interval\n",
    );
    // A --once run (a cron job's) has no schedule of its own.
    const once = await runCli([...args, "--once"], { config });
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /\[PERIODIC\]/);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a log scout pointed at a FIFO reports it as no regular file instead of waiting for a writer",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const f = await fixture();
    const fifo = `${f.dir}/app.fifo`;
    try {
      await mkfifo(fifo);
      // Without the check the open waits for a writer for good (killed at 20 s).
      const out = await runCli(
        ["log", "--file", fifo, "--room", "e2e/fifo", "--state-dir", f.state, "--once", "--stdout"],
        { timeoutMs: 20_000 },
      );
      assert.equal(out.code, 0, out.stderr);
      const tiles = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
      const error = tiles.find((t) => t.question.startsWith("[ERROR]"));
      assert.ok(error, JSON.stringify(tiles.map((t) => t.question)));
      assert.match(error.answer, /is not a regular file \(a FIFO\)/);
    } finally {
      await Deno.remove(f.dir, { recursive: true });
    }
  },
});

Deno.test("a long run stopped while PLATO fails says why its tiles still wait", async () => {
  const f = await fixture();
  const plato = new FakePlato().start();
  for (let i = 0; i < 50; i++) plato.faults.push({ status: 503, body: { error: "overloaded" } });
  try {
    const cli = await startCli(
      ["log", "--file", f.log, "--room", "e2e/stop-why", "--state-dir", f.state, "--deadline", "1"],
      /Delivery failed/,
      { env: { PLATO_URL: plato.url } },
    );
    cli.child.kill("SIGTERM");
    const rest = await cli.rest;
    assert.equal((await cli.child.status).code, 0, rest);
    assert.match(
      rest,
      /Stopped; \d+ tile\(s\) still waiting in .*; they will be delivered on the next run \(last delivery failure: .*503 Service Unavailable \(overloaded\)\)/,
    );
  } finally {
    plato.stop();
    await Deno.remove(f.dir, { recursive: true });
  }
});
