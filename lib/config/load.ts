import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { type LoadConfigOptions, type LoadConfigResult, validateConfig } from "./validate.ts";

export { type LoadConfigOptions, type LoadConfigResult, validateConfig };

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
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.slice(0, 5).map((e) => ({
        path: "(yaml)",
        line: lines.linePos(e.pos[0]).line,
        message: e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
      })),
    };
  }
  const raw = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) {
    return { ok: false, problems: [{ path: "(root)", message: "the file is empty" }] };
  }
  const lineOf = (path: ReadonlyArray<string | number>): number | undefined => {
    const at = (range?: readonly number[] | null) =>
      range ? lines.linePos(range[0]).line : undefined;
    let node: unknown = doc.contents;
    let line = at((node as { range?: number[] })?.range) ?? 1;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) return line; // a missing key: the line of the mapping's own key
        line = at((pair.key as { range?: number[] }).range) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg];
        line = at((node as { range?: number[] }).range) ?? line;
      } else {
        return line;
      }
    }
    return isScalar(node) ? at(node.range) ?? line : line;
  };
  return validateConfig(raw, options, lineOf);
}
