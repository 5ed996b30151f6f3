/**
 * The storage contract of the broker's internal, compacted topics (`__consumer_offsets`, `_schemas`,
 * `__transaction_state`). Coordinators and the schema registry keep their state only as records here and rebuild it
 * by replaying them on start, so recovery is replay (as Kafka's coordinator runtime does).
 *
 * The broker backs it with a partition of a real internal topic; tests of a coordinator alone may use the in-memory one.
 */
export interface KeyValueRecord {
  key: Buffer;
  /** null is a tombstone: the key is deleted once the log is compacted. */
  value: Buffer | null;
}

export interface KeyValueLog {
  /** Appends the records as one batch; resolves once they are stored as durably as the broker's mode promises. */
  append(records: KeyValueRecord[]): Promise<void>;
  /** Every record stored so far, oldest first (superseded keys may already be compacted away). */
  replay(): Iterable<KeyValueRecord>;
  /** Forgets every record at once (the test kit's reset); later appends are all `replay` returns. */
  clear?(): void;
}

export class MemoryKeyValueLog implements KeyValueLog {
  private readonly records: KeyValueRecord[] = [];

  async append(records: KeyValueRecord[]): Promise<void> {
    this.records.push(...records);
  }

  *replay(): Iterable<KeyValueRecord> {
    yield* this.records;
  }

  clear(): void {
    this.records.length = 0;
  }
}
