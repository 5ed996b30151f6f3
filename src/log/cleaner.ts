/**
 * Log compaction (cleanup.policy=compact): keeps the latest record per key in closed segments.
 *
 * One pass: (1) the cleanable range is the closed segments older than min.compaction.lag.ms and below the last
 * stable offset; (2) skip unless the dirty part (beyond the cleaner checkpoint) is at least min.cleanable.dirty.ratio
 * of it; (3) map each key of the dirty part to its last offset; (4) rewrite each cleanable segment keeping a record
 * unless a later offset holds its key, dropping tombstones older than delete.retention.ms. A batch that keeps all
 * its records is copied byte for byte; one that loses some is re-encoded with its own codec, base offset, last
 * offset delta and timestamps (offsets never move: gaps are allowed). Segments are written beside the old file and
 * renamed over it, so a crash leaves either the old or the new one.
 *
 * Transactional data and markers are kept whole and their keys do not supersede older records: whether a
 * transaction committed is known only from its marker, and keeping them is always correct.
 */
import { decodeBatch, encodeBatch, type BatchHeader, type DecodedRecord } from '../protocol/record-batch.js';
import type { PartitionLog } from './partition-log.js';
import { segmentName, type Segment } from './segment.js';

export interface CompactionStats { segments: number; bytesBefore: number; bytesAfter: number; recordsRemoved: number }

const keyOf = (r: DecodedRecord): string | null => (r.key ? r.key.toString('latin1') : null);

/** Runs one cleaning pass when due; returns what it did, or null when there was nothing (or not enough) to clean. */
export function compact(log: PartitionLog, now: number, force = false): CompactionStats | null {
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
  if (!force && totalBytes > 0 && dirtyBytes / totalBytes < cfg.minCleanableDirtyRatio) return null;

  // Latest offset of every key in the dirty part.
  const latest = new Map<string, number>();
  for (const seg of dirty) {
    eachBatch(seg, (buf, at, header) => {
      if (header.isTransactional || header.isControl) return;
      for (const r of decodeBatch(buf, at).records) {
        const k = keyOf(r);
        if (k !== null) latest.set(k, r.offset);
      }
    });
  }

  // Recorded first: the rewritten segments have gaps, which recovery accepts only below this offset.
  log.setCleanedTo(log.segments[cleanable].baseOffset);
  const horizon = now - cfg.deleteRetentionMs;
  const stats: CompactionStats = { segments: 0, bytesBefore: totalBytes, bytesAfter: 0, recordsRemoved: 0 };
  for (let i = 0; i < range.length; i++) {
    const seg = log.segments[i];
    const name = `${segmentName(seg.baseOffset, '.log')}.cleaned`;
    log.dir.remove(name);
    const out = log.dir.open(name);
    let changed = false;
    try {
      eachBatch(seg, (buf, at, header) => {
        const whole = buf.subarray(at, at + header.size);
        if (header.isTransactional || header.isControl) {
          out.append(whole);
          return;
        }
        const records = decodeBatch(buf, at).records;
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
    } catch (err) {
      out.close();
      log.dir.remove(name);
      throw err;
    }
    out.close();
    if (!changed) {
      log.dir.remove(name);
      stats.bytesAfter += seg.size;
      continue;
    }
    stats.segments++;
    stats.bytesAfter += log.replaceSegment(i, name).size;
  }
  for (let i = range.length - 1; i > 0; i--) log.dropEmptySegment(i);
  if (stats.segments > 0) log.rebuildProducerState();
  return stats;
}

function eachBatch(seg: Segment, fn: (buf: Buffer, at: number, header: BatchHeader) => void): void {
  const end = seg.walk(0, false, ({ buf, at, header }) => fn(buf, at, header), true);
  if (end.error) throw new Error(`segment ${seg.baseOffset} unreadable at ${end.end}: ${end.error}`);
}
