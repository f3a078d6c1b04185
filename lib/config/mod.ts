/**
 * scout.yaml: load, validate and describe configurations with the same zod
 * schema everywhere (CLI, Workers, code).
 *
 * @module
 */
export {
  loadConfig,
  type LoadConfigOptions,
  type LoadConfigResult,
  validateConfig,
} from "./load.ts";
export { configJsonSchema } from "./json_schema.ts";
export type { ResolvedConfig, ResolvedScout } from "./schema.ts";
export { type ConfigProblem, formatPath, formatProblem } from "./issues.ts";
export {
  type InterpolatedValue,
  interpolateEnv,
  type InterpolationProblem,
  type InterpolationResult,
} from "./interpolate.ts";
export { buildScouts, type BuildScoutsOptions, namespacedState } from "../build_scouts.ts";
