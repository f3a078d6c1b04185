/**
 * Values a config cannot hold: what YAML's `!!omap`, `!!set`, `!!binary` and
 * `!!timestamp` (or a YAML 1.1 date) build, or a Map, Set, Date or byte
 * array passed in code. Rebuilt as plain data they would silently lose their
 * content (a Map becomes `{}`, its headers never sent).
 *
 * @module
 */

/** How deep {@linkcode unplainValues} looks (as deep as interpolation goes). */
const MAX_DEPTH = 64;

/**
 * The kind of a value that is not plain data (its constructor's name, such
 * as `Map` or `Date`), or undefined for text, numbers, booleans, null,
 * lists and plain mappings.
 *
 * @param value Any value.
 * @returns The kind, or undefined.
 */
export function unplainKind(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  return (value as { constructor?: { name?: string } }).constructor?.name || "object";
}

/**
 * Where in `value` a value that is not plain data is, with its kind.
 *
 * @param value Parsed data.
 * @returns Each such value's path and kind, outermost only.
 */
export function unplainValues(
  value: unknown,
): Array<{ path: Array<string | number>; kind: string }> {
  const found: Array<{ path: Array<string | number>; kind: string }> = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (typeof v !== "object" || v === null || path.length >= MAX_DEPTH) return;
    const kind = unplainKind(v);
    if (kind) found.push({ path, kind });
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
  };
  walk(value, []);
  return found;
}
