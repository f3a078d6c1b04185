import { UsageError } from "../usage_error.ts";
import { type Command, type FlagSpec, httpUrl, parseFlags, positiveNumber } from "./command.ts";
import { KIND_DEFAULTS, KIND_FLAGS, type KindFlag } from "./kind_flags.ts";
import { KIND_SUMMARIES } from "./kind_loader.ts";
import { runWithFlags } from "./run.ts";
import { configFromFlags, readRunFlags, RUN_FLAGS, RUN_FLAGS_HELP } from "./run_options.ts";

/**
 * The subcommand of one built-in scout: `plato-scout http --url ... --room ...`.
 * Its help comes from static tables; the scout kind itself is loaded only
 * when the command runs (by the config validation and the runner).
 *
 * @param type The kind's `watch.type`, e.g. `http`.
 */
export function kindCommand(type: string): Command {
  const kind = { type, summary: KIND_SUMMARIES[type] ?? "" };
  const own = KIND_FLAGS[kind.type] ?? [];
  const defaults = KIND_DEFAULTS[kind.type] ??
    { name: `${kind.type}-scout`, room: `scout-reports/${kind.type}` };
  const spec: Record<string, FlagSpec> = { ...RUN_FLAGS };
  for (const f of own) spec[f.flag] = { type: f.type === "boolean" ? "boolean" : "string" };
  return {
    name: kind.type,
    summary: kind.summary,
    help: [
      `Usage: plato-scout ${kind.type} [flags]`,
      "",
      kind.summary,
      "",
      ...own.map((f) => `  --${`${f.flag}${METAVAR[f.type](f.flag)}`.padEnd(18)} ${f.help}`),
      RUN_FLAGS_HELP,
      "",
      `Defaults: --name ${defaults.name} --room ${defaults.room}`,
    ].join("\n"),
    async run(argv) {
      const { values } = parseFlags(kind.type, argv, spec);
      const flags = readRunFlags(kind.type, values);
      const watch: Record<string, unknown> = { type: kind.type };
      for (const f of own) {
        const raw = values[f.flag];
        if (raw === undefined) continue;
        if (f.type === "boolean") watch[f.key] = raw;
        else if (f.type === "number") watch[f.key] = positiveNumber(kind.type, f.flag, String(raw));
        else if (f.type === "list") {
          watch[f.key] = String(raw).split(",").map((s) => s.trim()).filter(Boolean);
        } else {
          const text = String(raw);
          if (text.trim() === "") {
            throw new UsageError(`${kind.type}: '--${f.flag}' must not be empty`);
          }
          if (f.flag === "url") httpUrl(kind.type, f.flag, text);
          watch[f.key] = f.type === "json" ? jsonOrText(text) : text;
        }
      }
      return await runWithFlags(() =>
        configFromFlags(
          kind.type,
          {
            name: (values.name as string | undefined) ?? defaults.name,
            room: (values.room as string | undefined) ?? defaults.room,
            interval: values.interval as string | undefined,
          },
          watch,
          Object.fromEntries(own.map((f) => [f.key, f.flag])),
        ), flags);
    },
  };
}

/** What a flag's help shows for its value, by the flag's type. */
const METAVAR: Record<KindFlag["type"], (flag: string) => string> = {
  string: (flag) =>
    flag.endsWith("url")
      ? " URL"
      : flag.endsWith("dir")
      ? " DIR"
      : flag === "file"
      ? " PATH"
      : " TEXT",
  number: () => " N",
  list: () => " A,B",
  json: () => " VALUE",
  boolean: () => "",
};

/**
 * A flag's value as JSON when it parses as JSON (`3`, `true`, `null`, `"ok"`,
 * `[1]`), else as the text itself: `--json-equals 3` matches the number 3,
 * `--json-equals ok` the string "ok".
 */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
