/** `samsa cluster info`: the cluster id, its nodes and controller (Metadata) and the API versions a broker serves (ApiVersions). */
import type { Command } from 'commander';
import { emit, table } from '../output.js';
import { connectionOptions, formatOption, Session } from '../session.js';
import { act } from './act.js';

/** Kafka's API names by key (protocol guide, "Api Keys"), for printing what a broker serves. */
const API_NAMES = [
  'Produce', 'Fetch', 'ListOffsets', 'Metadata', 'LeaderAndIsr', 'StopReplica', 'UpdateMetadata', 'ControlledShutdown',
  'OffsetCommit', 'OffsetFetch', 'FindCoordinator', 'JoinGroup', 'Heartbeat', 'LeaveGroup', 'SyncGroup', 'DescribeGroups',
  'ListGroups', 'SaslHandshake', 'ApiVersions', 'CreateTopics', 'DeleteTopics', 'DeleteRecords', 'InitProducerId',
  'OffsetForLeaderEpoch', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'WriteTxnMarkers', 'TxnOffsetCommit',
  'DescribeAcls', 'CreateAcls', 'DeleteAcls', 'DescribeConfigs', 'AlterConfigs', 'AlterReplicaLogDirs', 'DescribeLogDirs',
  'SaslAuthenticate', 'CreatePartitions', 'CreateDelegationToken', 'RenewDelegationToken', 'ExpireDelegationToken',
  'DescribeDelegationToken', 'DeleteGroups', 'ElectLeaders', 'IncrementalAlterConfigs', 'AlterPartitionReassignments',
  'ListPartitionReassignments', 'OffsetDelete', 'DescribeClientQuotas', 'AlterClientQuotas', 'DescribeUserScramCredentials',
  'AlterUserScramCredentials', 'Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'DescribeQuorum', 'AlterPartition',
  'UpdateFeatures', 'Envelope', 'FetchSnapshot', 'DescribeCluster', 'DescribeProducers', 'BrokerRegistration',
  'BrokerHeartbeat', 'UnregisterBroker', 'DescribeTransactions', 'ListTransactions', 'AllocateProducerIds',
  'ConsumerGroupHeartbeat', 'ConsumerGroupDescribe', 'ControllerRegistration', 'GetTelemetrySubscriptions', 'PushTelemetry',
  'AssignReplicasToDirs', 'ListClientMetricsResources', 'DescribeTopicPartitions',
];

async function info(s: Session): Promise<void> {
  const client = s.kafka();
  const [meta, conn] = await Promise.all([client.metadata([]), client.any()]);
  const out = {
    clusterId: meta.clusterId,
    controller: meta.controllerId,
    nodes: meta.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.id - b.id),
    apis: { node: conn.label, versions: [...conn.versions].sort(([a], [b]) => a - b).map(([key, v]) => ({ key, name: API_NAMES[key] ?? `key ${key}`, min: v.min, max: v.max })) },
  };
  emit(s.format, out, (c) => [
    table(['CLUSTER-ID', 'CONTROLLER'], [[c.clusterId, c.controller]]),
    '',
    table(['NODE', 'HOST', 'PORT', 'RACK'], c.nodes.map((n) => [n.id, n.host, n.port, n.rack])),
    '',
    `APIs served by ${c.apis.node}:`,
    table(['KEY', 'API', 'MIN', 'MAX'], c.apis.versions.map((a) => [a.key, a.name, a.min, a.max])),
  ].join('\n'));
}

export function clusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('the cluster\'s nodes, controller and API versions');
  formatOption(connectionOptions(cluster.command('info').description('cluster id, nodes, controller and the API versions a broker serves'), { kafka: true }))
    .action(act(info));
}
