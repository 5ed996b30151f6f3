/**
 * Consumer group lag, as Kafka's tools compute it (kafka-consumer-groups --describe): per partition the group
 * committed an offset for, the partition's high watermark minus that offset, never below 0; the member whose
 * assignment holds the partition, when one does (decoded from the consumer protocol's assignment).
 */
import type { Broker } from '../broker.js';
import { Reader } from '../protocol/reader.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  committed: number;
  logEndOffset: number;
  lag: number;
  consumerId: string | null;
  instanceId: string | null;
  clientId: string | null;
}

/** Topic-partitions of a consumer-protocol assignment (int16 version, [topic [partition]], user data), or [] when the bytes are not one. */
export function assignedPartitions(assignment: Buffer): Array<{ topic: string; partition: number }> {
  if (assignment.length < 2) return [];
  try {
    const r = new Reader(assignment);
    if (r.int16() < 0) return [];
    return r.array(false, () => {
      const topic = r.string(false);
      return r.array(false, () => r.int32()).map((partition) => ({ topic, partition }));
    }).flat();
  } catch {
    return [];
  }
}

export interface GroupMember {
  memberId: string;
  /** A consumer (KIP-848) group member's group.instance.id; null in classic groups (as before). */
  instanceId: string | null;
  clientId: string;
  partitions: Array<{ topic: string; partition: number }>;
}

/**
 * The members of a classic or consumer (KIP-848) group with their assigned partitions: a classic group's decoded from
 * the consumer protocol's assignment bytes, a consumer group's as the broker assigned them (ConsumerGroupDescribe).
 */
export function groupMembers(broker: Broker, groupId: string): GroupMember[] {
  if (broker.groups.groupType(groupId) === 'consumer') {
    return broker.groups.consumerGroupDescribe(groupId).members.map((m) => ({
      memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId,
      partitions: m.assignment.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topicName, partition }))),
    }));
  }
  return broker.groups.describeGroup(groupId).members.map((m) => ({ memberId: m.memberId, instanceId: null, clientId: m.clientId, partitions: assignedPartitions(m.memberAssignment) }));
}

/** Lag of every partition of `group` with a committed offset (of every group when none is named), by topic then partition. */
export function consumerGroupLags(broker: Broker, group?: string): PartitionLag[] {
  const lags: PartitionLag[] = [];
  const groups = group === undefined ? broker.groups.listGroups().map((g) => g.groupId) : [group];
  for (const groupId of groups) {
    const owners = new Map<string, GroupMember>();
    for (const m of groupMembers(broker, groupId)) for (const tp of m.partitions) owners.set(`${tp.topic}\0${tp.partition}`, m);
    const committed = broker.groups.offsetFetch(groupId, null).topics;
    for (const t of [...committed].sort((a, b) => a.name.localeCompare(b.name))) {
      for (const p of [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
        const log = broker.partition(t.name, p.partitionIndex);
        if (!log || p.committedOffset < 0) continue;
        const owner = owners.get(`${t.name}\0${p.partitionIndex}`);
        const logEndOffset = log.highWatermark;
        lags.push({
          group: groupId, topic: t.name, partition: p.partitionIndex, committed: p.committedOffset, logEndOffset,
          lag: Math.max(0, logEndOffset - p.committedOffset),
          consumerId: owner?.memberId ?? null, instanceId: owner?.instanceId ?? null, clientId: owner?.clientId ?? null,
        });
      }
    }
  }
  return lags;
}
