/**
 * Editor hover text for scout.yaml's fields in the JSON Schema
 * (`plato-scout schema`): each field's meaning, type and default, as the
 * README's field reference gives them (a test checks the two agree). Apart
 * from the zod schemas so that it stays out of a Worker's bundle.
 *
 * @module
 */

/** The top level's, `scout.*`'s and `emission.*`'s fields, by dotted path. */
export const FIELD_DOCS: Record<string, string> = {
  scout: "the scout: its name, room and schedule",
  watch: "what the scout watches: a `type` and that type's own fields",
  emission: "how tiles are sent to PLATO",
  "scout.name":
    "the scout's name (ASCII letters, digits, `.`, `_`, `-`; at most 128); text, required",
  "scout.scout_room": "PLATO room its tiles go to (at most 512; no `.`/`..` parts); text, required",
  "scout.plato_url":
    "the PLATO server's base URL; one per process (`--plato-url` wins); http(s) URL, default `$PLATO_URL`, else `http://localhost:8848`",
  "scout.poll_interval": "time between cycles (0.1 to 86400); seconds, default `60`",
  "scout.cron": "five-field schedule, instead of `poll_interval`; cron expression",
  "scout.watched_service": "the service named in tiles; text, default from what it watches",
  "state_dir":
    "durable outbox and state; relative to the current directory; path, default `.plato-scout`",
  "scouts":
    "several scouts in one process (with or instead of `scout:`/`watch:`); list of `{scout, watch}`",
  "emission.min_interval_seconds":
    "at most one automatic flush per this many seconds; number 0-3600, default `1`",
  "emission.batch_size": "tiles per request, at most; whole number 1-1000, default `200`",
  "emission.concurrency": "batch requests in flight; whole number 1-6, default `2`",
  "emission.gate": "local check against the fleet gate; `warn`, `refuse`, `off`, default `warn`",
  "emission.outbox_max_entries": "most tiles the outbox holds; whole number, default `100000`",
  "emission.outbox_max_bytes":
    "most bytes the outbox holds; whole number (1024+), default `268435456`",
  "watch.type":
    "which scout: each has its own fields; `http`, `log`, `keeper`, `holodeck`, required",
};

/** Each built-in watch type's own fields. */
export const WATCH_DOCS: Record<string, Record<string, string>> = {
  http: {
    url: "the target; user info and token query values are kept secret; http(s) URL, required",
    method: "request method; `GET` ... `OPTIONS`, any case, default `GET`",
    headers:
      "sent with every request; values but plain ones are masked; mapping of text, default `{}`",
    body: "request body (not with `GET` or `HEAD`); text",
    timeout: "for headers and body together; seconds (at most 300), default `5`",
    expect_status:
      'codes (`200`), classes (`"2xx"`) or ranges (`"200-299"`); status or list of them, default `["2xx", "3xx"]`',
    body_contains: "the body must contain it; text",
    body_matches: "the body must match it (`source` or `/source/flags`); regex",
    json_path: "must exist in the JSON body (`registry.total`, `a.b[0].c`); dotted path",
    json_equals: "the value at `json_path` must equal it (needs `json_path`); any JSON value",
    max_body_bytes:
      "most body bytes read per request; whole number (at most 64 MiB), default `1048576`",
    max_redirects: "redirects followed at most; whole number 0-20, default `5`",
    latency_alpha: "EWMA weight of a new latency sample; number (0, 1], default `0.2`",
    latency_threshold:
      "deviations above the mean that make a latency anomaly; number (0, 100], default `4`",
    latency_warmup: "samples before anomalies are flagged; whole number 1-10000, default `5`",
    latency_min_delta_ms:
      "an anomaly also exceeds the mean by at least this many ms; number, default `50`",
  },
  log: {
    file: "the log file followed; path, required",
    pattern: 'lines matching it are reported; regex, default `"ERROR|WARN"`',
    ignore_case: "match regardless of case; boolean, default `false`",
    max_line_length:
      "lines are matched and reported on this many characters; whole number 16-1048576, default `8192`",
    tick_budget_bytes:
      "most bytes read per cycle; the next cycle continues; whole number (1 MiB+), default `67108864`",
    top_signatures: "signatures listed per summary; whole number 1-50, default `10`",
    max_new_signatures:
      "new-signature ERROR tiles per cycle, at most; whole number 0-50, default `5`",
    read_from:
      "where a file seen for the first time is read from; `end`, `beginning`, default `end`",
  },
  keeper: {
    url: "the Keeper's base URL; http(s) URL, default `http://localhost:8900`",
    api_key: "bearer token for the Keeper; never shown; text, default `KEEPER_API_KEY`",
    timeout: "wait for the Keeper at most; seconds (at most 600), default `10`",
    max_agents: "most agents remembered across restarts; whole number 1-1000000, default `10000`",
    max_agent_tiles:
      "registration (and status-change) tiles per cycle, at most; whole number 1-200, default `25`",
    forget_after:
      "how long an agent missing from `GET /agents` is remembered; seconds, default `3600`",
  },
  holodeck: {
    sessions_dir: "the holodeck's sessions folder; path, default `sessions`",
    max_sessions:
      "most sessions remembered across restarts; whole number 1-1000000, default `10000`",
    max_reports_per_tick:
      "SESSION_START and SESSION_END tiles per cycle, at most; whole number 1-500, default `20`",
    scores_retries:
      "cycles an unreadable `scores.json` is retried before reporting; whole number 0-100, default `5`",
  },
};
