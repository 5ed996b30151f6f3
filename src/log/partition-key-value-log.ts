/**
 * KeyValueLog over a partition log: internal topics (`__consumer_offsets`, `_schemas`, `__transaction_state`) are
 * stored in the same batch format as any topic, so they recover and compact the same way.
 */
import { decodeBatch, encodeBatch } from '../protocol/record-batch.js';
import type { KeyValueLog, KeyValueRecord } from './key-value-log.js';
import type { PartitionLog } from './partition-log.js';

export class PartitionKeyValueLog implements KeyValueLog {
  constructor(private readonly log: PartitionLog) {}

  async append(records: KeyValueRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.log.appendInternal(encodeBatch(records.map((r) => ({ key: r.key, value: r.value }))));
    await this.log.flushed();
  }

  /** Rolls, then moves the log start to the end: every segment goes, offsets keep counting up. */
  clear(): void {
    this.log.roll();
    this.log.deleteRecordsBefore(this.log.logEndOffset);
  }

  *replay(): Iterable<KeyValueRecord> {
    for (const seg of this.log.segments) {
      const batch: KeyValueRecord[] = [];
      seg.walk(0, false, ({ header, buf, at }) => {
        if (header.isControl) return;
        for (const r of decodeBatch(buf, at).records) {
          if (r.key && r.offset >= this.log.logStartOffset) batch.push({ key: Buffer.from(r.key), value: r.value && Buffer.from(r.value) }); // walk buffers are reused
        }
      }, true);
      yield* batch;
    }
  }
}
