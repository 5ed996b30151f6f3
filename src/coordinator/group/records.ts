/**
 * The records the group coordinator keeps in `__consumer_offsets`, in Kafka's own binary layout, so the topic reads
 * the same as a Kafka broker's (e.g. with kafka-console-consumer's offsets formatter):
 *
 *   key v0/v1  (offset commit)   int16 version, group, topic, int32 partition
 *   key v2     (group metadata)  int16 version, group
 *   keys v3-8, 16: consumer-group (KIP-848) records, see consumer-records.ts
 *   offset value v1: offset, metadata, commit timestamp, expire timestamp   (written when a v2-4 commit sets a retention)
 *   offset value v3: offset, leader epoch, metadata, commit timestamp       (written otherwise; v0/v2 are read too)
 *   group value  v3: protocol type, generation, protocol?, leader?, state timestamp, members[] (v0-v2 are read too)
 * A null value is a tombstone. Strings are int16-length, bytes int32-length (never flexible here).
 */
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { type ConsumerKey, decodeConsumerKey } from './consumer-records.js';

export interface OffsetKey { kind: 'offset'; group: string; topic: string; partition: number }
export interface GroupKey { kind: 'group'; group: string }
export type RecordKey = OffsetKey | GroupKey | ConsumerKey;

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Set only by an explicit retention time (OffsetCommit v2-4); -1 otherwise. */
  expireTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's selected protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  return new Writer(32 + group.length + topic.length).int16(1).string(group, false).string(topic, false).int32(partition).toBuffer();
}

export function encodeGroupKey(group: string): Buffer {
  return new Writer(8 + group.length).int16(2).string(group, false).toBuffer();
}

/** Decodes a key; null for versions this broker does not know (skipped on replay, as a newer broker's records). */
export function decodeKey(buf: Buffer): RecordKey | null {
  const r = new Reader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) return { kind: 'offset', group: r.string(false), topic: r.string(false), partition: r.int32() };
  if (version === 2) return { kind: 'group', group: r.string(false) };
  return decodeConsumerKey(version, r);
}

export function encodeOffsetValue(v: OffsetValue): Buffer {
  const w = new Writer(64 + v.metadata.length);
  if (v.expireTimestamp >= 0) {
    w.int16(1).int64(v.offset).string(v.metadata, false).int64(v.commitTimestamp).int64(v.expireTimestamp);
  } else {
    w.int16(3).int64(v.offset).int32(v.leaderEpoch).string(v.metadata, false).int64(v.commitTimestamp);
  }
  return w.toBuffer();
}

export function decodeOffsetValue(buf: Buffer): OffsetValue {
  const r = new Reader(buf);
  const version = r.int16();
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string(false);
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : -1;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupValue(v: GroupValue): Buffer {
  const w = new Writer(256);
  w.int16(3).string(v.protocolType, false).int32(v.generationId).nullableString(v.protocolName, false)
    .nullableString(v.leaderId, false).int64(v.currentStateTimestamp);
  w.array(v.members, false, (m) => {
    w.string(m.memberId, false).nullableString(m.groupInstanceId, false).string(m.clientId, false).string(m.clientHost, false)
      .int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).bytes(m.subscription, false).bytes(m.assignment, false);
  });
  return w.toBuffer();
}

export function decodeGroupValue(buf: Buffer): GroupValue {
  const r = new Reader(buf);
  const version = r.int16();
  const protocolType = r.string(false);
  const generationId = r.int32();
  const protocolName = r.nullableString(false);
  const leaderId = r.nullableString(false);
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const members = r.array(false, () => {
    const memberId = r.string(false);
    const groupInstanceId = version >= 3 ? r.nullableString(false) : null;
    const clientId = r.string(false);
    const clientHost = r.string(false);
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : null;
    const sessionTimeoutMs = r.int32();
    // v0 had no rebalance timeout: it was the session timeout then.
    return { memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs ?? sessionTimeoutMs, sessionTimeoutMs, subscription: r.bytes(false), assignment: r.bytes(false) };
  });
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
}

/**
 * The topics of a consumer-protocol subscription (int16 version, [string] topics, ...), or null when the bytes are
 * not one. The broker treats member metadata as opaque except here: OffsetDelete must refuse subscribed topics.
 */
export function subscribedTopics(subscription: Buffer): string[] | null {
  try {
    const r = new Reader(subscription);
    if (r.int16() < 0) return null;
    return r.array(false, () => r.string(false));
  } catch {
    return null;
  }
}
