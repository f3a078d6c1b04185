/** Injected time for tests: a clock, timers and sleep that never wait for real. */
export class FakeClock {
  t: number;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  constructor(start = Date.UTC(2026, 10, 24)) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id: unknown): void => {
    this.#timers.delete(id as number);
  };

  /** Sleep: jumps the clock forward. */
  sleep = (ms: number): Promise<void> => {
    this.t += Math.max(0, ms);
    return Promise.resolve();
  };

  get pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.t);
  }

  /** Move time forward, firing due timers in order and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    while (true) {
      const due = [...this.#timers.entries()].filter(([, t]) =>
        t.at <= until
      ).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) {
        break;
      }
      this.#timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
      await settle();
    }
    this.t = until;
    await settle();
  }
}

/** Let pending promise chains (including real loopback I/O) make progress. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
