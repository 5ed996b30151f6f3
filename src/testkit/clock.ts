/**
 * The broker's clock as a test sees it (`broker.clock`): `now()` always, and `advance(ms)` when the broker was started
 * with `clock: 'manual'` — then session and rebalance timeouts, transaction timeouts, retention, segment.ms and
 * LogAppendTime timestamps all move only when the test moves them. On the real clock `advance` throws
 * (code SAMSA_CLOCK_NOT_MANUAL): time cannot be moved there, and silently waiting instead would hide the mistake.
 */
import { ManualClock, type Clock } from '../clock.js';
import { TestkitError } from './errors.js';

export interface TestClock {
  /** True when `advance` moves time (a broker started with `clock: 'manual'` or with a ManualClock). */
  readonly manual: boolean;
  now(): number;
  /** Moves time forward, running every timer that falls due; resolves once what they started has settled. */
  advance(ms: number): Promise<void>;
}

export function testClock(clock: Clock): TestClock {
  const manual = clock instanceof ManualClock;
  return {
    manual,
    now: () => clock.now(),
    async advance(ms: number) {
      if (!manual) throw new TestkitError('SAMSA_CLOCK_NOT_MANUAL', "the broker runs on the real clock: start it with { clock: 'manual' } to advance time");
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TestkitError('SAMSA_INVALID_ARGUMENT', `advance(ms): ms must be a finite number >= 0, got ${String(ms)}`);
      await clock.advance(ms);
    },
  };
}
