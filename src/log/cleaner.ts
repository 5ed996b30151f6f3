/** Log compaction (cleanup.policy=compact). */
import type { PartitionLog } from './partition-log.js';

export interface CompactionStats { segments: number; bytesBefore: number; bytesAfter: number; recordsRemoved: number }

export function compact(_log: PartitionLog, _now: number): CompactionStats | null {
  return null;
}
