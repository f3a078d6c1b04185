/**
 * The JSON Schema of scout.yaml for editors (`plato-scout schema`), from the
 * zod schemas in `schema.ts`. Apart from them so that what only the CLI
 * needs stays out of a Worker's bundle.
 *
 * @module
 */
import * as z from "../_zod_mini.ts";
import type { ScoutKind } from "../scout_kind.ts";
import { FIELD_DOCS, WATCH_DOCS } from "./_field_docs.ts";
import { NAME_PATTERN } from "./defaults.ts";
import {
  ConfigFileSchema,
  EmissionSchema,
  NAME_CHECK,
  ScoutSectionSchema,
  WatchBase,
} from "./schema.ts";

/**
 * A JSON Schema of scout.yaml for editor completion, generated from the same
 * zod schemas that validate it, with each kind's `watch` section.
 *
 * @param kinds The scout kinds `watch.type` may name.
 * @returns A JSON Schema (draft 2020-12) object.
 */
export function configJsonSchema(kinds: readonly ScoutKind[]): Record<string, unknown> {
  const watch = kinds.length === 0
    ? WatchBase
    : kinds.length === 1
    ? kinds[0].watch
    : z.union(kinds.map((k) => k.watch));
  const file = z.strictObject({
    scout: z.optional(ScoutSectionSchema),
    watch: z.optional(watch),
    scouts: z.optional(z.array(z.strictObject({ scout: ScoutSectionSchema, watch }))),
    emission: z.optional(EmissionSchema),
    state_dir: ConfigFileSchema.shape.state_dir,
  });
  const schema = z.toJSONSchema(file, {
    io: "input",
    unrepresentable: "any",
    // Refinements JSON Schema cannot read: say what they check.
    override: ({ zodSchema, jsonSchema }) => {
      const checks: readonly unknown[] = zodSchema._zod.def.checks ?? [];
      if (checks.includes(z.whole)) jsonSchema.type = "integer";
      if (checks.includes(z.httpUrl)) jsonSchema.format = "uri";
      if (checks.includes(NAME_CHECK)) jsonSchema.pattern = NAME_PATTERN.source;
    },
  }) as Record<string, unknown>;
  const forEditor = forEditors(schema) as JsonNode;
  describe(forEditor, "");
  return {
    ...forEditor,
    ...SOME_SCOUT,
    title: "scout.yaml (@plato/scout)",
  };
}

/** A JSON Schema node, as far as {@linkcode describe} reads it. */
interface JsonNode {
  description?: string;
  properties?: Record<string, JsonNode>;
  items?: JsonNode;
  anyOf?: JsonNode[];
  const?: unknown;
}

/**
 * Give each field of an object node its hover text from the README's field
 * reference: `prefix` is the node's dotted path (`scout.`); a `watch:`
 * section's own fields by its `type`.
 */
function describe(node: JsonNode, prefix: string): void {
  for (const [key, field] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${key}`;
    const doc = FIELD_DOCS[path];
    if (doc) field.description = doc;
    if (key === "watch") {
      for (const kind of field.anyOf ?? [field]) {
        const own = kind.properties ?? {};
        const type = own.type?.anyOf?.[0].const ?? own.type?.const;
        for (const [name, f] of Object.entries(own)) {
          const text = name === "type"
            ? FIELD_DOCS["watch.type"]
            : WATCH_DOCS[String(type)]?.[name];
          if (text) f.description = text;
        }
      }
    } else if (key === "scouts" && field.items) describe(field.items, "");
    else describe(field, `${path}.`);
  }
}

/**
 * What `validate` asks of the top level: `scout:` and `watch:` together, or
 * a `scouts:` list that is not empty (or both).
 */
const SOME_SCOUT = {
  anyOf: [
    { required: ["scout", "watch"] },
    { required: ["scouts"], properties: { scouts: { minItems: 1 } } },
  ],
  dependentRequired: { scout: ["watch"], watch: ["scout"] },
};

const VAR_REF = "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}";

/** A number, boolean or choice written as `${VAR}` or `${VAR:-default}` (the whole value). */
const INTERPOLATED = {
  type: "string",
  // Read as YAML reads a value: spaces around it do not count.
  pattern: `^\\s*${VAR_REF}\\s*$`,
  description: "${VAR} or ${VAR:-default}, read from the environment",
};

/** Text holding a `${VAR}` (not an escaped `$${`), checked once the variable is read. */
const INTERPOLATED_TEXT = {
  type: "string",
  pattern: `(^|[^$])${VAR_REF}`,
  description: "text with ${VAR} or ${VAR:-default}, read from the environment",
};

/** A case-insensitive pattern for `word`: `[Gg][Ee][Tt]`. */
function anyCase(word: string): string {
  return [...word].map((c) =>
    c.toLowerCase() === c.toUpperCase()
      ? c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      : `[${c.toUpperCase()}${c.toLowerCase()}]`
  ).join("");
}

/**
 * What zod's JSON Schema cannot say about how scout.yaml is read, so an
 * editor does not flag a file the CLI accepts:
 * - a number's or a boolean's value may be a `${VAR}` (the whole value), and
 *   text's, a choice's or a `type:` discriminator's may hold `${VAR}`s;
 * - a URL must be http or https (`format: uri` alone takes `ftp:`);
 * - upper-case choices (`method: GET`) are read in any case.
 */
function forEditors(node: unknown, key = ""): unknown {
  if (Array.isArray(node)) return node.map((item) => forEditors(item));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "properties" && v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).map(([name, p]) => [name, forEditors(p, name)]))
      : forEditors(v);
  }
  const type = out.type;
  const leaf = typeof type === "string" &&
    ["string", "number", "integer", "boolean"].includes(type);
  // A scout's `type:` may be `${T}` too, or built from part of a variable.
  if (leaf && "const" in out) return { anyOf: [out, INTERPOLATED_TEXT] };
  if (!leaf || key === "") return out;
  const extra: Record<string, unknown>[] = [];
  if (out.format === "uri") {
    // http(s) only; and no `format`: it refuses what URL parsers take (a
    // space, a non-ASCII host) and the CLI sends encoded.
    delete out.format;
    out.pattern = "^\\s*[Hh][Tt][Tt][Pp][Ss]?://";
  } else if (typeof out.pattern === "string" && /^\^.*\$$/.test(out.pattern)) {
    // Names are trimmed before they are checked: their length too (the
    // spaces around a name do not count against its limit).
    let body = out.pattern.slice(1, -1);
    const repeated = /^(\[[^\]]+\])\+$/.exec(body);
    if (repeated && typeof out.maxLength === "number") {
      body = `${repeated[1]}{${out.minLength ?? 1},${out.maxLength}}`;
      delete out.minLength;
      delete out.maxLength;
    }
    out.pattern = `^\\s*(?:${body})\\s*$`;
  }
  if (
    Array.isArray(out.enum) && out.enum.every((e) => typeof e === "string" && e === e.toUpperCase())
  ) {
    // Read in any case, trimmed (`method: Post`); the enum stays for completion.
    extra.push({
      type: "string",
      pattern: `^\\s*(?:${out.enum.map((e) => anyCase(e as string)).join("|")})\\s*$`,
    });
  }
  // A choice is text too: `method: P${VERB}` reads as validate reads it.
  const text = type === "string";
  const { default: fallback, description, ...rest } = out;
  return {
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(description !== undefined ? { description } : {}),
    anyOf: [rest, ...extra, text ? INTERPOLATED_TEXT : INTERPOLATED],
  };
}
