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
export const MAX_TIMER_MS = 2 ** 31 - 1;

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
/** Timers in the order they run: by due time, then by when they were set (`seq`). A binary heap. */
class TimerQueue {
  private items: ManualTimer[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The first timer not cancelled (cancelled ones at the front are dropped). */
  first(): ManualTimer | undefined {
    while (this.items.length > 0 && this.items[0].cancelled) this.pop();
    return this.items[0];
  }

  push(timer: ManualTimer): void {
    const items = this.items;
    let i = items.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!runsBefore(timer, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = timer;
  }

  pop(): ManualTimer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const child = left + 1 < items.length && runsBefore(items[left + 1], items[left]) ? left + 1 : left;
        if (!runsBefore(items[child], last)) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }

  /** Drops every cancelled timer. */
  sweep(): void {
    const live = this.items.filter((t) => !t.cancelled);
    this.items = [];
    for (const t of live) this.push(t);
  }

  live(): number {
    return this.items.reduce((n, t) => n + (t.cancelled ? 0 : 1), 0);
  }
}

const runsBefore = (a: ManualTimer, b: ManualTimer) => a.due < b.due || (a.due === b.due && a.seq < b.seq);

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  /** One-shot timers and intervals apart: an interval catching up skips to the next one-shot timer. */
  private readonly oneShots = new TimerQueue();
  private readonly intervals = new TimerQueue();
  /** Timers cancelled since the queues were last swept: each keeps what it would have run (a connection, say) alive. */
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
    (every === null ? this.oneShots : this.intervals).push(timer);
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        // Swept now and then, not only when they come due: a test that never advances still lets go of what it cancelled.
        if (++this.cancelledSinceSweep > 64 && this.cancelledSinceSweep * 2 > this.held) this.sweep();
      },
    };
  }

  /** Timers held, cancelled ones not yet swept included. */
  private get held(): number {
    return this.oneShots.size + this.intervals.size;
  }

  private sweep(): void {
    this.oneShots.sweep();
    this.intervals.sweep();
    this.cancelledSinceSweep = 0;
  }

  /** The interval's last due time at or before the next one-shot timer and `target` (at least its next one). */
  private lastTickBefore(interval: ManualTimer, target: number): number {
    const bound = Math.min(target, this.oneShots.first()?.due ?? target);
    const every = interval.every!;
    return Math.max(interval.due, interval.due + Math.floor((bound - interval.due) / every) * every);
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.oneShots.live() + this.intervals.live();
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
      const oneShot = this.oneShots.first();
      const interval = this.intervals.first();
      const next = oneShot && (!interval || runsBefore(oneShot, interval)) ? oneShot : interval;
      if (!next || next.due > target) break;
      this.current = Math.max(this.current, next.due);
      if (next.every === null) {
        this.oneShots.pop();
        next.cancelled = true;
      } else {
        this.intervals.pop();
        const runs = (catchUps.get(next) ?? 0) + 1;
        catchUps.set(next, runs);
        next.due += next.every;
        if (runs >= MAX_CATCH_UP) next.due = this.lastTickBefore(next, target);
        next.seq = this.seq++;
        this.intervals.push(next);
      }
      next.fn();
      await new Promise<void>((r) => setImmediate(r));
    }
    this.current = target;
    await new Promise<void>((r) => setImmediate(r));
  }
}
