import assert from "node:assert/strict";
import { createLogScout, logScoutKind, type LogScoutOptions } from "../scouts/log.ts";
import { checkGate } from "../lib/gate.ts";
import { createPlatoClient } from "../lib/client.ts";
import { Emitter } from "../lib/emitter.ts";
import { createLogger } from "../lib/logger.ts";
import { MemoryOutbox } from "../lib/outbox.ts";
import { MemoryState } from "../lib/state.ts";
import type { Tile } from "../lib/tile.ts";
import { denoFileSource } from "../lib/runtime/deno_file_source.ts";
import { FakeClock } from "./_support/fake_clock.ts";
import { maskLogCredentials } from "../lib/log/_mask.ts";

const quiet = createLogger({ level: "silent" });

function setup(path: string, extra: Partial<LogScoutOptions> = {}) {
  const clock = new FakeClock();
  const outbox = new MemoryOutbox({ capacity: 100_000 });
  const state = (extra.state as MemoryState | undefined) ?? new MemoryState();
  const scout = createLogScout({
    scoutName: "log-monitor",
    scoutRoom: "my/research/scout-reports/logs",
    platoUrl: "http://127.0.0.1:9",
    file: path,
    pattern: "ERROR|WARN",
    files: denoFileSource(),
    now: clock.now,
    logger: quiet,
    state,
    emitter: new Emitter({
      client: createPlatoClient({ url: "http://127.0.0.1:9" }),
      outbox,
      autoFlush: false,
      logger: quiet,
      now: clock.now,
    }),
    ...extra,
  });
  const tiles = () => outbox.peek(outbox.size()).map((e) => e.tile);
  return { clock, scout, state, tiles };
}

async function withLog(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "log_scout_" });
  try {
    const path = `${dir}/myapp.log`;
    await Deno.writeTextFile(path, "");
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const answer = (t: Tile) => JSON.parse(t.answer);

Deno.test("log scout emits a summary tile and an interesting ERROR tile per new signature", async () => {
  await withLog(async (path) => {
    const { clock, scout, tiles } = setup(path);
    await scout.tick();
    await Deno.writeTextFile(
      path,
      "12:00:01 INFO ok\n12:00:02 ERROR db connection never established after 3 tries\n" +
        "12:00:03 ERROR db connection never established after 9 tries\n12:00:04 WARN slow 350ms\n",
      { append: true },
    );
    clock.t += 10_000;
    assert.equal((await scout.tick()).ok, true);
    const all = tiles();
    assert.deepEqual(all.map((t) => t.question), [
      "[STARTUP] log-monitor initialized",
      "[PERIODIC] myapp.log: 0 of 0 lines matched /ERROR|WARN/, 0 new signatures",
      "[PERIODIC] myapp.log: 3 of 4 lines matched /ERROR|WARN/ (ERROR 2, WARN 1), 2 new signatures",
      "[ERROR] New ERROR signature in myapp.log: <ts> ERROR db connection n\u200Dever established after <num> tries",
      "[ERROR] New WARN signature in myapp.log: <ts> WARN slow <num>ms",
    ]);
    for (const tile of all) assert.deepEqual(checkGate(tile), [], tile.question);
    const summary = answer(all[2]);
    assert.equal(summary.lines_matched, 3);
    assert.deepEqual(summary.levels, { ERROR: 2, WARN: 1 });
    assert.equal(summary.top_signatures[0].count, 2);
    assert.equal(summary.interesting, true);
    const error = answer(all[3]);
    assert.equal(error.interesting, true);
    assert.equal(error.count_in_interval, 2);
    assert.ok(all[3].tags.includes("interesting"));
    assert.ok(all[3].tags.includes("checkpoint:error"));
  });
});

Deno.test("log scout tiles pass the fleet gate when the path or the pattern holds an absolute word", async () => {
  const dir = await Deno.makeTempDir({ prefix: "log_scout_" });
  try {
    await Deno.mkdir(`${dir}/always-on`);
    const path = `${dir}/always-on/app.log`;
    await Deno.writeTextFile(path, "");
    const { clock, scout, tiles } = setup(path, { pattern: "ERROR|connection never established" });
    await scout.tick();
    await Deno.writeTextFile(path, "ERROR disk full on /dev/sda1\n", { append: true });
    clock.t += 10_000;
    await scout.tick();
    const all = tiles();
    assert.deepEqual(all.map((t) => t.question.slice(0, 11)), [
      "[STARTUP] l",
      "[PERIODIC] ",
      "[PERIODIC] ",
      "[ERROR] New",
    ]);
    for (const tile of all) assert.deepEqual(checkGate(tile), [], tile.question);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log scout masks credentials in what its tiles show of log lines", async () => {
  await withLog(async (path) => {
    const { clock, scout, tiles } = setup(path, { readFrom: "beginning" });
    await Deno.writeTextFile(
      path,
      "ERROR auth failed Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEFghi123\n" +
        "ERROR db connect postgres://admin:S3cretPassw0rd@db.internal:5432/app failed\n" +
        "ERROR login password=hunter2 user=bob\n" +
        "WARN request GET /api?token=abcd1234efgh5678&x=1 slow\n" +
        '{"level":"error","msg":"denied","api_key":"k3y-v4lue"}\n' +
        "ERROR aws key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFDEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    clock.t += 10_000;
    await scout.tick();
    const all = tiles();
    assert.equal(all.filter((t) => t.question.startsWith("[ERROR]")).length, 5);
    const shown = all.map((t) => t.question + t.answer).join("\n");
    for (
      const secret of [
        "eyJhbGciOiJIUzI1NiJ9",
        "abcDEFghi123",
        "S3cretPassw0rd",
        "hunter2",
        "abcd1234efgh5678",
        "k3y-v4lue",
        "AKIAIOSFODNN7EXAMPLE",
        "bPxRfiCYEXAMPLEKEY",
      ]
    ) assert.ok(!shown.includes(secret), `${secret} is shown`);
    assert.match(shown, /password=\*\*\* user=bob/);
    assert.match(shown, /postgres:\/\/\*\*\*@db\.internal/);
    assert.match(shown, /Bearer \*\*\*/);
  });
});

Deno.test("credential masking finds a scheme, key word or pair wherever a run of their characters starts it, on long runs too", () => {
  const cases: Array<[string, string]> = [
    ["1.http://u:p@h", "1.http://***@h"],
    ["-http://u:p@h", "-http://***@h"],
    ["a-b+c.d://u:p@h", "a-b+c.d://***@h"],
    ["_http://u:p@h", "_http://u:p@h"],
    ["x.my-secrets  wJalrXUtnFDEMIK7MDENG", "x.my-secrets  ***"],
    ["--api-key wJalrXUtnFDEMIK7MDENG", "--api-key ***"],
    ["password:password:password:x9", "password:***"],
    ["password:password:pass word:x", "password:password:pass word:x"],
    ['msg="password:abc secret:xY"', 'msg="password:abc secret:***"'],
    ['a="password=x', 'a="password=***'],
    ["token:abcdef\nGHIJ", "token:abcdef\nGHIJ"],
    ["pass:" + "a".repeat(20) + "B", "pass:***"],
  ];
  // The shapes that made the masking scan a run again from each of its
  // characters: 8 KiB of each now takes about a millisecond, not seconds.
  const long = (unit: string) => unit.repeat(Math.ceil(8192 / unit.length)).slice(0, 8192);
  for (const unit of ["a-", "a.", "key-", "secret_.", "a=", "a:", "password:"]) {
    cases.push([long(unit), long(unit)]);
  }
  cases.push([long("password:") + "9", "password:***"]);
  cases.push([long("a-") + "http://u:p@h", long("a-") + "http://***@h"]);
  for (const [text, masked] of cases) {
    assert.equal(maskLogCredentials(text), masked, JSON.stringify(text.slice(0, 40)));
  }
});

Deno.test("log scout counts a matched line over the cap as cut, whether it came in one read or across reads", async () => {
  await withLog(async (path) => {
    const { clock, scout, tiles } = setup(path, { maxLineLength: 16 });
    await scout.tick();
    const long = "ERROR " + "x".repeat(30);
    // Whole in one read; then held across cycles (written in two parts);
    // then delivered cut as soon as it outgrows the bytes held (3 per
    // character), its rest skipped on the next cycle.
    await Deno.writeTextFile(path, `${long}\nERROR ${"y".repeat(10)}`, { append: true });
    clock.t += 10_000;
    await scout.tick();
    await Deno.writeTextFile(path, `${"y".repeat(20)}\nERROR ${"z".repeat(60)}`, { append: true });
    clock.t += 10_000;
    await scout.tick();
    await Deno.writeTextFile(path, `${"z".repeat(60)}\nERROR short\nINFO ${"i".repeat(40)}\n`, {
      append: true,
    });
    clock.t += 10_000;
    await scout.tick();
    const summaries = tiles().filter((t) => t.question.startsWith("[PERIODIC]")).map(answer);
    assert.deepEqual(summaries.map((s) => [s.lines_matched, s.cut_lines]), [
      [0, 0],
      [1, 1],
      [2, 2],
      [1, 0],
    ]);
  });
});

Deno.test("log scout startup and summary tiles pass the gate with an absolute word in the file name and a long pattern or path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "log_scout_" });
  try {
    const pattern = "ERROR|" + Array.from({ length: 800 }, (_, i) => `E${i}X`).join("|");
    const deep = `${dir}/${"d".repeat(200)}/`.repeat(17);
    for (
      const [path, extra] of [
        [`${dir}/always-on.log`, {}],
        [`${dir}/never-ends.log`, { pattern }],
        [`${deep}app.log`, {}],
      ] as const
    ) {
      if (!path.startsWith(deep)) await Deno.writeTextFile(path, "");
      const { clock, scout, tiles } = setup(path, extra);
      await scout.tick();
      clock.t += 10_000;
      await scout.tick();
      const all = tiles();
      assert.deepEqual(all.map((t) => t.question.slice(0, 10)), [
        "[STARTUP] ",
        "[PERIODIC]",
        "[PERIODIC]",
      ]);
      for (const tile of all) {
        assert.deepEqual(checkGate(tile), [], `${path.slice(-20)}: ${tile.question}`);
        assert.ok(tile.answer.length <= 5000, `${tile.answer.length} characters`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log scout shows control characters of log lines as escapes in its tiles", async () => {
  await withLog(async (path) => {
    const { clock, scout, tiles } = setup(path, { readFrom: "beginning" });
    await Deno.writeTextFile(
      path,
      "ERROR esc \x1b]0;PWNED\x07 \x1b[2J title\nERROR nul\x00byte \u202eturned\n",
    );
    clock.t += 10_000;
    await scout.tick();
    const all = tiles();
    assert.equal(all.filter((t) => t.question.startsWith("[ERROR]")).length, 2);
    // deno-lint-ignore no-control-regex
    const raw = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
    const shown = (v: unknown): string[] =>
      typeof v === "string"
        ? [v]
        : v && typeof v === "object"
        ? Object.values(v).flatMap(shown)
        : [];
    for (const tile of all) {
      for (const text of [tile.question, ...shown(answer(tile))]) {
        assert.doesNotMatch(text, raw, JSON.stringify(text));
      }
    }
    assert.ok(all.some((t) => t.question.includes("esc \\x1b]<num>;PWNED\\x07")), "escaped");
  });
});

Deno.test("log scout does not report a signature again after a restart", async () => {
  await withLog(async (path) => {
    const first = setup(path);
    await first.scout.tick();
    await Deno.writeTextFile(path, "ERROR disk 91% full\n", { append: true });
    await first.scout.tick();
    assert.equal(first.tiles().filter((t) => t.question.startsWith("[ERROR]")).length, 1);
    await Deno.writeTextFile(path, "ERROR disk 97% full\n", { append: true });
    const second = setup(path, { state: first.state });
    await second.scout.tick();
    const tiles = second.tiles();
    assert.equal(tiles.filter((t) => t.question.startsWith("[ERROR]")).length, 0);
    assert.equal(answer(tiles.find((t) => t.question.startsWith("[PERIODIC]"))!).lines_matched, 1);
  });
});

Deno.test("log scout keeps every tile under the gate's length limit with long lines and many signatures", async () => {
  await withLog(async (path) => {
    const { clock, scout, tiles } = setup(path, { maxNewSignatures: 50, topSignatures: 50 });
    await scout.tick();
    let text = "";
    for (let i = 0; i < 60; i++) {
      text += `ERROR ${"word".repeat(i + 1)} ${"z".repeat(5000)} failed\n`;
    }
    await Deno.writeTextFile(path, text, { append: true });
    clock.t += 10_000;
    await scout.tick();
    const all = tiles();
    assert.equal(all.filter((t) => t.question.startsWith("[ERROR]")).length, 50);
    for (const tile of all) assert.deepEqual(checkGate(tile), [], tile.question);
    const periodic = all.filter((t) => t.question.startsWith("[PERIODIC]"));
    assert.notEqual(periodic[0].answer, periodic[1].answer);
  });
});

Deno.test("log scout turns a burst of a million matching lines into a handful of tiles", async () => {
  await withLog(async (path) => {
    const { scout, tiles } = setup(path);
    await scout.tick();
    const file = await Deno.open(path, { append: true });
    const enc = new TextEncoder();
    for (let k = 0; k < 100; k++) {
      let text = "";
      for (let i = k * 10_000; i < (k + 1) * 10_000; i++) {
        text += `2026-05-19T10:00:00Z ERROR request ${i} to 10.0.0.${i % 256} failed\n`;
      }
      const bytes = enc.encode(text);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    }
    file.close();
    await scout.tick();
    await scout.tick();
    const all = tiles();
    const matched = all.filter((t) => t.question.startsWith("[PERIODIC]"))
      .reduce((n, t) => n + answer(t).lines_matched, 0);
    assert.equal(matched, 1_000_000);
    assert.ok(all.length <= 6, `${all.length} tiles`);
  });
});

Deno.test("log scout names an invalid pattern, and its kind needs file access", () => {
  assert.throws(
    () => setup("/nonexistent.log", { pattern: "ERROR|(" }),
    /Cannot compile pattern 'ERROR\|\('/,
  );
  const bad = logScoutKind.watch.safeParse({ type: "log", file: "/x.log", pattern: "(" });
  assert.equal(bad.success, false);
  const good = logScoutKind.watch.parse({ type: "log", file: "/x.log" });
  assert.equal(good.pattern, "ERROR|WARN");
  assert.throws(
    () =>
      logScoutKind.create(
        { scoutName: "s", scoutRoom: "r", logger: quiet },
        good,
        { state: new MemoryState() },
      ),
    TypeError,
  );
});

Deno.test("log scout reads what the file holds already only with read_from: beginning, and only on a first run", async () => {
  await withLog(async (path) => {
    await Deno.writeTextFile(path, "ERROR disk full on /var\nINFO fine\nWARN slow query 5s\n");
    const fromEnd = setup(path);
    await fromEnd.scout.tick();
    assert.equal(answer(fromEnd.tiles().at(-1)!).lines_scanned, 0);

    const state = new MemoryState();
    const fromStart = setup(path, { readFrom: "beginning", state });
    await fromStart.scout.tick();
    const summary = answer(fromStart.tiles().find((t) => t.question.startsWith("[PERIODIC]"))!);
    assert.equal(summary.lines_scanned, 3);
    assert.equal(summary.lines_matched, 2);
    // A restart with the saved offset goes on from it, whatever read_from says.
    await Deno.writeTextFile(path, "ERROR disk full on /home\n", { append: true });
    const again = setup(path, { readFrom: "beginning", state });
    await again.scout.tick();
    const next = answer(again.tiles().find((t) => t.question.startsWith("[PERIODIC]"))!);
    assert.equal(next.lines_scanned, 1);
  });
});

Deno.test("log watch schema: read_from is end (default) or beginning", () => {
  const base = { type: "log", file: "/var/log/app.log" };
  assert.equal(logScoutKind.watch.parse(base).read_from, "end");
  assert.equal(
    logScoutKind.watch.parse({ ...base, read_from: "beginning" }).read_from,
    "beginning",
  );
  assert.equal(logScoutKind.watch.safeParse({ ...base, read_from: "start" }).success, false);
});

/** One `--once` run, as cron starts it: a new scout on the saved state, one cycle. */
async function cronRun(path: string, state: MemoryState) {
  const { scout, tiles } = setup(path, { state });
  assert.equal((await scout.tick()).ok, true);
  await scout.close();
  return answer(tiles().find((t) => t.question.startsWith("[PERIODIC]"))!);
}

Deno.test("log scout run by cron reads the end of a file renamed between two runs, and counts the rotation", async () => {
  await withLog(async (path) => {
    const state = new MemoryState();
    await cronRun(path, state);
    await Deno.writeTextFile(path, "ERROR one\nERROR two\n", { append: true });
    await Deno.rename(path, `${path}.1`);
    await Deno.writeTextFile(path, "ERROR three\n");
    const summary = await cronRun(path, state);
    assert.equal(summary.lines_scanned, 3);
    assert.equal(summary.lines_matched, 3);
    assert.equal(summary.rotations, 1);
    assert.equal(summary.truncations, 0);
    assert.equal((await cronRun(path, state)).lines_scanned, 0);
  });
});

Deno.test("log scout run by cron reads the end of a file copytruncated between two runs, and counts the truncation", async () => {
  await withLog(async (path) => {
    const state = new MemoryState();
    await Deno.writeTextFile(path, "INFO started\n");
    await cronRun(path, state);
    await Deno.writeTextFile(path, "ERROR one\nERROR two\n", { append: true });
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await Deno.writeTextFile(path, "ERROR three\n", { append: true });
    const summary = await cronRun(path, state);
    assert.equal(summary.lines_scanned, 3);
    assert.equal(summary.truncations, 1);
    assert.equal(summary.rotations, 0);
    assert.equal((await cronRun(path, state)).lines_scanned, 0);
  });
});

Deno.test("log scout run by cron reads every line of a copytruncated file regrown past the offset behind the same banner", async () => {
  await withLog(async (path) => {
    const state = new MemoryState();
    const banner = `# myapp 1.0 started ${"-".repeat(280)}\n`;
    let text = banner;
    for (let i = 0; i < 7; i++) text += `ERROR old ${i}\n`;
    await Deno.writeTextFile(path, text);
    await cronRun(path, state);
    await Deno.copyFile(path, `${path}.1`);
    text = banner;
    for (let i = 0; i < 10; i++) text += `ERROR new ${i}\n`;
    await Deno.writeTextFile(path, text);
    const summary = await cronRun(path, state);
    assert.equal(summary.lines_matched, 10);
    assert.equal(summary.lines_scanned, 11);
    assert.equal(summary.truncations, 1);
  });
});
