import { renderMetrics } from "../lib/metrics_text.ts";
import assert from "node:assert/strict";
import {
  createLogger,
  formatLogRecord,
  type LogRecord,
  METRIC,
  MetricsRegistry,
  parseLogLevel,
  redactSecrets,
  redactUrl,
} from "../mod.ts";
import { maskQuerySecrets } from "../lib/redact.ts";

Deno.test("the registry renders the original's metric names and labels in Prometheus text format", () => {
  const m = new MetricsRegistry();
  m.inc(METRIC.tilesEmitted, "Tiles", { scout_name: "s", checkpoint_type: "periodic" });
  m.inc(METRIC.tilesEmitted, "Tiles", { scout_name: "s", checkpoint_type: "periodic" });
  m.inc(METRIC.errors, "Errors", { scout_name: "s", error_type: "collect" });
  m.observe(METRIC.submitDuration, "Submit", { scout_name: "s" }, 0.02, [0.01, 0.05]);
  m.observe(METRIC.watchDuration, "Watch", { scout_name: "s" }, 0.5, [0.01, 0.05]);
  m.gaugeFn(METRIC.outboxDepth, "Depth", () => [{ labels: { scout_name: "s" }, value: 7 }]);
  const text = renderMetrics(m);
  assert.match(
    text,
    /^# HELP plato_scout_tiles_emitted_total Tiles\n# TYPE plato_scout_tiles_emitted_total counter\n/,
  );
  assert.match(
    text,
    /\nplato_scout_tiles_emitted_total\{scout_name="s",checkpoint_type="periodic"\} 2\n/,
  );
  assert.match(text, /\nplato_scout_errors_total\{scout_name="s",error_type="collect"\} 1\n/);
  assert.match(
    text,
    /\nplato_scout_plato_submit_duration_seconds_bucket\{scout_name="s",le="0\.01"\} 0\n/,
  );
  assert.match(
    text,
    /\nplato_scout_plato_submit_duration_seconds_bucket\{scout_name="s",le="0\.05"\} 1\n/,
  );
  assert.match(
    text,
    /\nplato_scout_plato_submit_duration_seconds_bucket\{scout_name="s",le="\+Inf"\} 1\n/,
  );
  assert.match(text, /\nplato_scout_watch_duration_seconds_count\{scout_name="s"\} 1\n/);
  assert.match(text, /\nplato_scout_outbox_depth\{scout_name="s"\} 7\n/);
});

Deno.test("a counter refuses to shrink or become NaN, a histogram refuses NaN; neither records it", () => {
  const m = new MetricsRegistry();
  m.inc("jobs_total", "Jobs", {}, 2);
  for (const by of [-1, NaN, Infinity]) {
    assert.throws(() => m.inc("jobs_total", "Jobs", {}, by), {
      name: "RangeError",
      message: `Counter jobs_total: cannot add ${by} (only a finite amount >= 0)`,
    });
  }
  assert.equal(m.value("jobs_total"), 2);
  m.observe("wait_seconds", "Wait", {}, -0.5);
  assert.throws(() => m.observe("wait_seconds", "Wait", {}, NaN), {
    name: "RangeError",
    message: "Histogram wait_seconds: cannot observe NaN",
  });
  const text = renderMetrics(m);
  assert.match(text, /^wait_seconds_sum -0\.5$/m);
  assert.match(text, /^wait_seconds_count 1$/m);
});

Deno.test("label values are escaped", () => {
  const m = new MetricsRegistry();
  m.inc("x_total", "X", { a: 'q"\\\n' });
  assert.match(renderMetrics(m), /x_total\{a="q\\"\\\\\\n"\} 1/);
});

Deno.test("the logger honours its level and removes secrets", () => {
  const records: LogRecord[] = [];
  const log = createLogger({
    level: "WARN",
    secrets: ["tok-12345"],
    sink: (r) => records.push(r),
    name: "n",
  });
  log.info("hidden");
  log.warn("using tok-12345 now");
  log.child("c").error("boom");
  assert.deepEqual(records.map((r) => [r.level, r.name, r.message]), [[
    "warn",
    "n",
    "using *** now",
  ], ["error", "c", "boom"]]);
});

Deno.test("parseLogLevel reads the usual spellings", () => {
  assert.equal(parseLogLevel("INFO"), "info");
  assert.equal(parseLogLevel("warning"), "warn");
  assert.equal(parseLogLevel("DEBUG"), "debug");
  assert.equal(parseLogLevel("off"), "silent");
  assert.equal(parseLogLevel(undefined), "info");
});

Deno.test("redactUrl removes user info and masks token-like query values", () => {
  assert.equal(
    redactUrl("https://user:pass@h.example/p?token=abc&x=1"),
    "https://h.example/p?token=***&x=1",
  );
  assert.equal(redactUrl("not a url user:pw@host"), "not a url user:pw@host");
  assert.equal(redactUrl("//u:p@host/x"), "//host/x");
  // Credential names beyond the exact few: any *token*, *secret*, *signature*, *_key, auth*.
  assert.equal(
    redactUrl(
      "http://h/q?client_secret=a1&refresh_token=b2&X-Amz-Signature=c3&api-key=d4&private_key=e5&auth=f6&author=bob&keyword=k&page=2",
    ),
    "http://h/q?client_secret=***&refresh_token=***&X-Amz-Signature=***&api-key=***&private_key=***&auth=***&author=bob&keyword=k&page=2",
  );
  assert.equal(redactUrl("ftp//broken?token=abc&x=1"), "ftp//broken?token=***&x=1");
  // Text that goes on after a URL with a ':' keeps it, masked value or not.
  assert.equal(
    maskQuerySecrets("GET http://h/r?api_key=s3cr3t: 200 OK"),
    "GET http://h/r?api_key=***: 200 OK",
  );
  assert.equal(
    maskQuerySecrets("GET http://h/r?api_key=***: 200 OK"),
    "GET http://h/r?api_key=***: 200 OK",
  );
});

Deno.test("redactSecrets masks a secret, and its start where a summary cut it short", () => {
  const secret = "zq9SuperSecretValue42";
  assert.equal(
    redactSecrets(`a ${secret} b http://h/hooks/zq9SuperSec\u2026 c zq9\u2026`, [secret]),
    "a *** b http://h/hooks/***\u2026 c zq9\u2026",
  );
  assert.equal(redactSecrets("no cut here: zq9Super", [secret]), "no cut here: zq9Super");
});

Deno.test("label sets never merge, HELP text is escaped, and render-time series of several emitters add up", () => {
  const m = new MetricsRegistry();
  m.inc("t_total", "h", { error_type: "q,scout_name=a", scout_name: "x" });
  m.inc("t_total", "h", { error_type: "q", scout_name: "a,scout_name=x" });
  const text = renderMetrics(m);
  assert.match(text, /^t_total\{error_type="q,scout_name=a",scout_name="x"\} 1$/m);
  assert.match(text, /^t_total\{error_type="q",scout_name="a,scout_name=x"\} 1$/m);
  m.inc("h_total", "help with \\ and\nnewline", {});
  assert.match(renderMetrics(m), /^# HELP h_total help with \\\\ and\\nnewline$/m);
  // Two emitters on one registry: both outboxes show, and equal label sets add up.
  m.gaugeFn("depth", "d", () => [{ labels: { scout_name: "alpha" }, value: 1 }]);
  m.gaugeFn("depth", "d", () => [{ labels: { scout_name: "beta" }, value: 2 }]);
  m.gaugeFn("depth", "d", () => [{ labels: { scout_name: "beta" }, value: 3 }]);
  const depth = renderMetrics(m).split("\n").filter((l) => l.startsWith("depth{"));
  assert.deepEqual(depth, ['depth{scout_name="alpha"} 1', 'depth{scout_name="beta"} 5']);
  assert.equal(m.value("depth", { scout_name: "beta" }), 5);
});

Deno.test("a secret's start before an ellipsis is masked, in one scan per secret however long the secrets", () => {
  const secret = "S3cretValueThatIsLong";
  assert.equal(
    redactSecrets(`a ${secret.slice(0, 9)}\u2026 b ${secret} c S3c\u2026`, [secret]),
    "a ***\u2026 b *** c S3c\u2026",
  );
});

Deno.test("a logged line stays one line: line breaks and control characters in a message become spaces", () => {
  const line = formatLogRecord({
    level: "warn",
    time: 0,
    name: "plato-scout",
    message: "502 (<html>\r\n<head>\n</head>)\rFAKE 2026 ERROR [x] forged\x1b[2K end",
  });
  assert.equal(
    line,
    "1970-01-01T00:00:00.000Z WARN [plato-scout] 502 (<html> <head> </head>) FAKE 2026 ERROR [x] forged [2K end",
  );
});
