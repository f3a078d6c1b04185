import assert from "node:assert/strict";
import { buildTags, buildTile, CheckpointType, prefixQuestion, serializeAnswer } from "../mod.ts";
import { parseTile } from "../lib/tile_schema.ts";

Deno.test("CheckpointType has the original's eight types in snake case", () => {
  assert.deepEqual(Object.values(CheckpointType), [
    "startup",
    "periodic",
    "task_start",
    "task_boundary",
    "session_start",
    "session_end",
    "error",
    "model_switch",
  ]);
});

Deno.test("buildTile produces the original's tile format with an id", () => {
  const tile = buildTile({
    scoutName: "my-service-scout",
    room: "my/research/scout-reports/my-service",
    checkpointType: CheckpointType.TASK_BOUNDARY,
    question: "abc12345 completed in 847ms",
    answer: { task_id: "abc12345", outcome: "success", duration_ms: 847, interesting: false },
    tags: ["outcome:success", "scout"],
    confidence: 0.9,
    now: Date.UTC(2026, 4, 19, 22, 30),
    id: "t-1",
  });
  assert.deepEqual(tile, {
    id: "t-1",
    domain: "my/research/scout-reports/my-service",
    question: "[TASK_BOUNDARY] abc12345 completed in 847ms",
    answer: JSON.stringify(
      { task_id: "abc12345", outcome: "success", duration_ms: 847, interesting: false },
      null,
      2,
    ),
    tags: ["scout", "my-service-scout", "checkpoint:task_boundary", "outcome:success"],
    confidence: 0.9,
    source: "my-service-scout",
    timestamp: "2026-05-19T22:30:00.000Z",
  });
  assert.equal(parseTile(tile).ok, true);
});

Deno.test("buildTile gives every emission a distinct id by default", () => {
  const a = buildTile({
    scoutName: "s",
    room: "r",
    checkpointType: "periodic",
    question: "q",
    answer: "",
  });
  const b = buildTile({
    scoutName: "s",
    room: "r",
    checkpointType: "periodic",
    question: "q",
    answer: "",
  });
  assert.notEqual(a.id, b.id);
});

Deno.test("buildTile refuses a confidence outside 0..1 and an unknown type", () => {
  assert.throws(
    () =>
      buildTile({
        scoutName: "s",
        room: "r",
        checkpointType: "periodic",
        question: "q",
        answer: "",
        confidence: 1.5,
      }),
    /'confidence' must be within 0\.\.1, got 1\.5/,
  );
  assert.throws(
    () =>
      buildTile({
        scoutName: "s",
        room: "r",
        checkpointType: "bogus" as unknown as "periodic",
        question: "q",
        answer: "",
      }),
    /unknown checkpoint type 'bogus'/,
  );
});

Deno.test("prefixQuestion keeps an existing bracketed marker", () => {
  assert.equal(prefixQuestion("periodic", "x"), "[PERIODIC] x");
  assert.equal(prefixQuestion("periodic", "[AGENT_REGISTER] bob"), "[AGENT_REGISTER] bob");
});

Deno.test("buildTags puts the scheme first and removes duplicates and empties", () => {
  assert.deepEqual(buildTags("s", "error", ["s", "", "x", "x", "scout"]), [
    "scout",
    "s",
    "checkpoint:error",
    "x",
  ]);
});

Deno.test("serializeAnswer passes strings and serializes other values with a 2-space indent", () => {
  assert.equal(serializeAnswer("plain"), "plain");
  assert.equal(serializeAnswer({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
  assert.equal(
    serializeAnswer({ n: 10n, s: new Set([1]) }),
    '{\n  "n": "10",\n  "s": [\n    1\n  ]\n}',
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.match(serializeAnswer(cyclic), /circular/i);
});

Deno.test("parseTile names the offending field", () => {
  const good = buildTile({
    scoutName: "s",
    room: "r",
    checkpointType: "periodic",
    question: "q",
    answer: "a",
  });
  assert.deepEqual(parseTile({ ...good, confidence: 2 }).ok, false);
  const r = parseTile({ ...good, timestamp: "yesterday" });
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /^'timestamp': expected an ISO-8601 UTC timestamp/);
  const answerObject = parseTile({ ...good, answer: { a: 1 } });
  assert.match((answerObject as { error: string }).error, /^'answer'/);
});
