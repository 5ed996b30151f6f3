/**
 * One share-partition (KIP-932): the records of a topic-partition a share group consumes, between the share-partition
 * start offset (SPSO: everything before it is done) and the end offset (SPEO: nothing at or after it was ever
 * acquired). In between, each offset is in flight in one of four states:
 *
 *   available ──acquire──▶ acquired ──accept──▶ acknowledged
 *       ▲                     │ release / lock timeout (delivery count < limit)
 *       └─────────────────────┘
 *                             │ reject, gap, or release / lock timeout at the delivery count limit ──▶ archived
 *
 * Acquiring raises the delivery count; a record acquired `deliveryCountLimit` times and not accepted is archived.
 * The SPSO moves forward over acknowledged and archived records. Acquired records are locked for `lockDurationMs`
 * on the broker's clock; when the lock runs out they are available again (or archived at the limit).
 *
 * This class holds the state only; the coordinator persists it (a snapshot after every change but an acquisition:
 * as in Kafka, a crash forgets acquisitions, so their records are delivered again).
 */
import type { TimerHandle } from '../../clock.js';

export type RecordState = 'available' | 'acquired' | 'acknowledged' | 'archived';

/** Kafka's acknowledge types (ShareFetch/ShareAcknowledge v1): 0 gap, 1 accept, 2 release, 3 reject. */
export const AcknowledgeType = { gap: 0, accept: 1, release: 2, reject: 3 } as const;

/** Kafka's persisted delivery states (ShareSnapshotValue): available 0, acknowledged 2, archived 4. */
export const PersistedState = { available: 0, acknowledged: 2, archived: 4 } as const;

interface InFlight {
  state: RecordState;
  deliveryCount: number;
  /** The member holding it (acquired only). */
  memberId: string | null;
  /** The acquisition that locked it: its timer releases exactly the records it still holds. */
  lock: Lock | null;
}

interface Lock { timer: TimerHandle | null }

/** A run of offsets with one persisted state and delivery count (a ShareSnapshot state batch). */
export interface StateBatch { firstOffset: number; lastOffset: number; deliveryState: number; deliveryCount: number }

/** Acquired offsets as a ShareFetch response lists them. */
export interface AcquiredRange { firstOffset: number; lastOffset: number; deliveryCount: number }

/** One batch of a partition's log, as the acquisition sees it. */
export interface LogBatch { baseOffset: number; lastOffset: number; isControl: boolean; isAborted: boolean }

export interface Acknowledgement { firstOffset: number; lastOffset: number; types: number[] }

export class SharePartition {
  private readonly inFlight = new Map<number, InFlight>();
  /** Every offset below is acknowledged or archived. */
  startOffset: number;
  /** Every offset at or after it was never acquired. */
  endOffset: number;

  constructor(startOffset: number, private readonly limits: { deliveryCountLimit: () => number; maxInFlight: () => number }) {
    this.startOffset = startOffset;
    this.endOffset = startOffset;
  }

  /** The state a snapshot describes: offsets from `startOffset`, the batches listed, the rest never delivered. */
  static fromSnapshot(startOffset: number, batches: StateBatch[], limits: SharePartition['limits']): SharePartition {
    const p = new SharePartition(startOffset, limits);
    for (const b of batches) {
      for (let o = Math.max(b.firstOffset, startOffset); o <= b.lastOffset; o++) {
        const state: RecordState = b.deliveryState === PersistedState.acknowledged ? 'acknowledged'
          : b.deliveryState === PersistedState.archived ? 'archived' : 'available';
        p.inFlight.set(o, { state, deliveryCount: b.deliveryCount, memberId: null, lock: null });
        p.endOffset = Math.max(p.endOffset, o + 1);
      }
    }
    p.advanceStart();
    return p;
  }

  /** Counts of the in-flight records by state (describe, CLI). */
  counts(): Record<RecordState, number> {
    const counts = { available: 0, acquired: 0, acknowledged: 0, archived: 0 };
    for (const r of this.inFlight.values()) counts[r.state]++;
    return counts;
  }

  /** The first offset a member could acquire now (an available in-flight record, else the end offset). */
  nextAcquirable(): number {
    for (let o = this.startOffset; o < this.endOffset; o++) {
      const r = this.inFlight.get(o);
      if (r === undefined || r.state === 'available') return o;
    }
    return this.endOffset;
  }

  /** Whether `acquire` could hand out something below `upTo` (long polls re-check with it). */
  hasAcquirable(upTo: number): boolean {
    if (this.nextAcquirable() < Math.min(this.endOffset, upTo)) return true;
    return this.endOffset < upTo && this.inFlight.size < this.limits.maxInFlight();
  }

  /**
   * Acquires for `memberId`, from the log batches given (in offset order, starting at or before `nextAcquirable`),
   * whole batches at a time until at least `maxRecords` are acquired or the in-flight limit is reached. Control
   * records and (read_committed) aborted ones are archived instead. Returns the ranges acquired and the first and
   * last of the batches that hold them (-1 when none). A range is cut at the first log batch boundary after it holds
   * `batchSize` records (ShareFetch's batch_size; 0: never), as Kafka's acquired batches are.
   */
  acquire(memberId: string, batches: LogBatch[], maxRecords: number, lock: Lock, batchSize = 0, readFrom = this.startOffset): { ranges: AcquiredRange[]; firstBatch: number; lastBatch: number } {
    const ranges: AcquiredRange[] = [];
    let acquired = 0;
    let firstBatch = -1;
    let lastBatch = -1;
    // The offsets the log no longer has between the batches read (a compacted topic): archived, as Kafka's gaps.
    let expected = Math.max(readFrom, this.startOffset);
    let blocked = false;
    batches.forEach((b, i) => {
      if (blocked || acquired >= maxRecords || (b.lastOffset >= this.endOffset && this.inFlight.size >= this.limits.maxInFlight())) return;
      if (b.baseOffset > expected && !this.skipGap(expected, b.baseOffset)) {
        blocked = true;
        return;
      }
      expected = Math.max(expected, b.lastOffset + 1);
      const full = ranges.length > 0 && batchSize > 0 && ranges[ranges.length - 1].lastOffset - ranges[ranges.length - 1].firstOffset + 1 >= batchSize;
      let cut = full;
      for (let o = Math.max(b.baseOffset, this.startOffset); o <= b.lastOffset; o++) {
        let r = this.inFlight.get(o);
        if (r === undefined) {
          // Never delivered (past the end offset, or not in the snapshot a restart loaded).
          r = { state: b.isControl || b.isAborted ? 'archived' : 'available', deliveryCount: 0, memberId: null, lock: null };
          this.inFlight.set(o, r);
          this.endOffset = Math.max(this.endOffset, o + 1);
        }
        if (r.state !== 'available') continue;
        r.state = 'acquired';
        r.deliveryCount++;
        r.memberId = memberId;
        r.lock = lock;
        acquired++;
        if (firstBatch < 0) firstBatch = i;
        lastBatch = i;
        const last = ranges[ranges.length - 1];
        if (last && !cut && last.lastOffset === o - 1 && last.deliveryCount === r.deliveryCount) last.lastOffset = o;
        else ranges.push({ firstOffset: o, lastOffset: o, deliveryCount: r.deliveryCount });
        cut = false;
      }
    });
    this.advanceStart();
    return { ranges, firstBatch, lastBatch };
  }

  /**
   * Checks acknowledgements by `memberId` without changing anything: the Kafka error code that refuses them all, or
   * 0. Each type must be 0-3; each offset acquired by this member (a gap may also name a record never delivered).
   */
  checkAcknowledgements(memberId: string, acks: Acknowledgement[]): 'invalid-request' | 'invalid-state' | null {
    let previousLast = -1;
    for (const a of acks) {
      const count = a.lastOffset - a.firstOffset + 1;
      if (count <= 0 || a.types.length === 0 || (a.types.length !== 1 && a.types.length !== count)) return 'invalid-request';
      if (a.types.some((t) => t < AcknowledgeType.gap || t > AcknowledgeType.reject)) return 'invalid-request';
      // Kafka's validateAcknowledgementBatches: batches in offset order, none starting before the previous one ends.
      if (a.firstOffset < previousLast) return 'invalid-request';
      previousLast = a.lastOffset;
    }
    previousLast = -1;
    for (const a of acks) {
      // A batch starting on the previous one's last offset (which Kafka lets through) finds it no longer acquired.
      if (a.firstOffset === previousLast) return 'invalid-state';
      previousLast = a.lastOffset;
      // A range wider than everything in flight cannot be all acquired (and is not walked offset by offset).
      if (a.lastOffset - a.firstOffset + 1 > this.inFlight.size) return 'invalid-state';
      for (let o = a.firstOffset; o <= a.lastOffset; o++) {
        const r = this.inFlight.get(o);
        if (r === undefined || r.state !== 'acquired' || r.memberId !== memberId) return 'invalid-state';
      }
    }
    return null;
  }

  /** Applies acknowledgements already checked by `checkAcknowledgements`. */
  acknowledge(acks: Acknowledgement[]): void {
    for (const a of acks) {
      for (let o = a.firstOffset; o <= a.lastOffset; o++) {
        const type = a.types.length === 1 ? a.types[0] : a.types[o - a.firstOffset];
        const r = this.inFlight.get(o)!;
        if (type === AcknowledgeType.accept) this.settle(r, 'acknowledged');
        else if (type === AcknowledgeType.release) this.settle(r, this.releasedState(r));
        else this.settle(r, 'archived'); // reject, gap
      }
    }
    this.advanceStart();
  }

  /** Makes every record `memberId` holds available again (its share session closed); true if any was. */
  releaseMember(memberId: string): boolean {
    return this.releaseWhere((r) => r.memberId === memberId);
  }

  /** A lock ran out: the records it still holds are available again, or archived at the delivery limit. */
  expire(lock: Lock): boolean {
    return this.releaseWhere((r) => r.lock === lock);
  }

  private releaseWhere(held: (r: InFlight) => boolean): boolean {
    let changed = false;
    for (const r of this.inFlight.values()) {
      if (r.state === 'acquired' && held(r)) {
        this.settle(r, this.releasedState(r));
        changed = true;
      }
    }
    this.advanceStart();
    return changed;
  }

  /** Records before the log start offset are gone: they are archived and the SPSO moves up to it. */
  skipTo(logStartOffset: number): boolean {
    if (logStartOffset <= this.startOffset) return false;
    for (let o = this.startOffset; o < Math.min(logStartOffset, this.endOffset); o++) this.inFlight.delete(o);
    this.startOffset = logStartOffset;
    this.endOffset = Math.max(this.endOffset, logStartOffset);
    this.advanceStart();
    return true;
  }

  /** The in-flight state as persisted: runs of equal state and count; acquired records count as available. */
  stateBatches(): StateBatch[] {
    const out: StateBatch[] = [];
    for (let o = this.startOffset; o < this.endOffset; o++) {
      const r = this.inFlight.get(o);
      if (r === undefined) continue;
      const deliveryState = r.state === 'acknowledged' ? PersistedState.acknowledged : r.state === 'archived' ? PersistedState.archived : PersistedState.available;
      const last = out[out.length - 1];
      if (last && last.lastOffset === o - 1 && last.deliveryState === deliveryState && last.deliveryCount === r.deliveryCount) last.lastOffset = o;
      else out.push({ firstOffset: o, lastOffset: o, deliveryState, deliveryCount: r.deliveryCount });
    }
    return out;
  }

  private releasedState(r: InFlight): RecordState {
    return r.deliveryCount >= this.limits.deliveryCountLimit() ? 'archived' : 'available';
  }

  private settle(r: InFlight, state: RecordState): void {
    r.state = state;
    r.memberId = null;
    r.lock = null;
  }

  /**
   * Offsets `from` to `to - 1`, which the log does not have: passed by the start offset when nothing is in flight
   * before them; else archived one by one if they are few (an entry each); else not yet (false: acquiring stops
   * there until the records before them are done and the start reaches them).
   */
  private skipGap(from: number, to: number): boolean {
    if (from <= this.startOffset) {
      for (const o of this.inFlight.keys()) if (o < to) this.inFlight.delete(o);
      this.startOffset = to;
      this.endOffset = Math.max(this.endOffset, to);
      return true;
    }
    if (to - from > this.limits.maxInFlight()) return false;
    for (let o = from; o < to; o++) if (!this.inFlight.has(o)) this.inFlight.set(o, { state: 'archived', deliveryCount: 0, memberId: null, lock: null });
    this.endOffset = Math.max(this.endOffset, to);
    return true;
  }

  private advanceStart(): void {
    while (this.startOffset < this.endOffset) {
      const r = this.inFlight.get(this.startOffset);
      if (r !== undefined && r.state !== 'acknowledged' && r.state !== 'archived') break;
      this.inFlight.delete(this.startOffset);
      this.startOffset++;
    }
  }
}
