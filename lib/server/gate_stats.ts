/**
 * Gate statistics of the room server since it started, for `GET /status`.
 *
 * @module
 */

/** A snapshot of {@linkcode GateStats}. */
export interface GateStatsSnapshot {
  /** Tiles acknowledged (stored now or before). */
  accepted: number;
  /** Of those, tiles whose id was already stored (retries). */
  already_stored: number;
  /** Tiles refused, for any reason. */
  rejected: number;
  /** Refusals by rule: `schema`, `missing_field`, `answer_length`, `absolute_claim`, `question_length`, `confidence`, `duplicate`, `id_conflict`. */
  by_rule: Record<string, number>;
}

/** Counts acceptances and refusals. */
export interface GateStats {
  /** Count an acknowledged tile. */
  accept(alreadyStored: boolean): void;
  /** Count a refusal by its reason. */
  reject(reason: string): void;
  /** The counts now. */
  snapshot(): GateStatsSnapshot;
}

const RULES: Array<[RegExp, string]> = [
  [/^Duplicate tile/, "duplicate"],
  [/^Missing required field/, "missing_field"],
  [/^Answer too (short|long)/, "answer_length"],
  [/^Answer contains absolute claim/, "absolute_claim"],
  [/^Question too short/, "question_length"],
  [/^Confidence out of range/, "confidence"],
  [/^Conflict: tile id/, "id_conflict"],
];

/**
 * The rule a refusal reason belongs to.
 *
 * @param reason The refusal's reason.
 * @returns A rule key; `schema` for anything that is not a gate rule.
 */
export function ruleOf(reason: string): string {
  for (const [re, rule] of RULES) if (re.test(reason)) return rule;
  return "schema";
}

/**
 * Create empty gate statistics.
 *
 * @returns The counters.
 */
export function createGateStats(): GateStats {
  let accepted = 0;
  let alreadyStored = 0;
  let rejected = 0;
  const byRule: Record<string, number> = {};
  return {
    accept(already) {
      accepted++;
      if (already) alreadyStored++;
    },
    reject(reason) {
      rejected++;
      const rule = ruleOf(reason);
      byRule[rule] = (byRule[rule] ?? 0) + 1;
    },
    snapshot: () => ({ accepted, already_stored: alreadyStored, rejected, by_rule: { ...byRule } }),
  };
}
