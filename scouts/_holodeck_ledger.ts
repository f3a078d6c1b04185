/**
 * Which holodeck sessions the scout has reported as started and as ended,
 * kept in its {@linkcode StateStore} so each is reported once across
 * restarts. Bounded: past `cap` sessions the oldest ended ones are forgotten,
 * and a watermark (the latest `_YYYYmmddTHHMMSSZ` folder suffix forgotten)
 * keeps them counted as reported. Private to the holodeck scout.
 *
 * @module
 */

import type { StateStore } from "../lib/state.ts";

const STAMP = /_(\d{8}T\d{6}Z)$/;

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

/** Sessions reported as started and as ended, persisted as JSON under one state key. */
export class SessionLedger {
  readonly #state: StateStore;
  readonly #key: string;
  readonly #cap: number;
  #started = new Set<string>();
  #ended = new Set<string>();
  #watermark = "";
  #loaded = false;
  #dirty = false;

  /**
   * @param state Where the ledger is kept.
   * @param key The state key.
   * @param cap Most sessions remembered.
   */
  constructor(state: StateStore, key: string, cap: number) {
    this.#state = state;
    this.#key = key;
    this.#cap = cap;
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
   * Load the ledger (once). An unreadable value starts afresh.
   *
   * @returns Whether the stored value was readable (or absent).
   */
  async load(): Promise<boolean> {
    if (this.#loaded) return true;
    this.#loaded = true;
    const raw = await this.#state.get(this.#key);
    if (raw === undefined) return true;
    try {
      const v = JSON.parse(raw) as {
        v?: number;
        started?: unknown;
        ended?: unknown;
        mark?: unknown;
      };
      if (v.v !== 1) return false;
      const strings = (x: unknown) =>
        Array.isArray(x) ? x.filter((s) => typeof s === "string") : [];
      this.#started = new Set(strings(v.started));
      this.#ended = new Set(strings(v.ended));
      this.#watermark = typeof v.mark === "string" ? v.mark : "";
      return true;
    } catch {
      return false;
    }
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
    if (this.#started.has(folder) || !this.#watermark) return false;
    const key = sessionKey(folder);
    return key !== null && key <= this.#watermark;
  }

  /** @param folder A session whose SESSION_START was emitted. */
  markStarted(folder: string): void {
    this.#started.add(folder);
    this.#dirty = true;
  }

  /** @param folder A session whose SESSION_END was emitted. */
  markEnded(folder: string): void {
    this.#started.delete(folder);
    this.#ended.add(folder);
    this.#dirty = true;
    this.#evict();
  }

  /**
   * Count the started sessions whose folder is gone. They stay remembered (a
   * folder moved away and back is the same session, with no second
   * SESSION_START) until the ledger is full: then they are forgotten first.
   *
   * @param present The folders listed now.
   * @returns How many started sessions are missing now.
   */
  noteVanished(present: ReadonlySet<string>): number {
    const gone = [...this.#started].filter((folder) => !present.has(folder));
    if (gone.length > 0 && this.full) {
      for (const folder of gone) this.#started.delete(folder);
      this.#dirty = true;
    }
    return gone.length;
  }

  /** Persist the ledger if it changed since the last save. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    await this.#state.set(
      this.#key,
      JSON.stringify({
        v: 1,
        started: [...this.#started],
        ended: [...this.#ended],
        mark: this.#watermark,
      }),
    );
    this.#dirty = false;
  }

  #evict(): void {
    if (this.size <= this.#cap) return;
    // Evict a tenth at once, so a full ledger sorts once per many sessions, not per session.
    const target = Math.floor(this.#cap * 0.9);
    const order = (f: string) => sessionKey(f) ?? "";
    const ordered = [...this.#ended].sort((a, b) =>
      order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0
    );
    for (const folder of ordered) {
      if (this.size <= target) break;
      this.#ended.delete(folder);
      const key = sessionKey(folder);
      if (key !== null && key > this.#watermark) this.#watermark = key;
    }
  }
}
