/**
 * The second shape of catastrophic backtracking {@linkcode nestedRepeat}
 * does not see: a repeated group whose alternatives can match the same text
 * (`(a|a)*`, `(a|aa)+`, `(\w|\d)+`, `(.|\s)*`), so that a run of that text
 * splits into the repeats in exponentially many ways.
 *
 * @module
 */

/** A set of characters: 128 ASCII bits, and whether any non-ASCII one is in. */
interface CharSet {
  bits: number[];
  other: boolean;
}

/** What a piece of a branch can match: fixed-length sequences of sets. */
type Seqs = CharSet[][];

/** Past these the group is not judged (and not flagged). */
const MAX_SEQS = 64;
const MAX_LEN = 32;
const MAX_SUFFIXES = 512;

/**
 * Whether a regex source repeats (`*`, `+`, `{n,}`) a group whose
 * alternatives can match the same text, or can together match text one
 * alternative matches: the repeats can then share out a run of that text
 * in exponentially many ways. Judged only for groups whose alternatives
 * match text of bounded length (literals, classes, `?` and `{n,m}`);
 * letters count as matching either case (a pattern may have the `i` flag).
 * Alternatives that start differently (`(GET|POST)+`, `(.|\\n)*`) or that
 * only share a start (`(abc|abd)+`) are not flagged.
 *
 * @param source A regex's source (`RegExp.prototype.source`).
 * @returns True when a repeated group's alternatives overlap.
 *
 * @example Overlapping alternatives
 * ```ts
 * import { overlappingAlternation } from "./_regex_overlap.ts";
 * console.log(overlappingAlternation("(a|aa)+b")); // true
 * console.log(overlappingAlternation("(ok|degraded)+")); // false
 * ```
 */
export function overlappingAlternation(source: string): boolean {
  const opens: number[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") i += 2;
    else if (c === "[") i = classEnd(source, i);
    else if (c === "(") opens.push(i++);
    else if (c === ")") {
      const open = opens.pop();
      i++;
      const q = /^(?:[*+]|\{\d+,\})/.exec(source.slice(i));
      if (open === undefined || !q) continue;
      const seqs = group(source.slice(open + 1, i - 1));
      if (seqs && ambiguous(seqs.filter((s) => s.length > 0))) return true;
    } else i++;
  }
  return false;
}

/**
 * The index after the character class that opens at `start` in a regex source.
 *
 * @param source A regex's source.
 * @param start The index of its `[`.
 * @returns The index after its `]`.
 */
export function classEnd(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** A group's body (after `(`): its sequences, or undefined for lookarounds. */
function group(body: string): Seqs | undefined {
  if (/^\?(?:=|!|<=|<!)/.test(body)) return undefined;
  const named = /^\?(?::|<[^>]*>)/.exec(body);
  return alternation(named ? body.slice(named[0].length) : body);
}

/** The sequences `a|b|...` can match, or undefined when not bounded. */
function alternation(source: string): Seqs | undefined {
  const all: Seqs = [];
  for (const branch of splitTop(source)) {
    const seqs = sequence(branch);
    if (!seqs) return undefined;
    all.push(...seqs);
    if (all.length > MAX_SEQS) return undefined;
  }
  return all;
}

/** Split at the `|` outside groups and classes. */
function splitTop(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") i += 2;
    else if (c === "[") i = classEnd(source, i);
    else {
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (c === "|" && depth === 0) {
        parts.push(source.slice(from, i));
        from = i + 1;
      }
      i++;
    }
  }
  parts.push(source.slice(from));
  return parts;
}

/** The sequences one branch (no top-level `|`) can match. */
function sequence(branch: string): Seqs | undefined {
  let result: Seqs = [[]];
  let i = 0;
  while (i < branch.length) {
    const c = branch[i];
    let atom: Seqs | undefined;
    if (c === "(") {
      let depth = 0;
      let j = i;
      while (j < branch.length) {
        const d = branch[j];
        if (d === "\\") j += 2;
        else if (d === "[") j = classEnd(branch, j);
        else {
          if (d === "(") depth++;
          else if (d === ")" && --depth === 0) break;
          j++;
        }
      }
      atom = group(branch.slice(i + 1, j));
      i = j + 1;
    } else if (c === "[") {
      const end = classEnd(branch, i);
      atom = [[charClass(branch.slice(i + 1, end - 1))]];
      i = end;
    } else if (c === "\\") {
      const e = escape(branch, i);
      if (!e) return undefined;
      atom = e.set ? [[e.set]] : [[]];
      i = e.end;
    } else if (c === "^" || c === "$") {
      atom = [[]];
      i++;
    } else {
      atom = [[c === "." ? dot() : literal(c.codePointAt(0)!)]];
      i += c.length;
    }
    if (!atom) return undefined;
    const q = /^(?:([*+?])|\{(\d+)(?:(,)(\d*))?\})\??/.exec(branch.slice(i));
    let min = 1;
    let max = 1;
    if (q) {
      i += q[0].length;
      if (q[1] === "*" || q[1] === "+" || (q[3] && q[4] === "")) return undefined;
      if (q[1] === "?") min = 0;
      else {
        min = Number(q[2]);
        max = q[3] ? Number(q[4]) : min;
      }
      if (max > 4) return undefined;
    }
    const next: Seqs = [];
    for (let n = min; n <= max; n++) {
      let part: Seqs = [[]];
      for (let k = 0; k < n; k++) part = product(part, atom);
      next.push(...product(result, part));
    }
    if (next.length > MAX_SEQS || next.some((s) => s.length > MAX_LEN)) return undefined;
    result = next;
  }
  return result;
}

function product(a: Seqs, b: Seqs): Seqs {
  const out: Seqs = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return out;
}

/**
 * The Sardinas-Patterson test, with sets for characters: whether some text
 * splits into the sequences in two ways. Overlapping sets count as equal, so
 * it errs towards yes.
 */
function ambiguous(code: Seqs): boolean {
  const seen = new Set<string>();
  let frontier: Seqs = [];
  const add = (rest: CharSet[]): void => {
    const key = rest.map((s) => `${s.bits.join(",")}${s.other ? "+" : ""}`).join(";");
    if (!seen.has(key)) {
      seen.add(key);
      frontier.push(rest);
    }
  };
  for (const [i, x] of code.entries()) {
    for (const [j, y] of code.entries()) {
      const rest = i === j ? undefined : residual(x, y);
      if (rest?.length === 0) return true;
      if (rest) add(rest);
    }
  }
  while (frontier.length > 0 && seen.size <= MAX_SUFFIXES) {
    const current = frontier;
    frontier = [];
    for (const s of current) {
      for (const c of code) {
        for (const rest of [residual(c, s), residual(s, c)]) {
          if (rest?.length === 0) return true;
          if (rest) add(rest);
        }
      }
    }
  }
  return false;
}

/** When `x` can match the start of what `y` matches: the rest of `y`. */
function residual(x: CharSet[], y: CharSet[]): CharSet[] | undefined {
  if (x.length > y.length) return undefined;
  for (let i = 0; i < x.length; i++) if (!meets(x[i], y[i])) return undefined;
  return y.slice(x.length);
}

function meets(a: CharSet, b: CharSet): boolean {
  return (a.other && b.other) || a.bits.some((w, i) => (w & b.bits[i]) !== 0);
}

function empty(): CharSet {
  return { bits: [0, 0, 0, 0], other: false };
}

function add(set: CharSet, from: number, to = from): CharSet {
  for (let c = from; c <= to; c++) {
    if (c > 127) set.other = true;
    else {
      set.bits[c >> 5] |= 1 << (c & 31);
      // Either case: the pattern may be compiled with the 'i' flag.
      if (c >= 65 && c <= 90) set.bits[(c + 32) >> 5] |= 1 << ((c + 32) & 31);
      if (c >= 97 && c <= 122) set.bits[(c - 32) >> 5] |= 1 << ((c - 32) & 31);
    }
  }
  if (to > 127) set.other = true;
  return set;
}

function literal(code: number): CharSet {
  return add(empty(), code);
}

function negate(set: CharSet): CharSet {
  return { bits: set.bits.map((w) => ~w), other: true };
}

function dot(): CharSet {
  return negate(add(add(empty(), 10), 13));
}

/** `\d`, `\w`, `\s` and their negations. */
function shorthand(letter: string): CharSet | undefined {
  const lower = letter.toLowerCase();
  const set = lower === "d"
    ? add(empty(), 48, 57)
    : lower === "w"
    ? add(add(add(empty(), 48, 57), 65, 90), 95)
    : lower === "s"
    ? { ...add(add(empty(), 9, 13), 32), other: true }
    : undefined;
  return set && letter !== lower ? negate(set) : set;
}

/**
 * The escape at `i`: its set (none for `\b`, `\B`), its one character if it
 * is one, and where it ends; undefined for a back-reference or a property
 * escape, which are not judged.
 */
function escape(
  source: string,
  i: number,
): { set?: CharSet; code?: number; end: number } | undefined {
  const c = source[i + 1] ?? "\\";
  const short = shorthand(c);
  if (short) return { set: short, end: i + 2 };
  if (c === "b" || c === "B") return { end: i + 2 };
  if (/[1-9kpP]/.test(c)) return undefined;
  const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]+)\})/.exec(
    source.slice(i + 1),
  );
  const control: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };
  const code = hex ? parseInt(hex[1] ?? hex[2] ?? hex[3], 16) : control[c] ?? c.codePointAt(0)!;
  return { set: literal(code), code, end: hex ? i + 1 + hex[0].length : i + 1 + c.length };
}

/** The set a class body (between `[` and `]`) matches; anything when unsure. */
function charClass(body: string): CharSet {
  const negated = body.startsWith("^");
  const set = empty();
  let i = negated ? 1 : 0;
  while (i < body.length) {
    let from: number;
    if (body[i] === "\\") {
      const e = escape(body, i);
      if (!e?.set) return negate(empty());
      i = e.end;
      if (e.code === undefined) {
        set.other ||= e.set.other;
        e.set.bits.forEach((w, k) => set.bits[k] |= w);
        continue;
      }
      from = e.code;
    } else {
      from = body.codePointAt(i)!;
      i += String.fromCodePoint(from).length;
    }
    if (body[i] === "-" && i + 1 < body.length) {
      const to = body[i + 1] === "\\" ? escape(body, i + 1) : undefined;
      const last = to ? to.code : body.codePointAt(i + 1)!;
      if (last === undefined) return negate(empty());
      add(set, from, last);
      i = to ? to.end : i + 1 + String.fromCodePoint(last).length;
    } else add(set, from);
  }
  return negated ? negate(set) : set;
}
