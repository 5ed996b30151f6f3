/**
 * Metadata 0-8: every live node of the cluster (its address on the listener the client asked on; a node the test kit
 * stopped is left out, as Kafka lists only live brokers), each partition's leader, leader epoch, replicas, ISR and
 * offline replicas (from the placement), and the first live node as controller (clients route admin requests to the controller id, so it must
 * appear in the broker list). Topics are auto-created when
 * `auto.create.topics.enable` is on: implicitly for v0-3, only when the request allows it from v4. v0 with an empty
 * list and v1+ with null mean "all topics"; internal topics are listed only when asked for by name.
 */
import { handler } from './handler.js';
import { MetadataApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { invalidTopicName, type TopicMeta } from '../metadata/topics.js';
import { endpointOf, type Broker } from '../broker.js';

export default handler(MetadataApi, (req, { broker, version, session }) => {
  const all = req.topics === null || (version === 0 && req.topics.length === 0);
  const names = all ? broker.topics.list().filter((t) => !t.internal).map((t) => t.name) : req.topics!.map((t) => t.name);
  const allowCreate = version < 4 || req.allowAutoTopicCreation;
  return {
    throttleTimeMs: 0,
    brokers: broker.liveNodes().map((n) => {
      const { host, port } = endpointOf(n, session.listener);
      return { nodeId: n.id, host, port, rack: null };
    }),
    clusterId: broker.clusterId,
    controllerId: broker.placement.liveNodeIds[0],
    topics: names.map((name) => describeTopic(broker, name, allowCreate && !all)),
    clusterAuthorizedOperations: -2147483648,
  };
});

function describeTopic(broker: Broker, name: string, allowCreate: boolean) {
  const invalid = invalidTopicName(name) !== null;
  const topic: TopicMeta | undefined = invalid ? undefined : allowCreate ? broker.autoCreateTopic(name) : broker.topics.get(name);
  return {
    errorCode: invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : topic ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    name,
    isInternal: topic?.internal ?? false,
    partitions: Array.from({ length: topic?.partitions ?? 0 }, (_, partitionIndex) => {
      const { leader, leaderEpoch, replicas, isr, offline } = broker.placement.partition(name, partitionIndex, topic?.replicationFactor);
      return { errorCode: 0, partitionIndex, leaderId: leader, leaderEpoch, replicaNodes: replicas, isrNodes: isr, offlineReplicas: offline };
    }),
    topicAuthorizedOperations: -2147483648,
  };
}
