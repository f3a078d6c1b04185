import {
  type Alias,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseAllDocuments,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";
import { keyHint } from "./key_hint.ts";
import type { ConfigProblem } from "./problem.ts";
import { formatPath } from "./issues.ts";
import { unplainValues } from "./unplain.ts";
import { WatchBase } from "./schema.ts";
import {
  type LoadConfigOptions,
  type LoadConfigResult,
  ordered,
  validateConfig,
} from "./validate.ts";

export { type LoadConfigOptions, type LoadConfigResult, validateConfig };

/** What closes a quoted scalar or a flow collection, by what opens it. */
const CLOSING: Record<string, string> = { '"': '"', "'": "'", "[": "]", "{": "}" };

/**
 * Parse and validate scout.yaml (YAML or JSON text): interpolate `${VAR}`,
 * check every section with zod (each `watch:` by its kind), and report every
 * problem with its path and line.
 *
 * @param text The file's text.
 * @param options Kinds and environment.
 * @returns The resolved config, or the problems.
 *
 * @example Load a config
 * ```ts ignore
 * import { loadConfig } from "@plato/scout/config";
 * import { BUILTIN_SCOUTS } from "@plato/scout/scouts";
 * const r = loadConfig("scout:\n  name: x\n  scout_room: r\nwatch:\n  type: http\n  url: http://localhost:8080/health\n", { kinds: BUILTIN_SCOUTS });
 * ```
 */
export function loadConfig(text: string, options: LoadConfigOptions): LoadConfigResult {
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) as YAML 1.1 and docker-compose files use
  // them. Duplicate keys are found below, in one pass (the yaml package's own
  // check compares every key with every other: minutes for 60,000 keys).
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
    merge: true,
  });
  const lineAt = (pos: number) => lines.linePos(pos).line;
  const rangeLine = (node: unknown) => {
    const range = (node as { range?: readonly number[] | null } | null)?.range;
    return range ? lineAt(range[0]) : undefined;
  };
  // A trailing '---' (as generated and concatenated files end) starts an
  // empty document: nothing a config could mean, so not a second config.
  const errors = doc.errors.filter((e) =>
    e.code !== "MULTIPLE_DOCS" || !parseAllDocuments(text).slice(1).every(isEmptyDocument)
  );
  // An unclosed quote or bracket is noticed where its block or the file
  // ends: name the line it opens on (by where each node left open ends).
  const opens = new Map<number, number>();
  visit(doc, (_, node) => {
    const range = (isScalar(node) || (isCollection(node) && node.flow)) ? node.range : undefined;
    const close = range && CLOSING[text[range[0]]];
    if (range && close && text[range[1] - 1] !== close) opens.set(range[2], range[0]);
  });
  // A key indented under the one above it (`name: a` then `    room: r`)
  // reads as a value continued on the next line: two errors at the value,
  // the line above. Told once, on the key's own line.
  const overIndented = new Set(
    errors.filter((e) => e.code === "MULTILINE_IMPLICIT_KEY").map((e) => e.pos[0]),
  );
  const yamlProblems: ConfigProblem[] = [
    ...errors.filter((e) => !(e.code === "BLOCK_AS_IMPLICIT_KEY" && overIndented.has(e.pos[0])))
      .map((e): ConfigProblem =>
        e.code === "MULTILINE_IMPLICIT_KEY"
          ? overIndent(text, lineAt(e.pos[0]), lineAt(e.pos[1]))
          : {
            path: "(yaml)",
            line: lineAt(
              (e.code === "MISSING_CHAR" || e.code === "BAD_INDENT"
                ? opens.get(e.pos[0])
                : undefined) ?? e.pos[0],
            ),
            message: e.code === "MULTIPLE_DOCS"
              ? "more than one YAML document ('---'): a config is one document"
              : /Maximum call stack/.test(e.message)
              ? "nested too deeply"
              : e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
          }
      ),
    // An unknown tag would silently read as plain text.
    ...doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED").map((w) => ({
      path: "(yaml)",
      line: lineAt(w.pos[0]),
      message: w.message.split("\n")[0].replace(/^Unresolved tag/, "unknown tag"),
    })),
  ];
  const aliases: Alias[] = [];
  let mergeLine: number | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, Pair>();
      for (const pair of map.items) {
        // Merge keys may repeat (the yaml package reads `<<` as a symbol).
        if (isScalar(pair.key) && typeof pair.key.value === "symbol") {
          const source = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
          if (!isCollection(source)) mergeLine ??= rangeLine(pair.key);
          continue;
        }
        const key = keyText(pair.key);
        const first = seen.get(key);
        if (first) {
          yamlProblems.push({
            path: "(yaml)",
            line: rangeLine(pair.key) ?? 1,
            message: `duplicate key '${key}' (first on line ${rangeLine(first.key) ?? 1})`,
          });
        } else seen.set(key, pair);
      }
    },
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        // `[a]: 1`: YAML reads the brackets as a list, not as text.
        const range = pair.key.range;
        const source = range ? text.slice(range[0], range[1]).replace(/\s+/g, " ") : "";
        const kind = isMap(pair.key) ? "mapping" : "list";
        const flow = source.startsWith("[") || source.startsWith("{");
        yamlProblems.push({
          path: "(yaml)",
          line: rangeLine(pair.key) ?? 1,
          message: flow
            ? `a key must be text, not a ${kind} ('${
              source.length > 40 ? `${source.slice(0, 40)}\u2026` : source
            }'); quote it if the ${kind === "list" ? "brackets" : "braces"} are meant as text`
            : `a key must be text, not a ${kind}`,
        });
      }
    },
    Alias(_, alias, ancestors) {
      aliases.push(alias);
      const target = alias.resolve(doc);
      if (!target) {
        yamlProblems.push({
          path: "(yaml)",
          line: rangeLine(alias) ?? 1,
          message: `alias '*${alias.source}' has no anchor '&${alias.source}' before it`,
        });
      } else if (ancestors.includes(target)) {
        // `&x [1, *x]`: a value that contains itself, endless once resolved.
        yamlProblems.push({
          path: "(yaml)",
          line: rangeLine(alias) ?? 1,
          message: `alias '*${alias.source}' is inside its own anchor '&${alias.source}': ` +
            "the value would contain itself",
        });
      }
    },
  });
  if (yamlProblems.length > 0) {
    const unique = new Map(yamlProblems.map((p) => [`${p.line}:${p.message}`, p]));
    return {
      ok: false,
      problems: [...unique.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, 5),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) {
      // Such as a merge key whose value is not a mapping.
      return {
        ok: false,
        problems: [{
          path: "(yaml)",
          line: mergeLine ?? 1,
          message: (error as Error).message.split("\n")[0],
        }],
      };
    }
    // The yaml package's guard against alias bombs ("billion laughs") threw.
    return {
      ok: false,
      problems: [{
        path: "(yaml)",
        line: rangeLine(aliases[0]) ?? 1,
        message:
          `aliases expand too far: at most ${MAX_ALIAS_COUNT} expansions of one alias (a guard against alias bombs)`,
      }],
    };
  }
  if (raw === null || raw === undefined) {
    // `null` or `~` written out is not an empty file.
    const written = isScalar(doc.contents) && doc.contents.source !== "";
    return {
      ok: false,
      problems: [{
        path: "(root)",
        ...(written ? { line: rangeLine(doc.contents) } : {}),
        message: written ? "expected a mapping, got null" : "the file is empty",
      }],
    };
  }
  // Each mapping's keys, indexed once: a file with thousands of unknown keys
  // asks for thousands of lines.
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (!index.has(keyText(p.key))) index.set(keyText(p.key), p);
      indexes.set(map, index);
    }
    return index.get(key);
  };
  const lineOf = (path: ReadonlyArray<string | number>): number | undefined => {
    let node: unknown = doc.contents;
    let line = rangeLine(node) ?? 1;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = pairOf(node, String(seg));
        if (!pair) return line; // a missing key: the line of the mapping's own key
        line = rangeLine(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg];
        line = rangeLine(node) ?? line;
      } else {
        return line;
      }
    }
    return isScalar(node) ? rangeLine(node) ?? line : line;
  };
  // `!!omap`, `!!set`, `!!binary`, dates: rebuilt as plain data they would
  // silently lose their content (an omap of headers became `{}`).
  const unplain = unplainValues(raw).map(({ path, kind }) => ({
    path: formatPath(path),
    line: lineOf(path),
    message: unplainMessage(tagOf(doc.getIn(path, true)), kind),
  }));
  if (unplain.length > 0) return { ok: false, problems: unplain };
  const result = validateConfig(raw, options, lineOf, keyHint);
  const typos = typeTypos(raw, lineOf);
  return result.ok || typos.length === 0
    ? result
    : { ok: false, problems: ordered([...typos, ...result.problems]) };
}

/**
 * `tpye: http`: a key close to `type` in a `watch:` without one. No kind
 * checks the keys of a watch without a type, so none names it otherwise.
 */
function typeTypos(
  raw: unknown,
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined,
): ConfigProblem[] {
  const top = (raw ?? {}) as { watch?: unknown; scouts?: unknown };
  const watches: Array<[Array<string | number>, unknown]> = [[["watch"], top.watch]];
  if (Array.isArray(top.scouts)) {
    top.scouts.forEach((s, i) => watches.push([["scouts", i, "watch"], s?.watch]));
  }
  return watches.flatMap(([path, watch]) =>
    watch && typeof watch === "object" && !("type" in watch)
      ? Object.keys(watch).filter((key) => keyHint(WatchBase, [], key) === "type").map((key) => ({
        path: formatPath([...path, key]),
        message: "unknown key (did you mean 'type'?)",
        line: lineOf([...path, key]),
      }))
      : []
  );
}

/** Expansions allowed per alias (the yaml package's guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** A node's tag as written (`!!omap`), if it has one. */
function tagOf(node: unknown): string | undefined {
  const tag = (node as { tag?: string } | undefined)?.tag;
  return tag?.replace(/^tag:yaml\.org,2002:/, "!!");
}

/** Why a value YAML built as a Map, Set, Date or bytes is refused. */
function unplainMessage(tag: string | undefined, kind: string): string {
  if (tag === undefined && kind === "Date") {
    return "a YAML 1.1 date is not supported here: quote it to keep it as text";
  }
  return `${tag ? `tag ${tag}` : `a ${kind} value`} is not supported here: ` +
    "write a plain mapping, list, text, number or boolean";
}

/**
 * The problem of a key on line `keyLine` indented under the entry on line
 * `valueLine` (read as the rest of that entry's value).
 */
function overIndent(text: string, valueLine: number, keyLine: number): ConfigProblem {
  const above = /^\s*(?:-\s+)?([^:#]+):/.exec(text.split("\n")[valueLine - 1] ?? "")?.[1]?.trim();
  return {
    path: "(yaml)",
    line: keyLine,
    message: `indented more than ${
      above ? `'${above}'` : "the entry"
    } on line ${valueLine}, so read as part of its value: start it in the same column${
      above ? ` as '${above}'` : ""
    }`,
  };
}

/** A key as JavaScript sees it: `7:` is the key "7", `~:` and `null:` the key "". */
function keyText(key: unknown): string {
  const value = isScalar(key) ? key.value : key;
  return value === null || value === undefined ? "" : String(value);
}

/** A document with nothing in it: only `---`, comments or `...` (no tag, no anchor). */
function isEmptyDocument(d: { errors: unknown[]; contents: unknown }): boolean {
  const c = d.contents;
  return d.errors.length === 0 &&
    (c === null || (isScalar(c) && c.source === "" && !c.tag && !c.anchor));
}
