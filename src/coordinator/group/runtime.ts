/**
 * The group coordinator's runtime (after Kafka's CoordinatorRuntime): the only place that touches time and the log.
 *
 * - Timers are keyed (as Kafka's coordinator timer): scheduling a key replaces its previous timer, so a heartbeat
 *   simply re-arms `session/<group>/<member>`. They run on the broker's Clock, so tests drive them with a ManualClock.
 * - Writes are appended in call order and their records applied to the state in that same order, after the log
 *   accepted them: the live state is always what replaying the log up to there gives. The caller answers its
 *   request only once `write` resolves (true), as Kafka answers only after its records are written.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import type { KeyValueLog, KeyValueRecord } from '../../log/key-value-log.js';

export class GroupRuntime {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly intervals: TimerHandle[] = [];
  /** Settles once every write issued so far has been applied (or has failed). */
  private applied: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly clock: Clock,
    private readonly log: KeyValueLog,
    private readonly logger: Logger,
    private readonly apply: (record: KeyValueRecord) => void,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` after `ms` under `key`, replacing any timer already under that key. */
  schedule(key: string, ms: number, fn: () => void): void {
    this.cancel(key);
    if (this.closed) return;
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(key) !== handle) return;
      this.timers.delete(key);
      this.guard(fn);
    }, ms);
    this.timers.set(key, handle);
  }

  cancel(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  every(ms: number, fn: () => void): void {
    this.intervals.push(this.clock.setInterval(() => this.guard(fn), ms));
  }

  /** Appends `records` as one batch; true once they are stored and applied, false if the log refused them. */
  write(records: KeyValueRecord[]): Promise<boolean> {
    if (records.length === 0) return Promise.resolve(true);
    const appended = this.log.append(records).then(() => true, (err: unknown) => {
      this.logger.error({ err }, 'could not write to the group log');
      return false;
    });
    const done = this.applied.then(() => appended).then((ok) => {
      if (ok) for (const r of records) this.apply(r);
      return ok;
    });
    this.applied = done.catch(() => {});
    return done;
  }

  /** Resolves once every write issued so far is applied (or failed). */
  async settled(): Promise<void> {
    await this.applied;
  }

  /** Timer callbacks must not throw into the event loop: a bug here is logged, never a broker crash. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'group coordinator error');
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const t of this.intervals) t.cancel();
  }
}
