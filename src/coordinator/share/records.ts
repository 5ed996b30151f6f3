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
 * Samsa also keeps here, under key types of its own that a Kafka reader skips, a share group's configs (Kafka keeps
 * them in its metadata log) and its membership (Kafka writes ShareGroup* records to __consumer_offsets):
 *   key   int16 100, string group
 *   value int16 0, [string name, string value]
 *   key   int16 101, string group
 *   value int16 0, int32 group epoch, int32 assignment epoch,
 *         [string member id, int32 member epoch, string client id, string client host, string? rack id, [string] topics]
 */
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { StateBatch } from './share-partition.js';

export interface SnapshotKey { group: string; topicId: Buffer; partition: number }
export interface SnapshotValue { snapshotEpoch: number; stateEpoch: number; leaderEpoch: number; startOffset: number; batches: StateBatch[] }

const SNAPSHOT_KEY = 0;
const GROUP_CONFIG_KEY = 100;

const GROUP_MEMBERS_KEY = 101;

export type StateKey = ({ kind: 'snapshot' } & SnapshotKey) | { kind: 'config'; group: string } | { kind: 'members'; group: string };

export interface StoredShareMember { memberId: string; memberEpoch: number; clientId: string; clientHost: string; rackId: string | null; subscribedTopics: string[] }
export interface MembersValue { groupEpoch: number; assignmentEpoch: number; members: StoredShareMember[] }

export function encodeSnapshotKey(k: SnapshotKey): Buffer {
  return new Writer(32 + k.group.length).int16(SNAPSHOT_KEY).string(k.group, false).uuid(k.topicId).int32(k.partition).toBuffer();
}

/** The key, or null for a record type this broker does not know (Kafka's ShareUpdate, skipped on replay). */
export function decodeKey(buf: Buffer): StateKey | null {
  const r = new Reader(buf);
  const type = r.int16();
  if (type === SNAPSHOT_KEY) return { kind: 'snapshot', group: r.string(false), topicId: Buffer.from(r.uuid()), partition: r.int32() };
  if (type === GROUP_CONFIG_KEY) return { kind: 'config', group: r.string(false) };
  if (type === GROUP_MEMBERS_KEY) return { kind: 'members', group: r.string(false) };
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

export function encodeMembersKey(group: string): Buffer {
  return new Writer(8 + group.length).int16(GROUP_MEMBERS_KEY).string(group, false).toBuffer();
}

export function encodeMembersValue(v: MembersValue): Buffer {
  const w = new Writer(128);
  w.int16(0).int32(v.groupEpoch).int32(v.assignmentEpoch);
  w.array(v.members, false, (m) => {
    w.string(m.memberId, false).int32(m.memberEpoch).string(m.clientId, false).string(m.clientHost, false).nullableString(m.rackId, false);
    w.array(m.subscribedTopics, false, (t) => w.string(t, false));
  });
  return w.toBuffer();
}

export function decodeMembersValue(buf: Buffer): MembersValue {
  const r = new Reader(buf);
  r.int16();
  const groupEpoch = r.int32();
  const assignmentEpoch = r.int32();
  const members = r.array(false, () => ({
    memberId: r.string(false), memberEpoch: r.int32(), clientId: r.string(false), clientHost: r.string(false), rackId: r.nullableString(false),
    subscribedTopics: r.array(false, () => r.string(false)),
  }));
  return { groupEpoch, assignmentEpoch, members };
}
