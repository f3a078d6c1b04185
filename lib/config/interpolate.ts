/** A `${VAR}` that could not be resolved. */
export interface InterpolationProblem {
  /** Where the variable was used. */
  path: Array<string | number>;
  /** What is wrong. */
  message: string;
}

/** A string of the config that held `${VAR}`, before interpolation. */
export interface InterpolatedValue {
  /** Where it is. */
  path: Array<string | number>;
  /** The text as written, e.g. `${POLL_SECONDS:-30}`. */
  template: string;
  /** The text it became. */
  value: string;
  /** Whether the text is one `${VAR}` and nothing else (spaces aside). */
  whole: boolean;
}

/** What {@linkcode interpolateEnv} returns. */
export interface InterpolationResult {
  /** The config with every `${VAR}` replaced. */
  value: unknown;
  /** Variables that are unset and have no default. */
  problems: InterpolationProblem[];
  /** Every string that held a `${VAR}`, with its text as written. */
  interpolated: InterpolatedValue[];
  /**
   * Values (of 8 characters or more) of variables whose name says they hold
   * a credential (`*_TOKEN`, `*_KEY`, `*SECRET*`, `*PASSWORD*`, ...): they must
   * never be shown, wherever in the config they were used (a token in a URL
   * path, say).
   */
  secrets: string[];
}

const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Variable names whose values are credentials. */
const SECRET_NAME = /key|token|secret|passw|auth|credential|cookie|signature|sig$/i;

/**
 * Shorter values are not taken for credentials: masking every "2026" a
 * `${PARTITION_KEY}` holds would also mask the year in every timestamp.
 */
const SECRET_MIN_LENGTH = 8;

/** How deep a config's values may nest (a cyclic object would recurse forever). */
const MAX_DEPTH = 64;

/**
 * Replace `${VAR}` and `${VAR:-default}` in every string of a parsed config
 * with values from `env`. `$${` is a literal `${`. An unset variable without a
 * default is a problem naming the variable and where it was used. A value is
 * text: a number field given `${VAR}` is read as a number by the validation
 * (`validateConfig`), not here.
 *
 * @param value Parsed YAML/JSON.
 * @param env Reads a variable.
 * @returns The interpolated value, any problems, what was interpolated, and
 * the values that are secrets.
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
): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  const interpolated: InterpolatedValue[] = [];
  const secrets = new Set<string>();
  const walk = (v: unknown, path: Array<string | number>): unknown => {
    if (typeof v === "string") {
      if (!v.includes("${")) return v;
      // What the reference syntax leaves over (an unterminated `${`, other
      // shells' `${X-d}` or `${X:=d}`) or a `${` inside a default would
      // otherwise pass silently as text.
      let nested: string | undefined;
      const rest = v.replace(VAR, (match, _n, fallback: string | undefined) => {
        if (match !== "$${" && fallback?.includes("${")) nested ??= match;
        return "";
      });
      const odd = rest.indexOf("${");
      if (nested !== undefined || odd >= 0) {
        problems.push({
          path,
          message: nested !== undefined
            ? `'${nested}}': a default cannot hold another \${...}`
            : `'${rest.slice(odd, odd + 24)}' is not a \${VAR} or \${VAR:-default} reference ` +
              "(write $${ for a literal \${)",
        });
        return v;
      }
      let reads = 0;
      let last = "";
      const out = v.replace(
        VAR,
        (match, name: string | undefined, fallback: string | undefined) => {
          if (match === "$${") return "${";
          reads++;
          last = match;
          const found = env(name!);
          const resolved = found !== undefined && found !== ""
            ? found
            : fallback !== undefined
            ? fallback
            : undefined;
          if (resolved === undefined) {
            problems.push({ path, message: `environment variable '${name}' is not set` });
            return "";
          }
          if (SECRET_NAME.test(name!) && resolved.length >= SECRET_MIN_LENGTH) {
            secrets.add(resolved);
          }
          return resolved;
        },
      );
      // Only an escaped '$${' is no variable read: its errors may show it.
      if (reads) {
        interpolated.push({
          path,
          template: v,
          value: out,
          whole: reads === 1 && v.trim() === last,
        });
      }
      return out;
    }
    if (path.length >= MAX_DEPTH && v && typeof v === "object") {
      // Deeper than any config: an object that contains itself, or a bomb.
      problems.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
      return undefined;
    }
    const proto = v && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v);
    if (proto && proto !== Object.prototype) {
      // A Map, Set, Date or bytes would be rebuilt as `{}` or byte indexes.
      problems.push({ path, message: `expected plain data, got a ${proto.constructor?.name}` });
      return v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, []), problems, interpolated, secrets: [...secrets] };
}
