/**
 * The one source of time. Every decision that depends on "now" (planning, windows, the
 * dispatcher's claim query, token expiry checks of our own) asks the injected Clock, so tests
 * and benchmarks can move time without waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
  /** Resolves once `now()` has reached `at` (at once when it already has). */
  abstract sleepUntil(at: Date): Promise<void>;
}

/** setTimeout's longest delay; a longer sleep is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  /** An unref'd timer: a pending sleep never keeps the process alive. */
  async sleepUntil(at: Date): Promise<void> {
    // A timer may fire a millisecond early against Date.now(): sleep again until `at` is reached.
    for (let left = at.getTime() - Date.now(); left > 0; left = at.getTime() - Date.now()) {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(left, MAX_TIMER_MS)).unref());
    }
  }
}

/** A clock that only moves when told to. Used by tests, benchmarks and replays. */
export class ManualClock extends Clock {
  private current: number;
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(start: Date | string = new Date()) {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
    this.wakeSleepers();
  }

  advance(ms: number): Date {
    this.current += ms;
    this.wakeSleepers();
    return this.now();
  }

  /** Resolves when set() or advance() moves the time to or past `at`. */
  sleepUntil(at: Date): Promise<void> {
    if (at.getTime() <= this.current) return Promise.resolve();
    return new Promise<void>((wake) => this.sleepers.push({ at: at.getTime(), wake }));
  }

  private wakeSleepers(): void {
    const due = this.sleepers.filter((s) => s.at <= this.current);
    if (due.length === 0) return;
    this.sleepers = this.sleepers.filter((s) => s.at > this.current);
    for (const s of due) s.wake();
  }
}
