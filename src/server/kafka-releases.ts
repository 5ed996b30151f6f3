/**
 * What each emulated Kafka release's broker answers in ApiVersions (`kafka.version`), and the few behaviours that
 * differ between them. Data only; the router intersects these ranges with what our handlers serve.
 *
 * Sources (read at each tag of github:apache/kafka, clients/src/main/resources/common/message/*Request.json):
 * - 2.4: tag 2.4.0, every request's validVersions (a ZooKeeper broker answered with every ApiKeys entry).
 * - 2.8: tag 2.8.0, requests whose "listeners" include zkBroker (2.8's KRaft mode was an early-access preview).
 * - 3.9: branch 3.9 (3.9.0), requests whose "listeners" include broker (a KRaft broker), without the versions marked
 *   latestVersionUnstable (unstable.api.versions.enable=false) and without GetTelemetrySubscriptions/PushTelemetry
 *   (71/72), which ApiVersionsResponse.collectApis leaves out unless a client-telemetry receiver is configured.
 * - 4.1: the 4.1 KRaft broker as recorded in franz-go's pkg/kversion (b41: 4.0's KIP-896 removals, 4.1's JoinGroup
 *   v0-1 restored by KAFKA-19444, ...), 71/72 left out as for 3.9. Produce is advertised from v0 although v0-2 are
 *   refused (KAFKA-18659: librdkafka would not send compressed batches otherwise), hence `acceptedMin`.
 *   ShareGroupHeartbeat/ShareGroupDescribe/ShareFetch/ShareAcknowledge (76-79) are 1-1, not kversion's 0-1: their 4.1
 *   specs say "Version 0 was used for early access of KIP-932 in Apache Kafka 4.0 but removed in Apache Kafka 4.1"
 *   (quoted in franz-go's generate/definitions/76_share_group_heartbeat and kmsg).
 * The 2.4, 2.8 and 3.9 tables were checked equal to franz-go's z24, z28 and b39.
 */
export const KAFKA_RELEASE_NAMES = ['2.4', '2.8', '3.9', '4.1'] as const;
export type KafkaReleaseName = (typeof KAFKA_RELEASE_NAMES)[number];

export interface KafkaRelease {
  name: KafkaReleaseName;
  /** API key → [min, max] version this release's broker advertises. */
  apis: Readonly<Record<number, readonly [number, number]>>;
  /** API key → lowest version actually served, where it is above the advertised min. */
  acceptedMin: Readonly<Record<number, number>>;
  /**
   * Topic-config defaults (by topic config name) where this release's differ from Samsa's own (Kafka 3.9's LogConfig).
   * Which topic configs the release lists at all is on their definitions (`since`, `removedIn` in metadata/configs.ts).
   */
  topicConfigDefaults: Readonly<Record<string, string>>;
  /** Topic-config validator minimums (Kafka's `atLeast`) where this release's differ from Kafka 3.9's. */
  topicConfigMinimums: Readonly<Record<string, number>>;
  /**
   * Whether the broker verifies transactional writes with the transaction coordinator (KIP-890 part 1, on by default
   * through transaction.partition.verification.enable): Produce's transactional batches since 3.6 (the partition must
   * be in the producer's ongoing transaction), TxnOffsetCommit's producer id and epoch since 3.7
   * (GroupCoordinator.handleTxnCommitOffsets). Before, both appended whatever they were given.
   */
  verifiesTransactions: boolean;
}

const API_VERSIONS: Record<KafkaReleaseName, Record<number, readonly [number, number]>> = {
  '2.4': {
    0: [0, 8], /* Produce */ 1: [0, 11], /* Fetch */ 2: [0, 5], /* ListOffsets */ 3: [0, 9], /* Metadata */
    4: [0, 4], /* LeaderAndIsr */ 5: [0, 2], /* StopReplica */ 6: [0, 6], /* UpdateMetadata */ 7: [0, 3], /* ControlledShutdown */
    8: [0, 8], /* OffsetCommit */ 9: [0, 6], /* OffsetFetch */ 10: [0, 3], /* FindCoordinator */ 11: [0, 6], /* JoinGroup */
    12: [0, 4], /* Heartbeat */ 13: [0, 4], /* LeaveGroup */ 14: [0, 4], /* SyncGroup */ 15: [0, 5], /* DescribeGroups */
    16: [0, 3], /* ListGroups */ 17: [0, 1], /* SaslHandshake */ 18: [0, 3], /* ApiVersions */ 19: [0, 5], /* CreateTopics */
    20: [0, 4], /* DeleteTopics */ 21: [0, 1], /* DeleteRecords */ 22: [0, 2], /* InitProducerId */ 23: [0, 3], /* OffsetForLeaderEpoch */
    24: [0, 1], /* AddPartitionsToTxn */ 25: [0, 1], /* AddOffsetsToTxn */ 26: [0, 1], /* EndTxn */ 27: [0, 0], /* WriteTxnMarkers */
    28: [0, 2], /* TxnOffsetCommit */ 29: [0, 1], /* DescribeAcls */ 30: [0, 1], /* CreateAcls */ 31: [0, 1], /* DeleteAcls */
    32: [0, 2], /* DescribeConfigs */ 33: [0, 1], /* AlterConfigs */ 34: [0, 1], /* AlterReplicaLogDirs */ 35: [0, 1], /* DescribeLogDirs */
    36: [0, 1], /* SaslAuthenticate */ 37: [0, 1], /* CreatePartitions */ 38: [0, 2], /* CreateDelegationToken */ 39: [0, 1], /* RenewDelegationToken */
    40: [0, 1], /* ExpireDelegationToken */ 41: [0, 1], /* DescribeDelegationToken */ 42: [0, 2], /* DeleteGroups */ 43: [0, 2], /* ElectLeaders */
    44: [0, 1], /* IncrementalAlterConfigs */ 45: [0, 0], /* AlterPartitionReassignments */ 46: [0, 0], /* ListPartitionReassignments */ 47: [0, 0], /* OffsetDelete */
  },
  '2.8': {
    0: [0, 9], /* Produce */ 1: [0, 12], /* Fetch */ 2: [0, 6], /* ListOffsets */ 3: [0, 11], /* Metadata */
    4: [0, 5], /* LeaderAndIsr */ 5: [0, 3], /* StopReplica */ 6: [0, 7], /* UpdateMetadata */ 7: [0, 3], /* ControlledShutdown */
    8: [0, 8], /* OffsetCommit */ 9: [0, 7], /* OffsetFetch */ 10: [0, 3], /* FindCoordinator */ 11: [0, 7], /* JoinGroup */
    12: [0, 4], /* Heartbeat */ 13: [0, 4], /* LeaveGroup */ 14: [0, 5], /* SyncGroup */ 15: [0, 5], /* DescribeGroups */
    16: [0, 4], /* ListGroups */ 17: [0, 1], /* SaslHandshake */ 18: [0, 3], /* ApiVersions */ 19: [0, 7], /* CreateTopics */
    20: [0, 6], /* DeleteTopics */ 21: [0, 2], /* DeleteRecords */ 22: [0, 4], /* InitProducerId */ 23: [0, 4], /* OffsetForLeaderEpoch */
    24: [0, 3], /* AddPartitionsToTxn */ 25: [0, 3], /* AddOffsetsToTxn */ 26: [0, 3], /* EndTxn */ 27: [0, 1], /* WriteTxnMarkers */
    28: [0, 3], /* TxnOffsetCommit */ 29: [0, 2], /* DescribeAcls */ 30: [0, 2], /* CreateAcls */ 31: [0, 2], /* DeleteAcls */
    32: [0, 4], /* DescribeConfigs */ 33: [0, 2], /* AlterConfigs */ 34: [0, 2], /* AlterReplicaLogDirs */ 35: [0, 2], /* DescribeLogDirs */
    36: [0, 2], /* SaslAuthenticate */ 37: [0, 3], /* CreatePartitions */ 38: [0, 2], /* CreateDelegationToken */ 39: [0, 2], /* RenewDelegationToken */
    40: [0, 2], /* ExpireDelegationToken */ 41: [0, 2], /* DescribeDelegationToken */ 42: [0, 2], /* DeleteGroups */ 43: [0, 2], /* ElectLeaders */
    44: [0, 1], /* IncrementalAlterConfigs */ 45: [0, 0], /* AlterPartitionReassignments */ 46: [0, 0], /* ListPartitionReassignments */ 47: [0, 0], /* OffsetDelete */
    48: [0, 1], /* DescribeClientQuotas */ 49: [0, 1], /* AlterClientQuotas */ 50: [0, 0], /* DescribeUserScramCredentials */ 51: [0, 0], /* AlterUserScramCredentials */
    56: [0, 0], /* AlterPartition */ 57: [0, 0], /* UpdateFeatures */ 60: [0, 0], /* DescribeCluster */ 61: [0, 0], /* DescribeProducers */
  },
  '3.9': {
    0: [0, 11], /* Produce */ 1: [0, 17], /* Fetch */ 2: [0, 9], /* ListOffsets */ 3: [0, 12], /* Metadata */
    8: [0, 9], /* OffsetCommit */ 9: [0, 9], /* OffsetFetch */ 10: [0, 6], /* FindCoordinator */ 11: [0, 9], /* JoinGroup */
    12: [0, 4], /* Heartbeat */ 13: [0, 5], /* LeaveGroup */ 14: [0, 5], /* SyncGroup */ 15: [0, 5], /* DescribeGroups */
    16: [0, 5], /* ListGroups */ 17: [0, 1], /* SaslHandshake */ 18: [0, 4], /* ApiVersions */ 19: [0, 7], /* CreateTopics */
    20: [0, 6], /* DeleteTopics */ 21: [0, 2], /* DeleteRecords */ 22: [0, 5], /* InitProducerId */ 23: [0, 4], /* OffsetForLeaderEpoch */
    24: [0, 5], /* AddPartitionsToTxn */ 25: [0, 4], /* AddOffsetsToTxn */ 26: [0, 4], /* EndTxn */ 27: [0, 1], /* WriteTxnMarkers */
    28: [0, 4], /* TxnOffsetCommit */ 29: [0, 3], /* DescribeAcls */ 30: [0, 3], /* CreateAcls */ 31: [0, 3], /* DeleteAcls */
    32: [0, 4], /* DescribeConfigs */ 33: [0, 2], /* AlterConfigs */ 34: [0, 2], /* AlterReplicaLogDirs */ 35: [0, 4], /* DescribeLogDirs */
    36: [0, 2], /* SaslAuthenticate */ 37: [0, 3], /* CreatePartitions */ 38: [0, 3], /* CreateDelegationToken */ 39: [0, 2], /* RenewDelegationToken */
    40: [0, 2], /* ExpireDelegationToken */ 41: [0, 3], /* DescribeDelegationToken */ 42: [0, 2], /* DeleteGroups */ 43: [0, 2], /* ElectLeaders */
    44: [0, 1], /* IncrementalAlterConfigs */ 45: [0, 0], /* AlterPartitionReassignments */ 46: [0, 0], /* ListPartitionReassignments */ 47: [0, 0], /* OffsetDelete */
    48: [0, 1], /* DescribeClientQuotas */ 49: [0, 1], /* AlterClientQuotas */ 50: [0, 0], /* DescribeUserScramCredentials */ 51: [0, 0], /* AlterUserScramCredentials */
    55: [0, 2], /* DescribeQuorum */ 57: [0, 1], /* UpdateFeatures */ 60: [0, 1], /* DescribeCluster */ 61: [0, 0], /* DescribeProducers */
    64: [0, 0], /* UnregisterBroker */ 65: [0, 0], /* DescribeTransactions */ 66: [0, 1], /* ListTransactions */ 68: [0, 0], /* ConsumerGroupHeartbeat */
    69: [0, 0], /* ConsumerGroupDescribe */ 74: [0, 0], /* ListClientMetricsResources */ 75: [0, 0], /* DescribeTopicPartitions */ 80: [0, 0], /* AddRaftVoter */
    81: [0, 0], /* RemoveRaftVoter */
  },
  '4.1': {
    0: [0, 13], /* Produce */ 1: [4, 18], /* Fetch */ 2: [1, 10], /* ListOffsets */ 3: [0, 13], /* Metadata */
    8: [2, 9], /* OffsetCommit */ 9: [1, 9], /* OffsetFetch */ 10: [0, 6], /* FindCoordinator */ 11: [0, 9], /* JoinGroup */
    12: [0, 4], /* Heartbeat */ 13: [0, 5], /* LeaveGroup */ 14: [0, 5], /* SyncGroup */ 15: [0, 6], /* DescribeGroups */
    16: [0, 5], /* ListGroups */ 17: [0, 1], /* SaslHandshake */ 18: [0, 4], /* ApiVersions */ 19: [2, 7], /* CreateTopics */
    20: [1, 6], /* DeleteTopics */ 21: [0, 2], /* DeleteRecords */ 22: [0, 5], /* InitProducerId */ 23: [2, 4], /* OffsetForLeaderEpoch */
    24: [0, 5], /* AddPartitionsToTxn */ 25: [0, 4], /* AddOffsetsToTxn */ 26: [0, 5], /* EndTxn */ 27: [1, 1], /* WriteTxnMarkers */
    28: [0, 5], /* TxnOffsetCommit */ 29: [1, 3], /* DescribeAcls */ 30: [1, 3], /* CreateAcls */ 31: [1, 3], /* DeleteAcls */
    32: [1, 4], /* DescribeConfigs */ 33: [0, 2], /* AlterConfigs */ 34: [1, 2], /* AlterReplicaLogDirs */ 35: [1, 4], /* DescribeLogDirs */
    36: [0, 2], /* SaslAuthenticate */ 37: [0, 3], /* CreatePartitions */ 38: [1, 3], /* CreateDelegationToken */ 39: [1, 2], /* RenewDelegationToken */
    40: [1, 2], /* ExpireDelegationToken */ 41: [1, 3], /* DescribeDelegationToken */ 42: [0, 2], /* DeleteGroups */ 43: [0, 2], /* ElectLeaders */
    44: [0, 1], /* IncrementalAlterConfigs */ 45: [0, 1], /* AlterPartitionReassignments */ 46: [0, 0], /* ListPartitionReassignments */ 47: [0, 0], /* OffsetDelete */
    48: [0, 1], /* DescribeClientQuotas */ 49: [0, 1], /* AlterClientQuotas */ 50: [0, 0], /* DescribeUserScramCredentials */ 51: [0, 0], /* AlterUserScramCredentials */
    55: [0, 2], /* DescribeQuorum */ 57: [0, 2], /* UpdateFeatures */ 60: [0, 2], /* DescribeCluster */ 61: [0, 0], /* DescribeProducers */
    64: [0, 0], /* UnregisterBroker */ 65: [0, 0], /* DescribeTransactions */ 66: [0, 2], /* ListTransactions */ 68: [0, 1], /* ConsumerGroupHeartbeat */
    69: [0, 1], /* ConsumerGroupDescribe */ 74: [0, 1], /* ListConfigResources (ListClientMetricsResources until KIP-1142) */ 75: [0, 0], /* DescribeTopicPartitions */ 76: [1, 1], /* ShareGroupHeartbeat */
    77: [1, 1], /* ShareGroupDescribe */ 78: [1, 1], /* ShareFetch */ 79: [1, 1], /* ShareAcknowledge */ 80: [0, 0], /* AddRaftVoter */
    81: [0, 0], /* RemoveRaftVoter */ 83: [0, 0], /* InitializeShareGroupState */ 84: [0, 0], /* ReadShareGroupState */ 85: [0, 0], /* WriteShareGroupState */
    86: [0, 0], /* DeleteShareGroupState */ 87: [0, 0], /* ReadShareGroupStateSummary */ 90: [0, 0], /* DescribeShareGroupOffsets */ 91: [0, 0], /* AlterShareGroupOffsets */
    92: [0, 0], /* DeleteShareGroupOffsets */
  },
};

// Kafka 2.4 and 2.8's LogConfig: flush.messages and segment.index.bytes took 0 (atLeast(0)); later releases want 1 and 4.
const ZK_ERA_MINIMUMS = { 'flush.messages': 0, 'segment.index.bytes': 0 };

export const KAFKA_RELEASES: Readonly<Record<KafkaReleaseName, KafkaRelease>> = {
  '2.4': {
    name: '2.4', apis: API_VERSIONS['2.4'], acceptedMin: {}, verifiesTransactions: false,
    // KafkaConfig Defaults.MessageMaxBytes = 1000000 + Records.LOG_OVERHEAD until 2.5 (KAFKA-4203 made it 1 MiB + 12);
    // LogMessageFormatVersion = the inter-broker protocol version, ApiVersion.latestVersion (3.0 fixed it at 3.0-IV1).
    topicConfigDefaults: { 'max.message.bytes': '1000012', 'message.format.version': '2.4-IV1' },
    topicConfigMinimums: ZK_ERA_MINIMUMS,
  },
  '2.8': {
    name: '2.8', apis: API_VERSIONS['2.8'], acceptedMin: {}, verifiesTransactions: false,
    topicConfigDefaults: { 'message.format.version': '2.8-IV1' },
    topicConfigMinimums: ZK_ERA_MINIMUMS,
  },
  '3.9': { name: '3.9', apis: API_VERSIONS['3.9'], acceptedMin: {}, verifiesTransactions: true, topicConfigDefaults: {}, topicConfigMinimums: {} },
  '4.1': {
    name: '4.1', apis: API_VERSIONS['4.1'], acceptedMin: { 0: 3 }, verifiesTransactions: true,
    // KIP-1030, in 4.0 (KAFKA-16368): a record may be at most an hour ahead of the broker's clock by default, and a
    // segment must hold at least 1 MiB.
    topicConfigDefaults: { 'message.timestamp.after.max.ms': '3600000' },
    topicConfigMinimums: { 'segment.bytes': 1024 * 1024 },
  },
};

/** The release a `kafka.version` setting names, or null for none (Samsa's own full set). */
export function kafkaRelease(version: string): KafkaRelease | null {
  return (KAFKA_RELEASES as Record<string, KafkaRelease>)[version] ?? null;
}
