/** The group coordinator, and how the broker builds one from its settings. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { BrokerConfig } from '../../config.js';
import type { KeyValueLog } from '../../log/key-value-log.js';
import type { TopicStore } from '../../metadata/topics.js';
import { GroupCoordinator, type GroupSettings } from './coordinator.js';
import type { ConsumerGroupSettings } from './consumer-coordinator.js';

export { GroupCoordinator, DEFAULT_GROUP_SETTINGS } from './coordinator.js';
export type { GroupSettings, GroupDependencies, JoinGroupParams, SyncGroupParams, MemberRef, OffsetCommitParams, CommittedOffset } from './coordinator.js';
export type { GroupState, JoinResult, SyncResult, Protocol } from './group.js';

/** The broker's group settings (`group.*`, `offsets.retention.minutes`), read once at start. */
export function groupSettings(config: BrokerConfig): Partial<GroupSettings> {
  const retentionMs = config.int('offsets.retention.minutes') * 60_000;
  return {
    initialRebalanceDelayMs: config.int('group.initial.rebalance.delay.ms'),
    minSessionTimeoutMs: config.int('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: config.int('group.max.session.timeout.ms'),
    offsetsRetentionMs: retentionMs,
    // Kafka checks every 10 minutes; a shorter retention (tests) is checked as often as it could expire something.
    offsetsRetentionCheckIntervalMs: Math.max(1000, Math.min(600_000, retentionMs)),
    consumer: consumerGroupSettings(config),
  };
}

/** Kafka's assignor class names stand for our assignors of the same kind. */
const ASSIGNOR_CLASSES: Record<string, string> = {
  'org.apache.kafka.coordinator.group.assignor.UniformAssignor': 'uniform',
  'org.apache.kafka.coordinator.group.assignor.RangeAssignor': 'range',
};

/**
 * `group.consumer.*`; the timeouts are kept within their min/max settings, as Kafka's checks at start require.
 * Unknown assignor names are left out (with none left: uniform, range).
 */
export function consumerGroupSettings(config: BrokerConfig): ConsumerGroupSettings {
  const clamp = (name: string, lo: string, hi: string) => Math.min(Math.max(config.int(name), config.int(lo)), config.int(hi));
  const assignors = config.get('group.consumer.assignors').split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => ASSIGNOR_CLASSES[s] ?? s).filter((s) => s === 'uniform' || s === 'range');
  return {
    sessionTimeoutMs: clamp('group.consumer.session.timeout.ms', 'group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms'),
    heartbeatIntervalMs: clamp('group.consumer.heartbeat.interval.ms', 'group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms'),
    assignors: assignors.length > 0 ? [...new Set(assignors)] : ['uniform', 'range'],
    maxSize: config.int('group.consumer.max.size'),
  };
}

/** A coordinator over `log` for a broker: its settings, logger and topic catalogue. */
export function createGroupCoordinator(broker: {
  config: BrokerConfig; logger: Logger; topics: TopicStore; clock: Clock;
  /** Made after the group coordinator: asked on use. */
  readonly shares?: { groupConfigs(groupId: string): ReadonlyMap<string, string> };
}, log: KeyValueLog): GroupCoordinator {
  return new GroupCoordinator({
    log,
    logger: broker.logger,
    clock: broker.clock,
    settings: groupSettings(broker.config),
    partitionExists: (topic, partition) => {
      const meta = broker.topics.get(topic);
      return meta !== undefined && partition >= 0 && partition < meta.partitions;
    },
    topics: { byName: (name) => broker.topics.get(name), byId: (id) => broker.topics.getById(id), all: () => broker.topics.list() },
    groupConfig: (groupId, name) => broker.shares?.groupConfigs(groupId).get(name),
  });
}

/** Kafka shows a member's host as "/address"; connections know "address:port". */
export function memberHost(clientHost: string): string {
  const colon = clientHost.lastIndexOf(':');
  return `/${colon > 0 ? clientHost.slice(0, colon) : clientHost}`;
}
