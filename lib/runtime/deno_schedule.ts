import { runEvery } from "../run_loop.ts";
import type { Scout } from "../scout.ts";

/**
 * A cron expression for an interval of whole minutes, when cron can express
 * it exactly (the minutes divide an hour, or the hours divide a day).
 *
 * @param seconds The poll interval.
 * @returns The expression, or `undefined`.
 */
export function cronFor(seconds: number): string | undefined {
  if (seconds % 60 !== 0) return undefined;
  const minutes = seconds / 60;
  if (minutes < 60 && 60 % minutes === 0) {
    return minutes === 1 ? "* * * * *" : `*/${minutes} * * * *`;
  }
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    if (hours < 24 && 24 % hours === 0) return `0 ${hours === 1 ? "*" : `*/${hours}`} * * *`;
    if (hours === 24) return "0 0 * * *";
  }
  return undefined;
}

/** The shape of `Deno.cron` this module uses (injectable for tests). */
export type DenoCron = (
  name: string,
  schedule: string,
  options: { signal?: AbortSignal },
  handler: () => Promise<void> | void,
) => Promise<void>;

/** How a scout was scheduled. */
export type ScheduleMode = "cron" | "timer";

/**
 * Run a scout's cycles until `signal` aborts: with `Deno.cron` when it is
 * available (`--unstable-cron`) and the interval is a whole number of minutes
 * cron can express, else on a drift-free timer. The first cycle runs at once.
 * Cycles never overlap; a cycle due while one still runs is skipped and
 * counted (`plato_scout_skipped_ticks_total`).
 *
 * @param scout The scout (already started or not).
 * @param options Interval in seconds, stop signal, and whether cron may be used.
 * @returns The mode chosen, and a promise that settles when the loop has stopped.
 */
export function scheduleScout(
  scout: Scout<unknown>,
  options: {
    intervalSeconds: number;
    signal: AbortSignal;
    cron?: string;
    allowCron?: boolean;
    /** Default `Deno.cron` (present with `--unstable-cron`). */
    cronImpl?: DenoCron;
  },
): { mode: ScheduleMode; done: Promise<void> } {
  const cron = options.cronImpl ?? (Deno as unknown as { cron?: DenoCron }).cron;
  const expression = options.cron ?? cronFor(options.intervalSeconds);
  if (options.allowCron !== false && typeof cron === "function" && expression) {
    let running: Promise<unknown> | undefined;
    const cycle = () => {
      if (running) {
        scout.noteSkipped(1);
        return;
      }
      running = scout.tick(options.signal).finally(() => (running = undefined));
      return running as Promise<void>;
    };
    // Cron names allow letters, digits, spaces, '-' and '_' only.
    const name = `plato-scout ${scout.scoutName}`.replace(/[^A-Za-z0-9 _-]/g, "_");
    let registered: Promise<void> | undefined;
    try {
      registered = cron(name, expression, { signal: options.signal }, async () => {
        await cycle();
      });
    } catch (error) {
      scout.log.warn(
        `Deno.cron refused '${expression}' (${(error as Error).message}); using a timer`,
      );
    }
    if (registered) {
      void cycle();
      registered.catch((e) => scout.log.warn(`Deno.cron stopped: ${(e as Error).message}`));
      const done = (async () => {
        await new Promise<void>((resolve) => {
          if (options.signal.aborted) resolve();
          options.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        await running;
      })();
      return { mode: "cron", done };
    }
  }
  const done = runEvery(() => scout.tick(options.signal), {
    intervalMs: options.intervalSeconds * 1000,
    signal: options.signal,
    onSkip: (n) => scout.noteSkipped(n),
  }).then(() => {});
  return { mode: "timer", done };
}
