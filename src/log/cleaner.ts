/**
 * Log compaction (cleanup.policy=compact): keeps the latest record per key in closed segments.
 *
 * One pass: (1) the cleanable range is the closed segments older than min.compaction.lag.ms and below the last
 * stable offset; (2) skip unless the dirty part (beyond the cleaner checkpoint) is at least min.cleanable.dirty.ratio
 * of it, or its first segment was started more than max.compaction.lag.ms ago; (3) map each key of the dirty part to
 * its last offset; (4) rewrite each cleanable segment keeping a record unless a later offset holds its key, dropping
 * tombstones older than delete.retention.ms. A batch that keeps all its records is copied byte for byte; one that
 * loses some is re-encoded with its own codec, base offset, last offset delta and timestamps (offsets never move:
 * gaps are allowed). Segments are written beside the old file and renamed over it, so a crash leaves either the old
 * or the new one.
 *
 * The pass is a generator that yields every SLICE_BYTES of batches read, so the LogManager can spread it over many
 * short turns of the event loop instead of stalling produce for the whole pass. Between turns the log may change:
 * appends and rolls are harmless (only the closed segments picked at the start are touched); if one of those
 * segments went (retention, DeleteRecords, truncation, close) the pass stops, keeping what it already swapped in.
 *
 * Transactional data and markers are kept whole and their keys do not supersede older records: whether a
 * transaction committed is known only from its marker, and keeping them is always correct.
 */
import { decodeBatch, encodeBatch, inflatedLimit, type BatchHeader, type DecodedRecord } from '../protocol/record-batch.js';
import type { PartitionLog } from './partition-log.js';
import { segmentName, type Segment, type WalkSpace } from './segment.js';

export interface CompactionStats { segments: number; bytesBefore: number; bytesAfter: number; recordsRemoved: number }

const keyOf = (r: DecodedRecord): string | null => (r.key ? r.key.toString('latin1') : null);

/** Bytes of batches read between two yields of a cleaning pass: a few milliseconds of decoding at most. */
const SLICE_BYTES = 256 * 1024;

/** Runs one whole cleaning pass now; returns what it did, or null when there was nothing (or not enough) to clean. */
export function compact(log: PartitionLog, now: number, force = false): CompactionStats | null {
  const pass = compaction(log, now, force);
  for (;;) {
    const step = pass.next();
    if (step.done) return step.value;
  }
}

/** One cleaning pass as a generator (see the top of this file); its return value is compact()'s. */
export function* compaction(log: PartitionLog, now: number, force = false): Generator<void, CompactionStats | null> {
  const cfg = log.config;
  const lso = log.lastStableOffset;
  const closed = log.segments.slice(0, -1);
  let cleanable = 0;
  while (cleanable < closed.length) {
    const seg = closed[cleanable];
    if (seg.nextOffset > lso || (seg.size > 0 && seg.maxTimestamp > now - cfg.minCompactionLagMs)) break;
    cleanable++;
  }
  const range = closed.slice(0, cleanable);
  const dirty = range.filter((s) => s.nextOffset > log.cleanedTo);
  if (dirty.length === 0) return null;
  const dirtyBytes = dirty.reduce((n, s) => n + s.size, 0);
  const totalBytes = range.reduce((n, s) => n + s.size, 0);
  const overdue = dirty[0].rollStart >= 0 && now - dirty[0].rollStart > cfg.maxCompactionLagMs;
  if (!force && !overdue && totalBytes > 0 && dirtyBytes / totalBytes < cfg.minCleanableDirtyRatio) return null;

  // Latest offset of every key in the dirty part.
  const latest = new Map<string, number>();
  const intact = () => !log.isClosed && range.every((seg, i) => log.segments[i] === seg);
  const space: WalkSpace = {}; // the pass's read space (let go with the pass)
  for (const seg of dirty) {
    const read = yield* eachBatch(seg, space, intact, (buf, at, header) => {
      if (header.isTransactional || header.isControl) return;
      for (const r of decodeBatch(buf, at, inflatedLimit(cfg.maxMessageBytes)).records) {
        const k = keyOf(r);
        if (k !== null) latest.set(k, r.offset);
      }
    });
    if (!read) return null;
  }

  const horizon = now - cfg.deleteRetentionMs;
  const stats: CompactionStats = { segments: 0, bytesBefore: totalBytes, bytesAfter: 0, recordsRemoved: 0 };
  for (let i = 0; i < range.length; i++) {
    // Kafka's groupSegmentsBySize: neighbours that fit one segment together are rewritten as one, so a log whose
    // cleaned segments keep a few records each does not keep their files open forever.
    let n = 1;
    let groupBytes = range[i].size;
    while (i + n < range.length && groupBytes + range[i + n].size <= cfg.segmentBytes && range[i].fits(range[i + n].nextOffset - 1)) {
      groupBytes += range[i + n].size;
      n++;
    }
    const group = range.slice(i, i + n);
    const name = `${segmentName(group[0].baseOffset, '.log')}.cleaned`;
    log.dir.remove(name);
    const out = log.dir.open(name);
    let changed = n > 1;
    let swapped = false;
    try {
      for (const seg of group) {
        const read = yield* eachBatch(seg, space, intact, (buf, at, header) => {
          const whole = buf.subarray(at, at + header.size);
          if (header.isTransactional || header.isControl) {
            out.append(whole);
            return;
          }
          const records = decodeBatch(buf, at, inflatedLimit(cfg.maxMessageBytes)).records;
          const kept = records.filter((r) => {
            const k = keyOf(r);
            if (k === null) return true;
            if ((latest.get(k) ?? -1) > r.offset) return false;
            return !(r.value === null && header.maxTimestamp < horizon);
          });
          stats.recordsRemoved += records.length - kept.length;
          if (kept.length === records.length) {
            out.append(whole);
            return;
          }
          changed = true;
          if (kept.length === 0) return;
          out.append(encodeBatch(kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offset: r.offset })), {
            baseOffset: header.baseOffset, compression: header.compression, timestampType: header.timestampType,
            partitionLeaderEpoch: header.partitionLeaderEpoch, producerId: header.producerId, producerEpoch: header.producerEpoch,
            baseSequence: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta, baseTimestamp: header.baseTimestamp,
            maxTimestamp: header.maxTimestamp,
          }));
        });
        if (!read) return stats.segments > 0 ? stats : null;
      }
      out.close();
      if (!changed) {
        stats.bytesAfter += group[0].size;
        continue;
      }
      // Recorded first: the rewritten segment has gaps, which recovery accepts only below this offset.
      const end = group[n - 1].nextOffset;
      if (end > log.cleanedTo) log.setCleanedTo(end);
      stats.segments += n;
      const merged = log.replaceSegments(i, n, name);
      range.splice(i, n, merged);
      stats.bytesAfter += merged.size;
      swapped = true;
    } finally {
      // Also when the pass stops early (an error, or the LogManager closing it between turns).
      if (!swapped) {
        out.close();
        log.dir.remove(name);
      }
    }
  }
  // The whole range is clean now, also where nothing had to change.
  if (range.length && range[range.length - 1].nextOffset > log.cleanedTo) log.setCleanedTo(range[range.length - 1].nextOffset);
  for (let i = range.length - 1; i > 0; i--) log.dropEmptySegment(i);
  // The producer state is left as it is: what compaction removes never includes transactional batches or markers,
  // and the in-memory state (built from everything appended) knows at least as much as a replay of what is left.
  return stats;
}

/**
 * Visits a segment's batches (whole), yielding every SLICE_BYTES and at its end; returns false, having stopped, when `intact` says
 * the log changed under it during a yield.
 */
function* eachBatch(seg: Segment, space: WalkSpace, intact: () => boolean, fn: (buf: Buffer, at: number, header: BatchHeader) => void): Generator<void, boolean> {
  let from = 0;
  for (;;) {
    let budget = SLICE_BYTES;
    let next = from;
    const end = seg.walk(from, false, ({ buf, at, header }) => {
      fn(buf, at, header);
      next = header.position + header.size;
      budget -= header.size;
      return budget > 0;
    }, true, space);
    if (end.error) throw new Error(`segment ${seg.baseOffset} unreadable at ${end.end}: ${end.error}`);
    yield; // also after each segment, however small
    if (!intact()) return false;
    if (next >= seg.size || budget > 0) return true;
    from = next;
  }
}
