/**
 * The known key an unknown one in scout.yaml most likely meant ("did you
 * mean 'scout_room'?"), read from the schema at its path. Kept apart from the
 * validation so that a Worker bundle, which validates without it, stays small.
 *
 * @module
 */

/**
 * The known key a typo at `path` most likely meant.
 *
 * @param schema The (zod or zod/mini) schema the value was checked with.
 * @param path Where the unknown key's object is, inside `schema`.
 * @param key The unknown key.
 * @returns A known key at most 2 edits away (and fewer than half its length), or undefined.
 */
export function keyHint(
  schema: unknown,
  path: ReadonlyArray<string | number>,
  key: string,
): string | undefined {
  const known = keysAt(schema, path);
  return known && closest(key, known);
}

/** The keys the object schema at `path` inside `schema` takes, if there is one (zod internals). */
function keysAt(schema: unknown, path: ReadonlyArray<string | number>): string[] | undefined {
  type Def = {
    type: string;
    shape?: Record<string, unknown>;
    innerType?: unknown;
    in?: unknown;
    element?: unknown;
  };
  const defOf = (s: unknown) => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  const unwrap = (s: unknown): Def | undefined => {
    let def = defOf(s);
    for (let i = 0; def && i < 8; i++) {
      const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
      if (inner === undefined) break;
      def = defOf(inner);
    }
    return def;
  };
  let def = unwrap(schema);
  for (const seg of path) {
    if (!def) return undefined;
    if (def.type === "object" && typeof seg === "string") def = unwrap(def.shape?.[seg]);
    else if (def.type === "array" && typeof seg === "number") def = unwrap(def.element);
    else return undefined;
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

/** The known key a typo most likely meant: at most 2 edits away, and fewer than half its length. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance && d * 2 < k.length) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i][j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
