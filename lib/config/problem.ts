/**
 * A config problem and its one-line form, apart from the zod issue
 * conversion in `issues.ts`: the command line reports problems from either
 * path, and its flag path loads neither zod nor that conversion.
 *
 * @module
 */

/** One config problem: where (a dotted path) and what. */
export interface ConfigProblem {
  /** Dotted path such as `scout.poll_interval` or `scouts[1].watch.url`. */
  path: string;
  /** What is wrong, e.g. "expected a number greater than 0". */
  message: string;
  /** 1-based line in the source text, when known. */
  line?: number;
}

/**
 * One line per problem: `scout.poll_interval (line 4): expected a number greater than 0, got -5`.
 *
 * @param problem The problem.
 * @returns The line.
 */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}${problem.line ? ` (line ${problem.line})` : ""}: ${problem.message}`;
}
