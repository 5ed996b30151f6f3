/**
 * The consumer-group (KIP-848) records in `__consumer_offsets`, in Kafka's layout: the key's int16 version is the
 * record type, then non-flexible strings; the value is an int16 version (0) then a flexible (compact, tagged) struct.
 *
 *   3 ConsumerGroupMetadata              key group            value epoch, tag 0: metadata hash (4.1)
 *   5 ConsumerGroupMemberMetadata        key group, member    value instance?, rack?, client id, client host,
 *                                                                   topics[], regex?, rebalance timeout, assignor?
 *   6 ConsumerGroupTargetAssignmentMetadata  key group        value assignment epoch
 *   7 ConsumerGroupTargetAssignmentMember    key group, member value [topic id, partitions[]]
 *   8 ConsumerGroupCurrentMemberAssignment   key group, member value epoch, previous epoch, state, assigned[], pending revocation[]
 * Type 4 (partition metadata, before 4.1) and 16 (resolved regular expressions) are read and skipped: this broker
 * resolves subscriptions from the topic catalogue when it assigns. A null value is a tombstone.
 */
import type { KeyValueRecord } from '../../log/key-value-log.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { type Assignment, ConsumerMember, toAssignment } from './consumer-group.js';

export const RecordType = { GROUP: 3, PARTITION_METADATA: 4, MEMBER: 5, TARGET_EPOCH: 6, TARGET_MEMBER: 7, CURRENT_MEMBER: 8, REGEX: 16 } as const;
const WITH_MEMBER = new Set<number>([RecordType.MEMBER, RecordType.TARGET_MEMBER, RecordType.CURRENT_MEMBER]);

export interface ConsumerKey { kind: 'consumer'; type: number; group: string; member: string | null }

/** The key of a consumer-group record type (3-8, 16), or null for any other version. */
export function decodeConsumerKey(version: number, r: Reader): ConsumerKey | null {
  if (!((version >= 3 && version <= 8) || version === RecordType.REGEX)) return null;
  const group = r.string(false);
  return { kind: 'consumer', type: version, group, member: WITH_MEMBER.has(version) ? r.string(false) : null };
}

function key(type: number, group: string, member?: string): Buffer {
  const w = new Writer(16 + group.length + (member?.length ?? 0)).int16(type).string(group, false);
  if (member !== undefined) w.string(member, false);
  return w.toBuffer();
}

function writeAssignment(w: Writer, a: Assignment): void {
  w.array([...a], true, ([t, ps]) => {
    w.uuid(Buffer.from(t, 'hex')).array(ps, true, (p) => w.int32(p)).taggedFields();
  });
}

function readAssignment(r: Reader): Assignment {
  const entries = r.array(true, () => {
    const t = r.uuid().toString('hex');
    const ps = r.array(true, () => r.int32());
    r.taggedFields();
    return [t, ps] as [string, number[]];
  });
  return toAssignment(entries);
}

/** A value: int16 version 0, the struct, its tagged fields. */
function value(body: (w: Writer) => void, tags: Array<[number, (w: Writer) => void]> = []): Buffer {
  const w = new Writer(128).int16(0);
  body(w);
  return w.taggedFields(tags).toBuffer();
}

export function groupMetadataRecord(group: string, epoch: number, metadataHash: number): KeyValueRecord {
  return { key: key(RecordType.GROUP, group), value: value((w) => w.int32(epoch), [[0, (w) => w.int64(metadataHash)]]) };
}

export function targetEpochRecord(group: string, epoch: number): KeyValueRecord {
  return { key: key(RecordType.TARGET_EPOCH, group), value: value((w) => w.int32(epoch)) };
}

export function memberMetadataRecord(group: string, m: ConsumerMember): KeyValueRecord {
  return {
    key: key(RecordType.MEMBER, group, m.memberId),
    value: value((w) => {
      w.nullableString(m.instanceId, true).nullableString(m.rackId, true).string(m.clientId, true).string(m.clientHost, true)
        .array(m.subscribedTopicNames, true, (t) => w.string(t, true)).nullableString(m.subscribedTopicRegex, true)
        .int32(m.rebalanceTimeoutMs).nullableString(m.serverAssignor, true);
    }),
  };
}

export function targetMemberRecord(group: string, memberId: string, a: Assignment): KeyValueRecord {
  return { key: key(RecordType.TARGET_MEMBER, group, memberId), value: value((w) => writeAssignment(w, a)) };
}

export function currentMemberRecord(group: string, m: ConsumerMember): KeyValueRecord {
  return {
    key: key(RecordType.CURRENT_MEMBER, group, m.memberId),
    value: value((w) => {
      w.int32(m.memberEpoch).int32(m.previousMemberEpoch).int8(m.state);
      writeAssignment(w, m.assigned);
      writeAssignment(w, m.pendingRevocation);
    }),
  };
}

/** The tombstones that remove a member: current assignment, target, metadata (Kafka's order). */
export function memberTombstones(group: string, memberId: string): KeyValueRecord[] {
  return [RecordType.CURRENT_MEMBER, RecordType.TARGET_MEMBER, RecordType.MEMBER].map((t) => ({ key: key(t, group, memberId), value: null }));
}

/** The tombstones that remove an empty group's consumer records. */
export function groupTombstones(group: string): KeyValueRecord[] {
  return [RecordType.TARGET_EPOCH, RecordType.GROUP].map((t) => ({ key: key(t, group), value: null }));
}

export type ConsumerValue =
  | { type: 3; epoch: number; metadataHash: number }
  | { type: 5; member: Omit<ConsumerMember, 'memberId' | 'copy' | 'sameMetadata' | 'sameSubscription' | 'sameCurrentAssignment' | 'memberEpoch' | 'previousMemberEpoch' | 'state' | 'assigned' | 'pendingRevocation'> }
  | { type: 6; epoch: number }
  | { type: 7; assignment: Assignment }
  | { type: 8; memberEpoch: number; previousMemberEpoch: number; state: number; assigned: Assignment; pendingRevocation: Assignment }
  | { type: 0 };

export function decodeConsumerValue(type: number, buf: Buffer): ConsumerValue {
  const r = new Reader(buf);
  r.int16();
  switch (type) {
    case RecordType.GROUP: {
      const epoch = r.int32();
      let metadataHash = 0;
      r.taggedFields((tag) => {
        if (tag !== 0) return false;
        metadataHash = r.int64();
        return true;
      });
      return { type: 3, epoch, metadataHash };
    }
    case RecordType.MEMBER: {
      const instanceId = r.nullableString(true);
      const rackId = r.nullableString(true);
      const clientId = r.string(true);
      const clientHost = r.string(true);
      const subscribedTopicNames = r.array(true, () => r.string(true));
      const subscribedTopicRegex = r.nullableString(true);
      const rebalanceTimeoutMs = r.int32();
      const serverAssignor = r.nullableString(true);
      return { type: 5, member: { instanceId, rackId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor } };
    }
    case RecordType.TARGET_EPOCH:
      return { type: 6, epoch: r.int32() };
    case RecordType.TARGET_MEMBER:
      return { type: 7, assignment: readAssignment(r) };
    case RecordType.CURRENT_MEMBER: {
      const memberEpoch = r.int32();
      const previousMemberEpoch = r.int32();
      const state = r.int8();
      return { type: 8, memberEpoch, previousMemberEpoch, state, assigned: readAssignment(r), pendingRevocation: readAssignment(r) };
    }
    default:
      return { type: 0 };
  }
}
