/**
 * zod's English error messages, the map classic `zod` installs by default,
 * for schemas built with `zod/mini` (see `_zod_mini.ts`). zod/mini reaches
 * its locales only through the `locales` namespace, which makes a bundler
 * keep all of zod's 50-odd locales (about 200 KB), so this one is copied
 * here. tests/zod_mini_test.ts checks that it answers every issue as zod's
 * own does.
 *
 * Ported from zod 4.6.7, `src/v4/locales/en.ts` and the helpers it uses from
 * `src/v4/core/util.ts`:
 *
 * MIT License. Copyright (c) 2025 Colin McDonnell. Permission is hereby
 * granted, free of charge, to any person obtaining a copy of this software
 * and associated documentation files (the "Software"), to deal in the
 * Software without restriction, including without limitation the rights to
 * use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions: The above
 * copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED
 * "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
 * LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
 * PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
 * HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
 * ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 * CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 *
 * @module
 */
import type * as z from "zod/mini";

const SIZABLE: Record<string, { unit: string; verb: string }> = {
  string: { unit: "characters", verb: "to have" },
  file: { unit: "bytes", verb: "to have" },
  array: { unit: "items", verb: "to have" },
  set: { unit: "items", verb: "to have" },
  map: { unit: "entries", verb: "to have" },
};

const FORMATS: Record<string, string> = {
  regex: "input",
  email: "email address",
  url: "URL",
  emoji: "emoji",
  uuid: "UUID",
  uuidv4: "UUIDv4",
  uuidv6: "UUIDv6",
  nanoid: "nanoid",
  guid: "GUID",
  cuid: "cuid",
  cuid2: "cuid2",
  ulid: "ULID",
  xid: "XID",
  ksuid: "KSUID",
  datetime: "ISO datetime",
  date: "ISO date",
  time: "ISO time",
  duration: "ISO duration",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  mac: "MAC address",
  cidrv4: "IPv4 range",
  cidrv6: "IPv6 range",
  base64: "base64-encoded string",
  base64url: "base64url-encoded string",
  json_string: "JSON string",
  e164: "E.164 number",
  currency_code: "currency code",
  credit_card: "credit card number",
  iban: "IBAN",
  jwt: "JWT",
  template_literal: "input",
};

/** Type names shown differently; all others are shown as they are. */
const TYPE_NAMES: Record<string, string> = { nan: "NaN" };

function typeName(type: string, input?: unknown): string {
  if (type === "number" && typeof input === "number" && !Number.isFinite(input)) {
    return String(input);
  }
  return TYPE_NAMES[type] ?? type;
}

function parsedType(data: unknown): string {
  const t = typeof data;
  switch (t) {
    case "number":
      return Number.isNaN(data) ? "nan" : "number";
    case "object": {
      if (data === null) return "null";
      if (Array.isArray(data)) return "array";
      const obj = data as object;
      if (
        obj && Object.getPrototypeOf(obj) !== Object.prototype && "constructor" in obj &&
        obj.constructor
      ) {
        return (obj.constructor as { name: string }).name;
      }
    }
  }
  return t;
}

function stringifyPrimitive(value: unknown): string {
  if (typeof value === "bigint") return value.toString() + "n";
  if (typeof value === "string") return `"${value}"`;
  return `${value}`;
}

function joinValues(values: readonly unknown[], separator: string): string {
  return values.map(stringifyPrimitive).join(separator);
}

/**
 * The English message of a zod issue, word for word as zod's `en` locale.
 *
 * @param issue A raw issue, as zod hands it to an error map.
 * @returns The message.
 */
export const englishError: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      const expected = typeName(issue.expected);
      const received = typeName(parsedType(issue.input), issue.input);
      return `Invalid input: expected ${expected}, received ${received}`;
    }
    case "invalid_value":
      if (issue.values.length === 1) {
        return `Invalid input: expected ${stringifyPrimitive(issue.values[0])}`;
      }
      return `Invalid option: expected one of ${joinValues(issue.values, "|")}`;
    case "too_big": {
      const adj = issue.exact ? "exactly " : issue.inclusive ? "<=" : "<";
      const sizing = SIZABLE[issue.origin] ?? null;
      if (sizing) {
        return `Too big: expected ${
          issue.origin ?? "value"
        } to have ${adj}${issue.maximum.toString()} ${sizing.unit ?? "elements"}`;
      }
      return `Too big: expected ${issue.origin ?? "value"} to be ${adj}${issue.maximum.toString()}`;
    }
    case "too_small": {
      const adj = issue.exact ? "exactly " : issue.inclusive ? ">=" : ">";
      const sizing = SIZABLE[issue.origin] ?? null;
      if (sizing) {
        return `Too small: expected ${issue.origin} to have ${adj}${issue.minimum.toString()} ${sizing.unit}`;
      }
      return `Too small: expected ${issue.origin} to be ${adj}${issue.minimum.toString()}`;
    }
    case "invalid_format": {
      const format = issue as z.core.$ZodStringFormatIssues;
      if (format.format === "starts_with") {
        return `Invalid string: must start with "${format.prefix}"`;
      }
      if (format.format === "ends_with") return `Invalid string: must end with "${format.suffix}"`;
      if (format.format === "includes") {
        return `Invalid string: must include "${format.includes}"`;
      }
      if (format.format === "regex") return `Invalid string: must match pattern ${format.pattern}`;
      return `Invalid ${FORMATS[format.format] ?? issue.format}`;
    }
    case "not_multiple_of":
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `Unrecognized key${issue.keys.length > 1 ? "s" : ""}: ${joinValues(issue.keys, ", ")}`;
    case "invalid_key":
      return `Invalid key in ${issue.origin}`;
    case "invalid_union":
      if (issue.options && Array.isArray(issue.options) && issue.options.length > 0) {
        const opts = issue.options.map((o) => `'${o}'`).join(" | ");
        return `Invalid discriminator value. Expected ${opts}`;
      }
      if (issue.inclusive === false) return "Invalid input: more than one option matched";
      return "Invalid input";
    case "invalid_element":
      return `Invalid value in ${issue.origin}`;
    default:
      return `Invalid input`;
  }
};
