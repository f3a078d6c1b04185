/** A `${VAR}` that could not be resolved. */
export interface InterpolationProblem {
  /** Where the variable was used. */
  path: Array<string | number>;
  /** What is wrong. */
  message: string;
}

const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${VAR}` and `${VAR:-default}` in every string of a parsed config
 * with values from `env`. `$${` is a literal `${`. An unset variable without a
 * default is a problem naming the variable and where it was used.
 *
 * @param value Parsed YAML/JSON.
 * @param env Reads a variable.
 * @returns The interpolated value and any problems.
 *
 * @example Interpolate
 * ```ts
 * import { interpolateEnv } from "@plato/scout/config";
 * const r = interpolateEnv({ url: "${HOST:-localhost}:8848" }, () => undefined);
 * console.log(r.value); // { url: "localhost:8848" }
 * ```
 */
export function interpolateEnv(
  value: unknown,
  env: (name: string) => string | undefined,
): { value: unknown; problems: InterpolationProblem[] } {
  const problems: InterpolationProblem[] = [];
  const walk = (v: unknown, path: Array<string | number>): unknown => {
    if (typeof v === "string") {
      if (!v.includes("${")) return v;
      return v.replace(VAR, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === "$${") return "${";
        const found = env(name!);
        if (found !== undefined && found !== "") return found;
        if (fallback !== undefined) return fallback;
        problems.push({ path, message: `environment variable '${name}' is not set` });
        return "";
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, []), problems };
}
