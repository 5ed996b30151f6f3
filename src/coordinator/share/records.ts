/**
 * The records the share coordinator keeps in `__share_group_state`, after Kafka's ShareSnapshot records (key type 0:
 * group, topic id, partition; value: epochs, the share-partition start offset and the in-flight state batches).
 * Kafka also writes ShareUpdate deltas between snapshots; we always write a whole snapshot (the in-flight window is
 * bounded by group.share.partition.max.record.locks), so replay keeps the last one per key. A null value (tombstone)
 * deletes a share-partition's state (its group or topic deleted).
 *
 *   key   int16 0, string group, uuid topic id, int32 partition
 *   value int16 0, int32 snapshot epoch, int32 state epoch, int32 leader epoch, int64 start offset,
 *         [int64 first offset, int64 last offset, int8 delivery state, int16 delivery count]
 * Strings are int16-length, arrays int32-length.
 *
 * Samsa also keeps a share group's configs here (Kafka keeps group configs in its metadata log), under its own key
 * type, which a Kafka reader skips:
 *   key   int16 100, string group
 *   value int16 0, [string name, string value]
 */
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { StateBatch } from './share-partition.js';

export interface SnapshotKey { group: string; topicId: Buffer; partition: number }
export interface SnapshotValue { snapshotEpoch: number; stateEpoch: number; leaderEpoch: number; startOffset: number; batches: StateBatch[] }

const SNAPSHOT_KEY = 0;
const GROUP_CONFIG_KEY = 100;

export type StateKey = ({ kind: 'snapshot' } & SnapshotKey) | { kind: 'config'; group: string };

export function encodeSnapshotKey(k: SnapshotKey): Buffer {
  return new Writer(32 + k.group.length).int16(SNAPSHOT_KEY).string(k.group, false).uuid(k.topicId).int32(k.partition).toBuffer();
}

/** The key, or null for a record type this broker does not know (Kafka's ShareUpdate, skipped on replay). */
export function decodeKey(buf: Buffer): StateKey | null {
  const r = new Reader(buf);
  const type = r.int16();
  if (type === SNAPSHOT_KEY) return { kind: 'snapshot', group: r.string(false), topicId: Buffer.from(r.uuid()), partition: r.int32() };
  if (type === GROUP_CONFIG_KEY) return { kind: 'config', group: r.string(false) };
  return null;
}

export function encodeGroupConfigKey(group: string): Buffer {
  return new Writer(8 + group.length).int16(GROUP_CONFIG_KEY).string(group, false).toBuffer();
}

export function encodeGroupConfigValue(configs: ReadonlyMap<string, string>): Buffer {
  const w = new Writer(64);
  w.int16(0).array([...configs], false, ([name, value]) => w.string(name, false).string(value, false));
  return w.toBuffer();
}

export function decodeGroupConfigValue(buf: Buffer): Map<string, string> {
  const r = new Reader(buf);
  r.int16();
  return new Map(r.array(false, () => [r.string(false), r.string(false)] as [string, string]));
}

export function encodeSnapshotValue(v: SnapshotValue): Buffer {
  const w = new Writer(32 + v.batches.length * 19);
  w.int16(0).int32(v.snapshotEpoch).int32(v.stateEpoch).int32(v.leaderEpoch).int64(v.startOffset);
  w.array(v.batches, false, (b) => w.int64(b.firstOffset).int64(b.lastOffset).int8(b.deliveryState).int16(b.deliveryCount));
  return w.toBuffer();
}

export function decodeSnapshotValue(buf: Buffer): SnapshotValue {
  const r = new Reader(buf);
  r.int16();
  const snapshotEpoch = r.int32();
  const stateEpoch = r.int32();
  const leaderEpoch = r.int32();
  const startOffset = r.int64();
  const batches = r.array(false, () => ({ firstOffset: r.int64(), lastOffset: r.int64(), deliveryState: r.int8(), deliveryCount: r.int16() }));
  return { snapshotEpoch, stateEpoch, leaderEpoch, startOffset, batches };
}
