/** The share coordinator (KIP-932), and how the broker builds one from its settings. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { BrokerConfig } from '../../config.js';
import type { KeyValueLog } from '../../log/key-value-log.js';
import type { PartitionLog } from '../../log/index.js';
import type { TopicStore } from '../../metadata/topics.js';
import { ShareCoordinator, type ShareSettings } from './coordinator.js';

export { ShareCoordinator, ShareGroup, ShareMember } from './coordinator.js';
export { GROUP_CONFIGS, SETTABLE_GROUP_CONFIGS } from './configs.js';
export type { ShareSettings, AcquireResult } from './coordinator.js';
export { AcknowledgeType } from './share-partition.js';

/** The broker's `group.share.*` settings, read on use (they may change at run time). */
export function shareSettings(config: BrokerConfig): ShareSettings {
  return {
    lockDurationMs: config.int('group.share.record.lock.duration.ms'),
    deliveryCountLimit: config.int('group.share.delivery.count.limit'),
    maxInFlight: config.int('group.share.partition.max.record.locks'),
    sessionTimeoutMs: config.int('group.share.session.timeout.ms'),
    heartbeatIntervalMs: config.int('group.share.heartbeat.interval.ms'),
    maxGroupSize: config.int('group.share.max.size'),
    maxSessions: config.int('group.share.max.share.sessions'),
  };
}

export function createShareCoordinator(broker: {
  config: BrokerConfig; logger: Logger; topics: TopicStore; clock: Clock;
  partition(topic: string, partition: number): PartitionLog | undefined;
  groups: { groupIds(): string[] };
}, log: KeyValueLog): ShareCoordinator {
  return new ShareCoordinator({
    log,
    logger: broker.logger,
    clock: broker.clock,
    settings: () => shareSettings(broker.config),
    topics: broker.topics,
    partitionLog: (topic, partition) => broker.partition(topic, partition),
    otherGroupExists: (groupId) => broker.groups.groupIds().includes(groupId),
  });
}
