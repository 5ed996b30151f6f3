/**
 * The test kit's state half on the RunningBroker handle: inspection (`records`, `committedOffsets`, `groups`,
 * `topics`), waits (waits.ts), `reset()` and the clock (`clock.advance` with `clock: 'manual'`).
 *
 * reset() returns the cluster to a fresh broker's state without restarting it, so one broker serves a whole test
 * file: every topic but the internal ones is deleted, and groups (share groups too), committed offsets, transactional ids and registry
 * schemas are forgotten (their internal logs emptied), dynamic broker configs cleared, the fault injector emptied (or
 * set back to the pass-through), then each `broker.resetHooks` entry runs (features with state of their own — stopped
 * nodes, moved coordinators, ACLs — register there how to return to a fresh broker's state).
 * Clients connected before keep their connections: long polls on deleted partitions are answered
 * UNKNOWN_TOPIC_OR_PARTITION, members waiting in a rebalance UNKNOWN_MEMBER_ID (they join again), and a producer's
 * next write auto-creates its topic or gets UNKNOWN_TOPIC_OR_PARTITION, as on a fresh broker. Producer ids and schema
 * ids keep counting up, so an id a client still holds never names something new.
 */
import type { Broker } from '../broker.js';
import { passThrough, type Interceptor } from '../server/pipeline.js';
import { testClock, type TestClock } from './clock.js';
import {
  committedOffsets, groupInfo, listGroups, listTopics, readRecords, shareGroupInfo,
  type CommittedOffset, type GroupInfo, type InspectedRecord, type RecordsQuery, type ShareGroupInfo, type TopicInfo,
} from './inspect.js';
import {
  waitForCommitted, waitForGroup, waitForRecords, waitForShareGroup,
  type CommittedCondition, type GroupCondition, type RecordsCondition, type ShareGroupCondition,
} from './waits.js';

export interface BrokerState {
  /** The broker's clock: `advance(ms)` when started with `clock: 'manual'` (else it throws, code SAMSA_CLOCK_NOT_MANUAL). */
  clock: TestClock;
  /** Empties the cluster (see src/testkit/state.ts); connected clients keep working. */
  reset(): Promise<void>;
  /** Resolves when the group (classic or consumer) is in `state`, has `members` members (state 'Dead': gone) and/or lags by at most `lag` on `topic`. */
  waitForGroup(groupId: string, condition?: GroupCondition): Promise<GroupInfo>;
  /** Resolves when the share group (KIP-932) is in `state`, has `members`, and/or lags by at most `lag` on `topic`. */
  waitForShareGroup(groupId: string, condition?: ShareGroupCondition): Promise<ShareGroupInfo>;
  /** Resolves when the group's committed offsets of `topic` reach `offset`, or lag by at most `lag` (e.g. 0). */
  waitForCommitted(groupId: string, topic: string, condition: CommittedCondition): Promise<CommittedOffset[]>;
  /** Resolves with the topic's records once it holds at least `count` data records. */
  waitForRecords(topic: string, count: number, condition?: RecordsCondition): Promise<InspectedRecord[]>;
  /** A topic's records decoded, markers included: every partition, or one. */
  records(topic: string, partition?: number, query?: Omit<RecordsQuery, 'partition'>): InspectedRecord[];
  committedOffsets(groupId: string): CommittedOffset[];
  group(groupId: string): GroupInfo | undefined;
  /** Every group with its type: classic, consumer (KIP-848: member epochs, target assignments) and share. */
  groups(): GroupInfo[];
  /** A share group's members, assignments and share-partitions (start/end offsets, in-flight counts, lag). */
  shareGroup(groupId: string): ShareGroupInfo | undefined;
  /** Topics other than the internal ones (or all, with `{ internal: true }`). */
  topics(options?: { internal?: boolean }): TopicInfo[];
}

/** Empties the cluster; see the comment at the top of this file. */
export async function resetCluster(broker: Broker): Promise<void> {
  // Groups first: deleting topics then has no committed offsets to tombstone.
  await broker.groups.reset();
  await broker.shares.reset();
  await broker.transactions.reset();
  for (const topic of broker.topics.list()) if (!topic.internal) broker.deleteTopic(topic.name);
  await broker.registry?.state.reset();
  if (broker.config.dynamic.size > 0) broker.setBrokerConfigs({}, 'per-broker');
  if (broker.config.dynamicDefault.size > 0) broker.setBrokerConfigs({}, 'cluster-wide');
  // A fault injector that can empty itself (`clear`, or `reset`) keeps its place in the pipeline; any other goes.
  const faults = broker.faults as Interceptor & { clear?: () => void; reset?: () => void | Promise<void> };
  if (typeof faults.reset === 'function') await faults.reset();
  else if (typeof faults.clear === 'function') faults.clear();
  else broker.faults = passThrough;
  for (const hook of broker.resetHooks) await hook();
}

export function brokerState(broker: Broker): BrokerState {
  let resetting: Promise<void> = Promise.resolve();
  return {
    clock: testClock(broker.clock),
    reset: () => (resetting = resetting.catch(() => {}).then(() => resetCluster(broker))),
    waitForGroup: (groupId, condition) => waitForGroup(broker, groupId, condition),
    waitForCommitted: (groupId, topic, condition) => waitForCommitted(broker, groupId, topic, condition),
    waitForRecords: (topic, count, condition) => waitForRecords(broker, topic, count, condition),
    waitForShareGroup: (groupId, condition) => waitForShareGroup(broker, groupId, condition),
    records: (topic, partition, query) => readRecords(broker, topic, { ...query, partition }),
    committedOffsets: (groupId) => committedOffsets(broker, groupId),
    group: (groupId) => groupInfo(broker, groupId),
    groups: () => listGroups(broker),
    shareGroup: (groupId) => shareGroupInfo(broker, groupId),
    topics: (options) => listTopics(broker, options?.internal),
  };
}
