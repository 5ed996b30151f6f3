/**
 * The transaction coordinator: producer ids and epochs, and the two-phase life of each transactional id
 * (Empty → Ongoing → PrepareCommit/PrepareAbort → CompleteCommit/CompleteAbort).
 *
 * State changes only through records appended to the internal `__transaction_state` log and is rebuilt by
 * replaying them, so a restart (clean or kill -9) resumes every transaction: one caught in Prepare* is completed
 * on start, as Kafka does. Producer ids are handed out in blocks recorded in the same log, so none is reused.
 */
import type { Logger } from 'pino';
import type { KeyValueLog } from '../../log/key-value-log.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import type { Clock, TimerHandle } from '../../clock.js';

const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort'] as const;
export type TxnStateName = (typeof TXN_STATES)[number];

export interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

interface TxnState {
  transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  state: TxnStateName;
  /** "topic\u0000partition" keys of the partitions written in the open transaction. */
  partitions: string[];
  /** Offsets sent with sendOffsetsToTransaction, by group, applied only on commit. */
  offsets: Record<string, PendingOffset[]>;
  /** When the open transaction started (ms since epoch), for transaction.timeout.ms. */
  startedAt: number;
  /** When this state was last written, for transactional.id.expiration.ms (absent in records from older versions). */
  updatedAt?: number;
  /** The id and epoch before InitProducerId last bumped them, to answer its retry (absent in older records). */
  previous?: { producerId: number; epoch: number };
}

/** A transaction a partition holds open (data without a marker yet), as its producer state knows it. */
export interface OpenPartitionTxn {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
}

export interface TxnDependencies {
  log: KeyValueLog;
  logger: Logger;
  maxTimeoutMs: number;
  /** transactional.id.expiration.ms: ids idle (no transaction open) this long are forgotten. */
  idExpirationMs: number;
  clock: Clock;
  partitionExists(topic: string, partition: number): boolean;
  /** Every transaction the partitions hold open, to find those no coordinator state will ever close. */
  openPartitionTxns(): OpenPartitionTxn[];
  /** Appends a COMMIT or ABORT control batch for the producer to a partition. */
  writeMarker(topic: string, partition: number, producerId: number, epoch: number, commit: boolean): Promise<void>;
  /** Makes a committed transaction's offsets visible to its group. */
  commitOffsets(groupId: string, offsets: PendingOffset[]): Promise<void>;
}

const PID_BLOCK = 1000;
const MAX_EPOCH = 32767;
const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
/** States in which a transaction is open: its partitions and offsets are not yet committed or aborted. */
const isOpen = (txn: TxnState) => txn.state === 'Ongoing' || txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort';
/** How often timeouts, orphaned partition transactions and idle ids are looked for. */
const CHECK_INTERVAL_MS = 1000;

export class TransactionCoordinator {
  /**
   * Every transactional id's state, in the order of their last writes (a write moves its id to the end): the ids
   * transactional.id.expiration.ms has passed are at the front, so a round looks at those and stops.
   */
  private readonly txns = new Map<string, TxnState>();
  /** The ids whose transaction is open: the only ones a round looks at for timeouts and orphaned partitions. */
  private readonly open = new Set<string>();
  private nextProducerId = 0;
  private blockEnd = 0;
  private readonly timer: TimerHandle;
  /**
   * Open partition transactions no coordinator state covers ("topic\u0000partition\u0000producerId" → when first
   * seen): data written without AddPartitionsToTxn before verification existed, or whose state was lost.
   */
  private readonly orphans = new Map<string, number>();
  private housekeepingRunning = false;
  /** One operation at a time per transactional id (markers are written asynchronously). */
  private readonly busy = new Set<string>();
  /** Resets so far: a write that ends after a reset does not bring its state back. */
  private resets = 0;

  constructor(private readonly deps: TxnDependencies) {
    for (const { key, value } of deps.log.replay()) {
      const k = key.toString();
      if (k === 'pid-block') {
        this.blockEnd = value ? JSON.parse(value.toString()).end : 0;
        this.nextProducerId = this.blockEnd;
      } else if (k.startsWith('txn:')) {
        if (value) this.remember(JSON.parse(value.toString()));
        else this.forget(k.slice(4));
      }
    }
    // Ids written before updatedAt existed start their idle time now (the newest: moved to the end).
    for (const txn of [...this.txns.values()]) {
      if (txn.updatedAt !== undefined) continue;
      txn.updatedAt = deps.clock.now();
      this.remember(txn);
    }
    this.timer = deps.clock.setInterval(() => {
      // Nothing to look at (no transactional id, no transaction open in any partition): no round, nothing allocated.
      if (this.txns.size > 0 || this.orphans.size > 0 || deps.openPartitionTxns().length > 0) void this.housekeeping();
    }, CHECK_INTERVAL_MS);
  }

  /** Finishes transactions a crash left in Prepare*; call once after the broker's partitions are open. */
  async recover(): Promise<void> {
    for (const id of [...this.open]) await this.completePrepared(id);
  }

  /** Completes a transaction left prepared (by a crash, or a marker or offset write that failed): markers again, then Complete. */
  private async completePrepared(id: string): Promise<void> {
    await this.exclusive(id, undefined, async () => {
      const txn = this.txns.get(id);
      if (txn?.state === 'PrepareCommit' || txn?.state === 'PrepareAbort') await this.complete(txn, txn.state === 'PrepareCommit');
    });
  }

  private async persist(txn: TxnState): Promise<void> {
    txn = { ...txn, updatedAt: this.deps.clock.now() };
    const resets = this.resets;
    await this.deps.log.append([{ key: Buffer.from(`txn:${txn.transactionalId}`), value: Buffer.from(JSON.stringify(txn)) }]);
    if (resets === this.resets) this.remember(txn);
  }

  private remember(txn: TxnState): void {
    this.txns.delete(txn.transactionalId);
    this.txns.set(txn.transactionalId, txn);
    if (isOpen(txn)) this.open.add(txn.transactionalId);
    else this.open.delete(txn.transactionalId);
  }

  private forget(transactionalId: string): void {
    this.txns.delete(transactionalId);
    this.open.delete(transactionalId);
  }

  /** The open transactions' states. */
  private openTxns(): TxnState[] {
    return [...this.open].map((id) => this.txns.get(id)!);
  }

  private async allocateProducerId(): Promise<number> {
    if (this.nextProducerId >= this.blockEnd) {
      const end = this.blockEnd + PID_BLOCK;
      await this.deps.log.append([{ key: Buffer.from('pid-block'), value: Buffer.from(JSON.stringify({ end })) }]);
      this.blockEnd = end;
    }
    return this.nextProducerId++;
  }

  private async exclusive<T>(id: string, busyValue: T, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) return busyValue;
    this.busy.add(id);
    try {
      return await fn();
    } finally {
      this.busy.delete(id);
    }
  }

  async initProducerId(transactionalId: string | null, timeoutMs: number, producerId: number, epoch: number): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
    const fail = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === null) {
      // As Kafka's TransactionCoordinator: without a transactional id, always a new id at epoch 0, whatever id and
      // epoch the request names (@platformatic/kafka names 0/0: bumping it would hand out an id another producer holds).
      return { errorCode: ErrorCode.NONE, producerId: await this.allocateProducerId(), producerEpoch: 0 };
    }
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST); // Kafka's: empty is neither null nor an id
    if (timeoutMs <= 0 || timeoutMs > this.deps.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    return this.exclusive(transactionalId, fail(ErrorCode.CONCURRENT_TRANSACTIONS), async () => {
      const txn = this.txns.get(transactionalId);
      if (!txn) {
        const created: TxnState = { transactionalId, producerId: await this.allocateProducerId(), epoch: 0, timeoutMs, state: 'Empty', partitions: [], offsets: {}, startedAt: 0 };
        await this.persist(created);
        return { errorCode: ErrorCode.NONE, producerId: created.producerId, producerEpoch: 0 };
      }
      // KIP-360: a producer that names its current id/epoch may bump; the one whose bump this was, asking again (its
      // answer lost), gets the same id and epoch; any other is fenced.
      if (producerId >= 0 && (producerId !== txn.producerId || epoch !== txn.epoch)) {
        if (txn.previous?.producerId === producerId && txn.previous.epoch === epoch) return { errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.epoch };
        return fail(ErrorCode.INVALID_PRODUCER_EPOCH);
      }
      // A new incarnation fences the old one: its open transaction is aborted under the old epoch first.
      if (txn.state === 'Ongoing') await this.complete(txn, false);
      // Kafka's isEpochExhausted (>= 32766): a new id then, so that an abort on timeout can still bump the epoch past
      // the producer's and fence it.
      const exhausted = txn.epoch >= MAX_EPOCH - 1;
      const bumped = exhausted ? { producerId: await this.allocateProducerId(), epoch: 0 } : { producerId: txn.producerId, epoch: txn.epoch + 1 };
      // Only a bump the producer asked for (KIP-360) can be retried; a new incarnation's fences every earlier epoch.
      const previous = producerId >= 0 ? { producerId: txn.producerId, epoch: txn.epoch } : undefined;
      await this.persist({ ...txn, ...bumped, previous, timeoutMs, state: 'Empty', partitions: [], offsets: {} });
      return { errorCode: ErrorCode.NONE, producerId: bumped.producerId, producerEpoch: bumped.epoch };
    });
  }

  /** Checks the producer's id and epoch against the transactional id; an error code, or the state. */
  private verify(transactionalId: string, producerId: number, epoch: number): TxnState | number {
    const txn = this.txns.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    // Client versions we serve predate PRODUCER_FENCED: a fenced producer sees INVALID_PRODUCER_EPOCH.
    if (epoch !== txn.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort' || this.busy.has(transactionalId)) return ErrorCode.CONCURRENT_TRANSACTIONS;
    return txn;
  }

  private begin(txn: TxnState): TxnState {
    return txn.state === 'Ongoing' ? { ...txn } : { ...txn, state: 'Ongoing', partitions: [], offsets: {}, startedAt: this.deps.clock.now() };
  }

  /**
   * KIP-890 part 1, checked before a transactional batch is appended: the partition must be in the producer's ongoing
   * transaction, else the batch would hold the partition's last stable offset back with nothing to ever end it.
   * NONE, or the error Kafka answers Produce with.
   */
  verifyPartition(transactionalId: string | null, producerId: number, epoch: number, topic: string, partition: number): number {
    const txn = transactionalId === null ? undefined : this.txns.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== txn.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (txn.state !== 'Ongoing' || !txn.partitions.includes(partitionKey(topic, partition))) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  async addPartitions(transactionalId: string, producerId: number, epoch: number, partitions: Array<{ topic: string; partition: number }>): Promise<Array<{ topic: string; partition: number; errorCode: number }>> {
    const txn = this.verify(transactionalId, producerId, epoch);
    const unknown = partitions.filter((p) => !this.deps.partitionExists(p.topic, p.partition));
    const codeFor = (p: { topic: string; partition: number }): number => {
      if (typeof txn === 'number') return txn;
      if (unknown.length === 0) return ErrorCode.NONE;
      return unknown.includes(p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED;
    };
    if (typeof txn !== 'number' && unknown.length === 0) {
      // Exclusive while written: a request arriving meanwhile would otherwise start from the state read before this
      // write and overwrite it (Kafka answers it CONCURRENT_TRANSACTIONS, through verify, and the client retries).
      await this.exclusive(transactionalId, undefined, async () => {
        const next = this.begin(txn);
        next.partitions = [...new Set([...next.partitions, ...partitions.map((p) => partitionKey(p.topic, p.partition))])];
        await this.persist(next);
      });
    }
    return partitions.map((p) => ({ ...p, errorCode: codeFor(p) }));
  }

  async addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string): Promise<number> {
    const txn = this.verify(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    return this.exclusive(transactionalId, ErrorCode.CONCURRENT_TRANSACTIONS, async () => {
      const next = this.begin(txn);
      next.offsets = { ...next.offsets, [groupId]: next.offsets[groupId] ?? [] };
      await this.persist(next);
      return ErrorCode.NONE;
    });
  }

  /**
   * `verified`: the group coordinator checks the producer with us first (KIP-890 part 1, Kafka 3.7+). Without it
   * (Kafka 2.x), the offsets are appended under whatever producer id they carry and answered NONE: they join the
   * transaction only if it is the id's ongoing one with the group added, else they wait for a commit marker that never
   * comes (we drop them). An older epoch of the id's producer is still fenced, by the offsets log (INVALID_PRODUCER_EPOCH).
   */
  /** `groupError` is the group's check of the committing member (KIP-447), made once the producer passed its own. */
  async txnOffsetCommit(transactionalId: string, producerId: number, epoch: number, groupId: string, offsets: PendingOffset[], verified = true,
    groupError: () => number = () => ErrorCode.NONE): Promise<number> {
    const txn = this.verify(transactionalId, producerId, epoch);
    if (!verified && txn !== ErrorCode.CONCURRENT_TRANSACTIONS) {
      const current = this.txns.get(transactionalId);
      if (current?.producerId === producerId && epoch < current.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
      if (typeof txn === 'number' || txn.state !== 'Ongoing' || !(groupId in txn.offsets)) return groupError();
    }
    if (typeof txn === 'number') return txn;
    if (txn.state !== 'Ongoing' || !(groupId in txn.offsets)) return ErrorCode.INVALID_TXN_STATE;
    const refused = groupError();
    if (refused !== ErrorCode.NONE) return refused;
    const merged = new Map(txn.offsets[groupId].map((o) => [partitionKey(o.topic, o.partition), o]));
    for (const o of offsets) merged.set(partitionKey(o.topic, o.partition), o);
    return this.exclusive(transactionalId, ErrorCode.CONCURRENT_TRANSACTIONS, async () => {
      await this.persist({ ...txn, offsets: { ...txn.offsets, [groupId]: [...merged.values()] } });
      return ErrorCode.NONE;
    });
  }

  async endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<number> {
    const txn = this.verify(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    // A retried EndTxn after completion gets the same answer; the opposite decision is an invalid state.
    if (txn.state === 'CompleteCommit' || txn.state === 'CompleteAbort') return (txn.state === 'CompleteCommit') === commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    if (txn.state === 'Empty') return ErrorCode.INVALID_TXN_STATE; // nothing was started (Kafka answers the same)
    return this.exclusive(transactionalId, ErrorCode.CONCURRENT_TRANSACTIONS, async () => {
      await this.complete(txn, commit);
      return ErrorCode.NONE;
    });
  }

  /**
   * DescribeTransactions (KIP-664): a transactional id's state, producer id/epoch, timeout, when its transaction
   * started (-1 when none is open) and the partitions it holds; undefined for an id the coordinator does not know.
   */
  describe(transactionalId: string): { state: TxnStateName; producerId: number; producerEpoch: number; timeoutMs: number; startedAt: number; partitions: Array<{ topic: string; partition: number }> } | undefined {
    const txn = this.txns.get(transactionalId);
    if (!txn) return undefined;
    const partitions = txn.partitions.map((key) => {
      const at = key.lastIndexOf('\u0000');
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
    });
    return { state: txn.state, producerId: txn.producerId, producerEpoch: txn.epoch, timeoutMs: txn.timeoutMs, startedAt: isOpen(txn) ? txn.startedAt : -1, partitions };
  }

  /**
   * Whether an open transaction holds an offset of `groupId` for the partition (sent with TxnOffsetCommit, not yet
   * committed or aborted): OffsetFetch with requireStable answers such partitions UNSTABLE_OFFSET_COMMIT.
   */
  pendingOffsets(groupId: string): (topic: string, partition: number) => boolean {
    const pending = new Set<string>();
    for (const txn of this.txns.values()) {
      if (isOpen(txn)) for (const o of txn.offsets[groupId] ?? []) pending.add(partitionKey(o.topic, o.partition));
    }
    return (topic, partition) => pending.has(partitionKey(topic, partition));
  }

  /**
   * ListTransactions (KIP-664): transactional ids whose state is one of `states` and producer id one of `producerIds`
   * (empty = any), open at least `minDurationMs` (negative = any). Also returns the state filters that name no state.
   */
  list(states: string[], producerIds: number[], minDurationMs: number): { unknownStates: string[]; transactions: Array<{ transactionalId: string; producerId: number; state: TxnStateName }> } {
    // Kafka's other states (which we never enter) are valid filter names too.
    const known = new Set<string>([...TXN_STATES, 'Dead', 'PrepareEpochFence']);
    const now = this.deps.clock.now();
    const transactions = [...this.txns.values()]
      .filter((t) => (states.length === 0 || states.includes(t.state)) && (producerIds.length === 0 || producerIds.includes(t.producerId)))
      .filter((t) => minDurationMs < 0 || now - t.startedAt >= minDurationMs)
      .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.state }));
    return { unknownStates: states.filter((s) => !known.has(s)), transactions };
  }

  /** Prepare (persisted), write the markers and apply offsets, then Complete (persisted). */
  private async complete(txn: TxnState, commit: boolean): Promise<void> {
    const prepared: TxnState = { ...txn, state: commit ? 'PrepareCommit' : 'PrepareAbort' };
    await this.persist(prepared);
    for (const key of prepared.partitions) {
      const [topic, partition] = key.split('\u0000');
      if (this.deps.partitionExists(topic, Number(partition))) {
        await this.deps.writeMarker(topic, Number(partition), prepared.producerId, prepared.epoch, commit);
      }
    }
    if (commit) for (const [groupId, offsets] of Object.entries(prepared.offsets)) if (offsets.length > 0) await this.deps.commitOffsets(groupId, offsets);
    await this.persist({ ...prepared, state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: [], offsets: {} });
  }

  /** The periodic work, one round at a time; never rejects (it runs from a timer). */
  private async housekeeping(): Promise<void> {
    if (this.housekeepingRunning) return;
    this.housekeepingRunning = true;
    try {
      await this.abortExpired();
      // A commit or abort whose marker could not be written (a full disk) is finished here, not left until a restart
      // with every request for its id answered CONCURRENT_TRANSACTIONS.
      for (const id of [...this.open]) {
        await this.completePrepared(id).catch((err: unknown) => this.deps.logger.error({ err, transactionalId: id }, 'could not complete a prepared transaction'));
      }
      await this.abortOrphans();
      await this.expireIds();
    } catch (err) {
      this.deps.logger.error({ err }, 'transaction housekeeping failed');
    } finally {
      this.housekeepingRunning = false;
    }
  }

  /** Aborts transactions open longer than their timeout, bumping the epoch so the zombie producer is fenced. */
  private async abortExpired(): Promise<void> {
    const expired = (txn: TxnState | undefined): txn is TxnState =>
      txn !== undefined && txn.state === 'Ongoing' && this.deps.clock.now() - txn.startedAt >= txn.timeoutMs;
    for (const id of [...this.open]) {
      if (!expired(this.txns.get(id)) || this.busy.has(id)) continue;
      try {
        await this.exclusive(id, undefined, async () => {
          // Read again: this round awaited the aborts before it, meanwhile this transaction may have ended and begun anew.
          const txn = this.txns.get(id);
          if (!expired(txn)) return;
          this.deps.logger.info({ transactionalId: id }, 'aborting a transaction past its timeout');
          // Markers carry the bumped epoch, so the partitions fence the zombie too.
          const bumped = { ...txn, epoch: Math.min(txn.epoch + 1, MAX_EPOCH) };
          await this.persist(bumped);
          await this.complete(bumped, false);
        });
      } catch (err) {
        // Run from a timer: a failed write (e.g. a full disk) must not become an unhandled rejection; next tick retries.
        this.deps.logger.error({ err, transactionalId: id }, 'could not abort a timed-out transaction');
      }
    }
  }

  /**
   * Writes an ABORT marker into a partition whose open transaction no coordinator state covers once it has been seen
   * open for transaction.max.timeout.ms: no transaction may legitimately last longer.
   */
  private async abortOrphans(): Promise<void> {
    const now = this.deps.clock.now();
    const covered = new Set<string>();
    for (const txn of this.openTxns()) {
      for (const key of txn.partitions) covered.add(`${key}\u0000${txn.producerId}`);
    }
    const seen = new Set<string>();
    for (const open of this.deps.openPartitionTxns()) {
      const key = `${partitionKey(open.topic, open.partition)}\u0000${open.producerId}`;
      if (covered.has(key)) continue;
      seen.add(key);
      const since = this.orphans.get(key) ?? now;
      this.orphans.set(key, since);
      if (now - since < this.deps.maxTimeoutMs) continue;
      this.deps.logger.warn({ topic: open.topic, partition: open.partition, producerId: open.producerId }, 'aborting a partition transaction no coordinator state covers');
      try {
        await this.deps.writeMarker(open.topic, open.partition, open.producerId, open.producerEpoch, false);
        this.orphans.delete(key);
      } catch (err) {
        this.deps.logger.error({ err, topic: open.topic, partition: open.partition }, 'could not abort an orphaned partition transaction');
      }
    }
    for (const key of this.orphans.keys()) if (!seen.has(key)) this.orphans.delete(key);
  }

  /** Forgets transactional ids idle (no transaction open) for transactional.id.expiration.ms, with a tombstone. */
  private async expireIds(): Promise<void> {
    const now = this.deps.clock.now();
    const expired: TxnState[] = [];
    for (const txn of this.txns.values()) {
      const idle = txn.state === 'Empty' || txn.state === 'CompleteCommit' || txn.state === 'CompleteAbort';
      if (!idle || this.busy.has(txn.transactionalId)) continue;
      // Every id after this one was written later.
      if (now - (txn.updatedAt ?? now) < this.deps.idExpirationMs) break;
      expired.push(txn);
    }
    for (const txn of expired) {
      try {
        await this.exclusive(txn.transactionalId, undefined, async () => {
          // Written again since it was found (the write moved it back): not idle any more.
          if (this.txns.get(txn.transactionalId) !== txn) return;
          await this.deps.log.append([{ key: Buffer.from(`txn:${txn.transactionalId}`), value: null }]);
          this.forget(txn.transactionalId);
        });
        this.deps.logger.info({ transactionalId: txn.transactionalId }, 'transactional id expired');
      } catch (err) {
        this.deps.logger.error({ err, transactionalId: txn.transactionalId }, 'could not expire a transactional id');
      }
    }
  }

  /**
   * The test kit's reset: every transactional id and open transaction is forgotten and the log emptied (the
   * partitions they wrote are deleted with their topics). Producer ids keep counting up, their block recorded again,
   * so no client connected before the reset shares an id with one that initialises after it.
   */
  async reset(): Promise<void> {
    this.resets++;
    this.txns.clear();
    this.open.clear();
    this.orphans.clear();
    this.deps.log.clear?.();
    if (this.blockEnd > 0) await this.deps.log.append([{ key: Buffer.from('pid-block'), value: Buffer.from(JSON.stringify({ end: this.blockEnd })) }]);
  }

  close(): void {
    this.timer.cancel();
  }
}
