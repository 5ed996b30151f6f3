/**
 * Time, injected. Everything that waits or expires (group sessions, transaction timeouts, retention, segment.ms,
 * long polls) reads `now()` and schedules through a Clock, so a test can drive time with a ManualClock instead of
 * sleeping. The real clock is Date.now plus Node timers that never keep the process alive.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms` (never keeps the process alive). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms` until cancelled (never keeps the process alive). */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/**
 * Milliseconds on a monotonic clock, for measuring durations (request latency, work slices). Not performance.now():
 * Node 20 loads perf_hooks on its first use (~1 ms), which the first request after start-up would pay.
 */
export const monotonicMs = (): number => process.uptime() * 1000;

/** Consecutive runs of one interval within one advance before it skips ahead. */
const MAX_CATCH_UP = 10_000;

/** Node's timers cap a delay at 2^31-1 ms; longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    let timer: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = due - Date.now();
      timer = setTimeout(left > MAX_TIMER_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
  setInterval(fn, ms) {
    const timer = setInterval(fn, Math.min(Math.max(1, ms), MAX_TIMER_MS));
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

interface ManualTimer {
  due: number;
  seq: number;
  every: number | null;
  fn: () => void;
  cancelled: boolean;
}

/** The latest time a Date holds (ECMAScript's time value range). */
const MAX_DATE_MS = 8.64e15;

/**
 * A clock that moves only when told: `advance(ms)` runs every timer that falls due, in due order, each seeing
 * `now()` at its own due time. Timers scheduled by a timer that falls inside the advanced span run too.
 *
 * An interval that has run MAX_CATCH_UP times within one advance (a 1 s maintenance tick over a 24-day jump) from
 * then on skips to its last due time before the next one-shot timer or the target, as a busy process's
 * setInterval does not replay missed ticks either; the intervals' work (maintenance, expiry checks) depends on the
 * time, not on how often it ran.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];
  /** Timers cancelled since `timers` was last swept: each keeps what it would have run (a connection, say) alive. */
  private cancelledSinceSweep = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  private add(fn: () => void, ms: number, every: number | null): TimerHandle {
    const timer: ManualTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, every, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        // Swept now and then, not only by advance(): a test that never advances still lets go of what it cancelled.
        if (++this.cancelledSinceSweep > 64 && this.cancelledSinceSweep * 2 > this.timers.length) this.sweep();
      },
    };
  }

  private sweep(): void {
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.cancelledSinceSweep = 0;
  }

  /** The interval's last due time at or before the next one-shot timer and `target` (at least its next one). */
  private lastTickBefore(interval: ManualTimer, target: number): number {
    let bound = target;
    for (const t of this.timers) if (t.every === null && !t.cancelled && t.due < bound) bound = t.due;
    const every = interval.every!;
    return Math.max(interval.due, interval.due + Math.floor((bound - interval.due) / every) * every);
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, running what falls due; then lets promise callbacks they started settle. Time stays
   * within what a Date can show (year 275760): past it, timer arithmetic loses whole milliseconds (an interval's next
   * due time stopped moving at 1e300: the advance never ended) and dates cannot be printed.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0) || this.current + ms > MAX_DATE_MS) throw new RangeError(`cannot advance the clock by ${ms} ms: at most ${MAX_DATE_MS - this.current}`);
    const target = this.current + ms;
    /** Runs of each interval in this advance. */
    const catchUps = new Map<ManualTimer, number>();
    for (;;) {
      this.sweep();
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      if (next.every === null) {
        next.cancelled = true;
      } else {
        const runs = (catchUps.get(next) ?? 0) + 1;
        catchUps.set(next, runs);
        next.due += next.every;
        if (runs >= MAX_CATCH_UP) next.due = this.lastTickBefore(next, target);
        next.seq = this.seq++;
      }
      next.fn();
      await new Promise<void>((r) => setImmediate(r));
    }
    this.current = target;
    await new Promise<void>((r) => setImmediate(r));
  }
}
