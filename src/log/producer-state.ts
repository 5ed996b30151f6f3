/**
 * Per-partition producer state: idempotent sequence checks, open transactions (which hold back the last stable
 * offset) and the index of aborted transactions that read_committed fetches return.
 *
 * It is derived from batch headers only, in log order, so it can always be rebuilt by scanning the log on start
 * (Kafka keeps snapshots to avoid that scan; our headers-only scan reads a few bytes per batch).
 */
import { ErrorCode } from '../protocol/generated/errors.js';

/** The batch-header facts producer state needs. */
export interface ProducerBatch {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** As stored: the records' largest timestamp, or the append time under LogAppendTime. */
  maxTimestamp: number;
  isTransactional: boolean;
  /** For control batches: true = COMMIT marker, false = ABORT marker; null for data batches. */
  commitMarker: boolean | null;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

interface CachedBatch { firstSeq: number; lastSeq: number; baseOffset: number; maxTimestamp: number }

interface ProducerEntry {
  epoch: number;
  /** The last few batches appended, newest last, to recognise retries (Kafka keeps 5 in flight). */
  recent: CachedBatch[];
  /** Broker clock time of its last batch here (or of the start that replayed it): producer.id.expiration.ms counts from it. */
  lastAppendMs: number;
}

const MAX_CACHED_BATCHES = 5;
const INT32_MAX = 2 ** 31 - 1;

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number; maxTimestamp: number }
  | { kind: 'error'; errorCode: number; message: string };

const nextSeq = (seq: number, by: number) => (seq + by) % (INT32_MAX + 1);

/** Stands for the maps of a partition no producer with an id wrote to (most of them): shared, never written. */
class NoEntries<V> extends Map<number, V> {
  override set(): never {
    throw new Error('NoEntries is shared: replace it before writing');
  }
}
const NO_PRODUCERS = new NoEntries<ProducerEntry>();
const NO_TRANSACTIONS = new NoEntries<number>();
/** The same for aborted transactions: shared and empty, replaced by the first abort. */
const NO_ABORTED: readonly AbortedTransaction[] = Object.freeze([]);

export class ProducerState {
  private producers: Map<number, ProducerEntry> = NO_PRODUCERS;
  /** Open transactions: producer id → offset of its first batch in this partition. */
  private ongoing: Map<number, number> = NO_TRANSACTIONS;
  private aborted: readonly AbortedTransaction[] = NO_ABORTED;

  /** Checks a batch before it is appended. Batches without a producer id (-1) always append. */
  check(batch: ProducerBatch): SequenceCheck {
    if (batch.producerId < 0 || batch.commitMarker !== null) return { kind: 'append' };
    // Kafka's LogValidator: a batch with a producer id carries a sequence (a -1 would match the previous batch of its
    // size as a duplicate, acknowledged and dropped).
    if (batch.baseSequence < 0) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_RECORD, message: `Invalid sequence number ${batch.baseSequence} in record batch with producerId ${batch.producerId}` };
    }
    const open = this.ongoing.get(batch.producerId);
    if (!batch.isTransactional && open !== undefined) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_TXN_STATE, message: `Expected transactional write from producer ${batch.producerId} at offset ${open}` };
    }
    const entry = this.producers.get(batch.producerId);
    if (!entry) return { kind: 'append' }; // a new producer, or one whose state expired with the log
    if (batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `Producer epoch ${batch.producerEpoch} is older than current epoch ${entry.epoch}` };
    }
    if (batch.producerEpoch > entry.epoch) {
      if (batch.baseSequence === 0) return { kind: 'append' };
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `New epoch ${batch.producerEpoch} must start at sequence 0, got ${batch.baseSequence}` };
    }
    const lastSeq = nextSeq(batch.baseSequence, batch.recordCount - 1);
    const dup = entry.recent.find((c) => c.firstSeq === batch.baseSequence && c.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset, maxTimestamp: dup.maxTimestamp };
    const last = entry.recent[entry.recent.length - 1];
    // None kept at this epoch (a marker bumped it): the producer starts again at 0, as Kafka's NO_SEQUENCE + 1.
    const expected = last ? nextSeq(last.lastSeq, 1) : 0;
    if (batch.baseSequence !== expected) {
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `Out of order sequence number for producer ${batch.producerId}: expected ${expected}, got ${batch.baseSequence}` };
    }
    return { kind: 'append' };
  }

  /** Records a batch appended at `at` (also used when rebuilding from the log, with the time of the rebuild). */
  apply(batch: ProducerBatch, at: number): void {
    if (batch.producerId < 0) return;
    if (this.producers === NO_PRODUCERS) {
      this.producers = new Map();
      this.ongoing = new Map();
    }
    if (batch.commitMarker !== null) {
      const first = this.ongoing.get(batch.producerId);
      this.ongoing.delete(batch.producerId);
      if (!batch.commitMarker && first !== undefined) {
        const aborted = this.aborted === NO_ABORTED ? (this.aborted = []) as AbortedTransaction[] : this.aborted as AbortedTransaction[];
        aborted.push({ producerId: batch.producerId, firstOffset: first, lastOffset: batch.baseOffset });
      }
      const entry = this.producers.get(batch.producerId);
      if (entry && batch.producerEpoch > entry.epoch) this.producers.set(batch.producerId, { epoch: batch.producerEpoch, recent: [], lastAppendMs: at });
      return;
    }
    let entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch !== entry.epoch) {
      entry = { epoch: batch.producerEpoch, recent: [], lastAppendMs: at };
      this.producers.set(batch.producerId, entry);
    }
    entry.lastAppendMs = at;
    entry.recent.push({ firstSeq: batch.baseSequence, lastSeq: nextSeq(batch.baseSequence, batch.recordCount - 1), baseOffset: batch.baseOffset, maxTimestamp: batch.maxTimestamp });
    if (entry.recent.length > MAX_CACHED_BATCHES) entry.recent.shift();
    if (batch.isTransactional && !this.ongoing.has(batch.producerId)) this.ongoing.set(batch.producerId, batch.baseOffset);
  }

  /**
   * Forgets producers whose last batch here was before `before` and that hold no transaction open (Kafka's
   * producer.id.expiration.ms): a restarted idempotent client gets a new id, and the old one's state would stay for
   * as long as the partition. A batch from a forgotten producer is taken as a new producer's. Returns how many went.
   */
  expire(before: number): number {
    let expired = 0;
    for (const [id, entry] of this.producers) {
      if (entry.lastAppendMs >= before || this.ongoing.has(id)) continue;
      this.producers.delete(id);
      expired++;
    }
    return expired;
  }

  /** Every producer known here (DescribeProducers): epoch, last sequence, and the first offset of an open transaction. */
  describe(): Array<{ producerId: number; producerEpoch: number; lastSequence: number; currentTxnStartOffset: number }> {
    return [...this.producers].map(([producerId, e]) => ({
      producerId, producerEpoch: e.epoch, lastSequence: e.recent[e.recent.length - 1]?.lastSeq ?? -1, currentTxnStartOffset: this.ongoing.get(producerId) ?? -1,
    }));
  }

  /** The producers with a transaction open here (data appended, no marker yet), with their current epoch. */
  /** Whether a transaction is open (cheaper than `openTransactions` for the many partitions without one). */
  get hasOpenTransactions(): boolean {
    return this.ongoing.size > 0;
  }

  openTransactions(): Array<{ producerId: number; producerEpoch: number; firstOffset: number }> {
    return [...this.ongoing].map(([producerId, firstOffset]) => ({ producerId, producerEpoch: this.producers.get(producerId)?.epoch ?? 0, firstOffset }));
  }

  /** The first offset not yet decided by an open transaction, capped by the high watermark. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.ongoing.values()) lso = Math.min(lso, first);
    return lso;
  }

  /** Aborted transactions overlapping [from, upTo): what read_committed consumers must skip. */
  abortedTransactions(from: number, upTo: number): AbortedTransaction[] {
    return this.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < upTo);
  }

  /** Forgets aborted transactions that ended before the log start offset (after retention or DeleteRecords). */
  truncateHead(logStartOffset: number): void {
    if (this.aborted !== NO_ABORTED) this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
  }
}
