/** How a CLI flag maps onto a key of a scout's `watch:` section. */
export interface KindFlag {
  /** The flag without dashes, e.g. `url`. */
  flag: string;
  /** The watch key, e.g. `url` or `sessions_dir`. */
  key: string;
  /** `json`: a JSON value when the text parses as one (`3`, `true`, `"ok"`), else the text. */
  type: "string" | "number" | "list" | "boolean" | "json";
  help: string;
}

/**
 * Flags of each built-in scout's subcommand (`plato-scout http --url ...`),
 * mirroring the original's `python -m plato_scout.http --url --room`.
 */
export const KIND_FLAGS: Record<string, KindFlag[]> = {
  http: [
    { flag: "url", key: "url", type: "string", help: "URL to poll (required)" },
    { flag: "method", key: "method", type: "string", help: "HTTP method (default GET)" },
    {
      flag: "timeout",
      key: "timeout",
      type: "number",
      help: "Seconds before a request times out (default 5)",
    },
    {
      flag: "expect-status",
      key: "expect_status",
      type: "list",
      help: "Accepted statuses, e.g. 200,2xx",
    },
    {
      flag: "body-contains",
      key: "body_contains",
      type: "string",
      help: "Text the body must contain",
    },
    {
      flag: "body-matches",
      key: "body_matches",
      type: "string",
      help: "Regex the body must match",
    },
    {
      flag: "json-path",
      key: "json_path",
      type: "string",
      help: "JSON path to check, e.g. status.ok",
    },
    {
      flag: "json-equals",
      key: "json_equals",
      type: "json",
      help: 'Value the JSON path must equal: JSON (3, true, "ok") or text',
    },
  ],
  log: [
    { flag: "file", key: "file", type: "string", help: "Log file to tail (required)" },
    {
      flag: "pattern",
      key: "pattern",
      type: "string",
      help: 'Regex of lines to report (default "ERROR|WARN")',
    },
    {
      flag: "read-from",
      key: "read_from",
      type: "string",
      help: "Where a first run starts: end (default) or beginning",
    },
  ],
  keeper: [
    {
      flag: "url",
      key: "url",
      type: "string",
      help: "Keeper base URL (default http://localhost:8900; token: KEEPER_API_KEY)",
    },
    { flag: "timeout", key: "timeout", type: "number", help: "Seconds before a request times out" },
  ],
  holodeck: [
    {
      flag: "dir",
      key: "sessions_dir",
      type: "string",
      help: "Holodeck sessions folder (default sessions)",
    },
  ],
};

/** Defaults for scout names and rooms when the flags do not give them. */
export const KIND_DEFAULTS: Record<string, { name: string; room: string }> = {
  http: { name: "http-monitor", room: "scout-reports/http" },
  log: { name: "log-monitor", room: "scout-reports/logs" },
  keeper: { name: "keeper-request-scout", room: "gc/research/scout-reports/keeper-request" },
  holodeck: { name: "holodeck-session-scout", room: "gc/research/scout-reports/holodeck-session" },
};
