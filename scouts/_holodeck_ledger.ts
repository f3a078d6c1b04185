/**
 * Which holodeck sessions the scout has reported as started and as ended,
 * kept in its {@linkcode StateStore} so each is reported once across
 * restarts. Its size follows the sessions folder, not history:
 *
 * - An ended session whose folder is gone is forgotten at the next cycle. A
 *   watermark (the latest `_YYYYmmddTHHMMSSZ` folder suffix forgotten) keeps
 *   it counted as reported, so a folder moved back is not reported again.
 *   Folders listed but never reported when the watermark passes them are kept
 *   as exceptions to it (`pending`) until they are reported or gone.
 * - A started session whose folder is gone is remembered for a grace period
 *   (a folder moved away and back is the same session: no second
 *   SESSION_START, and its SESSION_END when it ends); after that it is given
 *   up: counted as ended, without a SESSION_END, and forgotten as above.
 * - A folder without a timestamp suffix cannot be covered by the watermark,
 *   so once ended it stays remembered while it is listed, and once gone,
 *   until the cap.
 *
 * Bounded: past `cap` sessions the ended ones are forgotten, unsuffixed
 * folders gone from the listing first, then the oldest suffixed ones under
 * the watermark. Unsuffixed ended folders still listed are kept past the cap
 * (so they are never reported twice): the ledger then holds at most `cap`
 * plus the folders listed, as a cycle's listing does. Limit: a folder that first appears with a suffix at or below the
 * watermark (older than sessions already ended and gone) counts as reported.
 *
 * It also keeps two counters a cron job's runs (each a fresh scout) would
 * otherwise lose: how many cycles each started session's unreadable
 * `scores.json` was retried (forgotten with the session, or when its folder
 * is gone), and how many unreadable files the cycles have met in all. They
 * change more often than the sessions do, so they are kept under a key of
 * their own (`<key>:counts`): a cycle that only counts writes a few bytes,
 * not the whole ledger.
 * Private to the holodeck scout.
 *
 * @module
 */

import type { StateStore } from "../lib/state.ts";

const STAMP = /_(\d{8}T\d{6}Z)$/;

/** How long a started session whose folder is gone is remembered: 10 minutes. */
export const DEFAULT_VANISHED_GRACE_MS = 10 * 60_000;

/**
 * A folder's order key: its timestamp suffix, or `null` when it has none.
 *
 * @param folder A session folder's name.
 * @returns `YYYYmmddTHHMMSSZ|name`, which sorts chronologically, or `null`.
 */
export function sessionKey(folder: string): string | null {
  const m = STAMP.exec(folder);
  return m ? `${m[1]}|${folder}` : null;
}

/** What {@linkcode SessionLedger.sweep} found missing. */
export interface Vanished {
  /** Started sessions whose folder is missing now, still within the grace period. */
  missing: number;
  /** Started sessions given up this cycle: missing for the whole grace period. */
  givenUp: number;
}

/** Sessions reported as started and as ended, persisted as JSON under one state key. */
export class SessionLedger {
  readonly #state: StateStore;
  readonly #key: string;
  readonly #cap: number;
  readonly #graceMs: number;
  #started = new Set<string>();
  #ended = new Set<string>();
  #watermark = "";
  /** Folders at or below the watermark that were never reported. */
  #pending = new Set<string>();
  /** The folders the last sweep saw listed. */
  #listed: ReadonlySet<string> = new Set();
  /** Started sessions whose folder is missing, and since when (scout clock, ms). */
  #missing = new Map<string, number>();
  /** Started sessions whose unreadable `scores.json` was retried, and how many cycles. */
  #tries = new Map<string, number>();
  /** Unreadable files met, summed over cycles. */
  #unreadableTotal = 0;
  #loaded = false;
  #dirty = false;
  #countsDirty = false;

  /**
   * @param state Where the ledger is kept.
   * @param key The state key.
   * @param cap Most sessions remembered.
   * @param graceMs How long a started session whose folder is gone is remembered.
   */
  constructor(state: StateStore, key: string, cap: number, graceMs = DEFAULT_VANISHED_GRACE_MS) {
    this.#state = state;
    this.#key = key;
    this.#cap = cap;
    this.#graceMs = graceMs;
  }

  /** Sessions remembered (started and ended). */
  get size(): number {
    return this.#started.size + this.#ended.size;
  }

  /** Whether there is room to remember one more started session. */
  get full(): boolean {
    return this.#started.size >= this.#cap;
  }

  /**
   * Load the ledger (once). An unreadable value starts afresh. Values written
   * before sessions were forgotten (no `pending`, no `missing`) load as they are.
   *
   * @returns Whether the stored value was readable (or absent).
   */
  async load(): Promise<boolean> {
    if (this.#loaded) return true;
    this.#loaded = true;
    const readable = this.#parse(await this.#state.get(this.#key));
    this.#parseCounts(await this.#state.get(this.#countsKey));
    return readable;
  }

  /** The ledger's own value; `undefined` (never saved) is readable. */
  #parse(raw: string | undefined): boolean {
    if (raw === undefined) return true;
    try {
      const v = JSON.parse(raw) as {
        v?: number;
        started?: unknown;
        ended?: unknown;
        mark?: unknown;
        pending?: unknown;
        missing?: unknown;
      };
      if (v.v !== 1) return false;
      const strings = (x: unknown) =>
        Array.isArray(x) ? x.filter((s) => typeof s === "string") : [];
      this.#started = new Set(strings(v.started));
      this.#ended = new Set(strings(v.ended));
      this.#watermark = typeof v.mark === "string" ? v.mark : "";
      this.#pending = new Set(strings(v.pending));
      for (const entry of Array.isArray(v.missing) ? v.missing : []) {
        if (
          Array.isArray(entry) && this.#started.has(entry[0]) && Number.isFinite(entry[1])
        ) this.#missing.set(entry[0], entry[1]);
      }
      return true;
    } catch {
      return false;
    }
  }

  /** The counters: `{v: 1, total, tries: [[folder, n], ...]}`; absent or unreadable, zero. */
  #parseCounts(raw: string | undefined): void {
    if (raw === undefined) return;
    try {
      const v = JSON.parse(raw) as { v?: number; total?: unknown; tries?: unknown } | null;
      if (v?.v !== 1) return;
      if (Number.isSafeInteger(v.total) && (v.total as number) > 0) {
        this.#unreadableTotal = v.total as number;
      }
      for (const entry of Array.isArray(v.tries) ? v.tries : []) {
        if (
          Array.isArray(entry) && this.#started.has(entry[0]) && Number.isSafeInteger(entry[1]) &&
          entry[1] > 0
        ) this.#tries.set(entry[0], entry[1]);
      }
    } catch {
      // Unreadable: count from zero.
    }
  }

  get #countsKey(): string {
    return `${this.#key}:counts`;
  }

  /** Unreadable files met, summed over cycles (and runs). */
  get unreadableTotal(): number {
    return this.#unreadableTotal;
  }

  /** @param n Unreadable files met this cycle. */
  countUnreadable(n: number): void {
    if (n <= 0) return;
    this.#unreadableTotal += n;
    this.#countsDirty = true;
  }

  /**
   * @param folder A started session's folder.
   * @returns Cycles its unreadable `scores.json` has been retried.
   */
  scoresTries(folder: string): number {
    return this.#tries.get(folder) ?? 0;
  }

  /**
   * @param folder A started session whose `scores.json` could not be read this cycle.
   * @param tries Cycles it has been retried, this one included.
   */
  setScoresTries(folder: string, tries: number): void {
    this.#tries.set(folder, tries);
    this.#countsDirty = true;
  }

  #forgetTries(folder: string): void {
    if (this.#tries.delete(folder)) this.#countsDirty = true;
  }

  /**
   * @param folder A session folder's name.
   * @returns Whether its SESSION_START was reported and its end not yet.
   */
  isStarted(folder: string): boolean {
    return this.#started.has(folder);
  }

  /**
   * @param folder A session folder's name.
   * @returns Whether its SESSION_END was reported (or it is older than the forgotten ones).
   */
  isEnded(folder: string): boolean {
    if (this.#ended.has(folder)) return true;
    if (this.#started.has(folder) || !this.#watermark || this.#pending.has(folder)) return false;
    const key = sessionKey(folder);
    return key !== null && key <= this.#watermark;
  }

  /** @param folder A session whose SESSION_START was emitted. */
  markStarted(folder: string): void {
    this.#started.add(folder);
    this.#pending.delete(folder);
    this.#dirty = true;
  }

  /** @param folder A session whose SESSION_END was emitted. */
  markEnded(folder: string): void {
    this.#forgetTries(folder);
    this.#started.delete(folder);
    this.#missing.delete(folder);
    this.#pending.delete(folder);
    this.#ended.add(folder);
    this.#dirty = true;
    this.#evict();
  }

  /**
   * Forget what is safe to forget, given the folders listed now: ended
   * sessions whose folder is gone (under the watermark), and started sessions
   * whose folder has been gone for the grace period (or at once when the
   * ledger is full): those are given up, counted as ended without a
   * SESSION_END.
   *
   * @param present The folders listed now.
   * @param now The scout's clock, in ms.
   * @returns How many started sessions are missing now, and how many were given up.
   */
  sweep(present: ReadonlySet<string>, now: number): Vanished {
    this.#listed = present;
    const before = this.#watermark;
    for (const folder of this.#pending) {
      if (!present.has(folder)) this.#pending.delete(folder);
    }
    // A folder gone, even for a while, starts its scores.json retries afresh.
    for (const folder of this.#tries.keys()) {
      if (!present.has(folder)) this.#forgetTries(folder);
    }
    let missing = 0;
    let givenUp = 0;
    for (const folder of this.#started) {
      if (present.has(folder)) {
        if (this.#missing.delete(folder)) this.#dirty = true;
        continue;
      }
      const since = this.#missing.get(folder) ?? now;
      if (!this.#missing.has(folder)) {
        this.#missing.set(folder, now);
        this.#dirty = true;
      }
      if (now - since < this.#graceMs && !this.full) {
        missing++;
        continue;
      }
      this.#started.delete(folder);
      this.#missing.delete(folder);
      this.#ended.add(folder);
      this.#dirty = true;
      givenUp++;
    }
    for (const folder of this.#ended) {
      if (present.has(folder)) continue;
      const key = sessionKey(folder);
      if (key === null) continue;
      this.#ended.delete(folder);
      this.#dirty = true;
      if (key > this.#watermark) this.#watermark = key;
    }
    if (this.#watermark > before) this.#except(present, before);
    this.#evict();
    return { missing, givenUp };
  }

  /** Persist the ledger, then the counters, each if it changed since the last save. */
  async save(): Promise<void> {
    await this.#saveLedger();
    if (!this.#countsDirty) return;
    await this.#state.set(
      this.#countsKey,
      JSON.stringify({ v: 1, total: this.#unreadableTotal, tries: [...this.#tries] }),
    );
    this.#countsDirty = false;
  }

  async #saveLedger(): Promise<void> {
    if (!this.#dirty) return;
    await this.#state.set(
      this.#key,
      JSON.stringify({
        v: 1,
        started: [...this.#started],
        ended: [...this.#ended],
        mark: this.#watermark,
        pending: [...this.#pending],
        missing: [...this.#missing],
      }),
    );
    this.#dirty = false;
  }

  /** Keep the listed folders the watermark just passed, never reported, reportable. */
  #except(
    present: ReadonlySet<string>,
    before: string,
    reported: ReadonlySet<string> = new Set(),
  ): void {
    for (const folder of present) {
      const key = sessionKey(folder);
      if (
        key !== null && key > before && key <= this.#watermark &&
        !this.#started.has(folder) && !this.#ended.has(folder) && !reported.has(folder)
      ) this.#pending.add(folder);
    }
  }

  #evict(): void {
    if (this.size <= this.#cap) return;
    // Evict a tenth at once, so a full ledger sorts once per many sessions, not per session.
    const target = Math.floor(this.#cap * 0.9);
    // Unsuffixed folders gone from the listing go first, then the oldest
    // suffixed ones (the watermark keeps them reported). Unsuffixed folders
    // still listed are never evicted: nothing else would keep them reported.
    const order = (f: string) => sessionKey(f) ?? "";
    const ordered = [...this.#ended].filter((f) => sessionKey(f) !== null || !this.#listed.has(f))
      .sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0);
    const before = this.#watermark;
    const evicted = new Set<string>();
    for (const folder of ordered) {
      if (this.size <= target) break;
      this.#ended.delete(folder);
      evicted.add(folder);
      const key = sessionKey(folder);
      if (key !== null && key > this.#watermark) this.#watermark = key;
    }
    // Folders listed last cycle and never reported stay reportable (not the evicted: reported).
    if (this.#watermark > before) this.#except(this.#listed, before, evicted);
  }
}
