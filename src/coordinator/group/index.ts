/** The group coordinator, and how the broker builds one from its settings. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { BrokerConfig } from '../../config.js';
import type { KeyValueLog } from '../../log/key-value-log.js';
import type { TopicStore } from '../../metadata/topics.js';
import { GroupCoordinator, type GroupSettings } from './coordinator.js';

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
  };
}

/** A coordinator over `log` for a broker: its settings, logger and topic catalogue. */
export function createGroupCoordinator(broker: { config: BrokerConfig; logger: Logger; topics: TopicStore; clock: Clock }, log: KeyValueLog): GroupCoordinator {
  return new GroupCoordinator({
    log,
    logger: broker.logger,
    clock: broker.clock,
    settings: groupSettings(broker.config),
    partitionExists: (topic, partition) => {
      const meta = broker.topics.get(topic);
      return meta !== undefined && partition >= 0 && partition < meta.partitions;
    },
  });
}

/** Kafka shows a member's host as "/address"; connections know "address:port". */
export function memberHost(clientHost: string): string {
  const colon = clientHost.lastIndexOf(':');
  return `/${colon > 0 ? clientHost.slice(0, colon) : clientHost}`;
}
