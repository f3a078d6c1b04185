/**
 * Whether `text` is a five-field cron expression (minute, hour, day of month,
 * month, day of week) as Deno's cron and Cloudflare cron triggers read them:
 * each field `*`, a value, a range `a-b`, any of those with a step `/n`, or a
 * comma list of them; month and weekday may be names (`JAN`, `MON`); the day
 * fields may use Cloudflare's `L`, `W` and `#` forms. Values are checked
 * against their field's range. This catches what cannot be a schedule
 * (`every tuesday`, `61 * * * *`); a runtime may still refuse a form it does
 * not support, and the CLI then says so and keeps the interval.
 *
 * @param text The expression.
 * @returns Whether it has that shape.
 */
export function isCronExpression(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((field, i) => field.split(",").every((part) => cronPart(part, FIELDS[i])));
}

interface Field {
  min: number;
  max: number;
  names?: readonly string[];
  /** Cloudflare's extra forms for this field. */
  extra?: RegExp;
}

const FIELDS: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31, extra: /^(L|LW|\d{1,2}W)$/i },
  {
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  {
    min: 0,
    max: 7,
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    extra: /^(\d|[A-Z]{3})(L|#[1-5])$/i,
  },
];

function cronPart(part: string, field: Field): boolean {
  if (field.extra?.test(part)) return true;
  const [range, step, ...more] = part.split("/");
  if (more.length > 0) return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return false;
  if (range === "*") return true;
  const ends = range.split("-");
  if (ends.length > 2) return false;
  const values = ends.map((end) => cronValue(end, field));
  if (values.some((v) => v === undefined)) return false;
  return ends.length === 1 || values[0]! <= values[1]!;
}

function cronValue(text: string, field: Field): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const at = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return at < 0 ? undefined : at + field.min;
}
