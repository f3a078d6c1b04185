/**
 * The eight semantic checkpoint types a scout emits, as in the original
 * `plato_scout.CheckpointType`. Values are snake case, as the tag scheme uses
 * them (`checkpoint:task_boundary`).
 *
 * @example Use a checkpoint type
 * ```ts
 * import { CheckpointType } from "@plato/scout";
 * console.log(CheckpointType.TASK_BOUNDARY); // "task_boundary"
 * ```
 */
export const CheckpointType = {
  STARTUP: "startup",
  PERIODIC: "periodic",
  TASK_START: "task_start",
  TASK_BOUNDARY: "task_boundary",
  SESSION_START: "session_start",
  SESSION_END: "session_end",
  ERROR: "error",
  MODEL_SWITCH: "model_switch",
} as const;

/** One of the {@linkcode CheckpointType} values. */
export type CheckpointType = typeof CheckpointType[keyof typeof CheckpointType];

/** Every checkpoint type value, in the original's order. */
export const CHECKPOINT_TYPES: readonly CheckpointType[] = Object.values(
  CheckpointType,
);
