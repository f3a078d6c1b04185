/**
 * A small JSON Schema (2020-12) checker for the keywords `plato-scout schema`
 * prints, so a test can check a scout.yaml as an editor would, without a
 * validator package. Unknown keywords are ignored, as a validator does with
 * annotations; a keyword it should read and does not would make a test pass
 * wrongly, so each one the schema uses is listed in `KNOWN`.
 *
 * @module
 */

/** The keywords this checker reads, or skips as annotations. */
export const KNOWN = new Set([
  "$schema",
  "title",
  "description",
  "default",
  "type",
  "const",
  "enum",
  "anyOf",
  "properties",
  "additionalProperties",
  "required",
  "dependentRequired",
  "items",
  "minItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
]);

type Schema = Record<string, unknown>;

/**
 * The places where `value` breaks `schema`.
 *
 * @param schema A JSON Schema.
 * @param value A JSON value.
 * @param at Where `value` is, for the messages.
 * @returns One line per problem; empty when it fits.
 */
export function schemaProblems(schema: Schema, value: unknown, at = "(root)"): string[] {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`${at}: keyword '${key}' is not checked`);
  }
  const out: string[] = [];
  const fail = (why: string) => out.push(`${at}: ${why}`);
  if (schema.type !== undefined) {
    const types = [schema.type].flat() as string[];
    if (!types.some((t) => isType(t, value))) return [`${at}: not ${types.join(" or ")}`];
  }
  if ("const" in schema && value !== schema.const) fail(`not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail("not in the enum");
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as Schema[]).map((b) => schemaProblems(b, value, at));
    if (!branches.some((p) => p.length === 0)) {
      fail(`fits no anyOf branch (${branches.map((p) => p.join("; ")).join(" | ")})`);
    }
  }
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      fail(`does not match ${schema.pattern}`);
    }
    if (typeof schema.minLength === "number" && value.length < schema.minLength) fail("too short");
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) fail("too long");
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail("below minimum");
    if (typeof schema.maximum === "number" && value > schema.maximum) fail("above maximum");
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      fail("not above exclusiveMinimum");
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) fail("too few");
    if (schema.items) {
      value.forEach((v, i) =>
        out.push(...schemaProblems(schema.items as Schema, v, `${at}[${i}]`))
      );
    }
  } else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in obj)) fail(`'${name}' is required`);
    }
    for (
      const [name, needs] of Object.entries(
        (schema.dependentRequired ?? {}) as Record<string, string[]>,
      )
    ) {
      if (name in obj) { for (const n of needs) if (!(n in obj)) fail(`'${name}' needs '${n}'`); }
    }
    for (const [name, v] of Object.entries(obj)) {
      const sub: unknown = props[name] ?? schema.additionalProperties;
      if (sub === false) fail(`'${name}' is not allowed`);
      else if (sub && typeof sub === "object") {
        out.push(...schemaProblems(sub as Schema, v, `${at}.${name}`));
      }
    }
  }
  return out;
}

function isType(type: string, value: unknown): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "null":
      return value === null;
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      throw new Error(`type '${type}' is not checked`);
  }
}
