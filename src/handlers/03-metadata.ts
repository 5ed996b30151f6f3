/**
 * Metadata 0-13: every live node of the cluster (its address on the listener the client asked on; a node the test kit
 * stopped is left out, as Kafka lists only live brokers), each partition's leader, leader epoch, replicas, ISR and
 * offline replicas (from the placement), and the first live node as controller (clients route admin requests to the controller id, so it must
 * appear in the broker list). Topics are auto-created when
 * `auto.create.topics.enable` is on: implicitly for v0-3, only when the request allows it from v4. v0 with an empty
 * list and v1+ with null mean "all topics"; internal topics are listed only when asked for by name.
 *
 * Authorization (Kafka's): topics the principal may not DESCRIBE are left out of "all topics" and answer
 * TOPIC_AUTHORIZATION_FAILED when named (their existence is not disclosed); auto-creation needs CREATE on the
 * cluster or the topic (else TOPIC_AUTHORIZATION_FAILED). v8 authorized-operations bitfields when asked for (the
 * cluster's only with DESCRIBE on it, else 0).
 *
 * Topic ids (v10+): every topic answers its stable id. From v12 a topic may be asked for by id alone (null name):
 * an unknown id answers UNKNOWN_TOPIC_ID, one the principal may not DESCRIBE TOPIC_AUTHORIZATION_FAILED, both with
 * a null name (Kafka's); such a topic is never auto-created. The private internal topics (the SCRAM credentials, the
 * ACLs) answer UNKNOWN_TOPIC_OR_PARTITION however asked for. v13's top-level error code is always NONE. v10-11 requests
 * may carry a null name but their responses may not: such a request closes the connection (Kafka refuses it as invalid).
 */
import { handler, type ClusterServices } from './handler.js';
import { MetadataApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { invalidTopicName, type TopicMeta } from '../metadata/topics.js';
import { endpointOf, PRIVATE_TOPICS } from '../broker.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized, authorizedOperations, deniedNames } from '../security/authorizer.js';
import { ConnectionRefusal } from '../server/pipeline.js';

const UNSET = -2147483648;

const NO_ID = Buffer.alloc(16);

export default handler(MetadataApi, (req, ctx) => {
  const { broker, version, session } = ctx;
  if (version < 12 && req.topics?.some((t) => t.name === null)) throw new ConnectionRefusal(`Metadata v${version} asks for a topic with a null name (by id needs v12)`);
  const all = req.topics === null || (version === 0 && req.topics.length === 0);
  // Topics asked for by id (v12+, null name): the known ones join the named, by their names.
  const unknownIds: Buffer[] = [];
  const byId = new Set<string>();
  const named = all ? broker.topics.list().filter((t) => !t.internal).map((t) => t.name) : req.topics!.flatMap((t) => {
    if (t.name !== null) return [t.name];
    const found = broker.topics.getById(t.topicId);
    const topic = found && !PRIVATE_TOPICS.has(found.name) ? found : undefined;
    if (!topic) unknownIds.push(t.topicId);
    else byId.add(topic.name);
    return topic ? [topic.name] : [];
  });
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, named);
  const names = all ? named.filter((name) => !denied.has(name)) : named;
  const allowCreate = (version < 4 || req.allowAutoTopicCreation) && !all;
  const mayCreate = (name: string) => authorized(ctx, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) || authorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, name);
  const failed = (errorCode: number, name: string | null, topicId: Buffer) => ({ errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: UNSET });
  const topics = names.map((name) => {
    if (PRIVATE_TOPICS.has(name)) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, NO_ID);
    const viaId = byId.has(name);
    const refused = denied.has(name)
      || (!viaId && allowCreate && broker.config.bool('auto.create.topics.enable') && !broker.topics.get(name) && invalidTopicName(name) === null && !mayCreate(name));
    if (refused) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, viaId ? null : name, viaId ? broker.topics.get(name)!.id : NO_ID);
    const topic = describeTopic(broker, name, allowCreate && !viaId);
    return req.includeTopicAuthorizedOperations && version >= 8 ? { ...topic, topicAuthorizedOperations: authorizedOperations(ctx, ResourceType.TOPIC, name) } : topic;
  });
  for (const id of unknownIds) topics.push(failed(ErrorCode.UNKNOWN_TOPIC_ID, null, id));
  const clusterOperations = !req.includeClusterAuthorizedOperations || version < 8 ? UNSET
    : authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : 0;
  return {
    throttleTimeMs: 0,
    brokers: broker.liveNodes().map((n) => {
      const { host, port } = endpointOf(n, session.listener);
      return { nodeId: n.id, host, port, rack: null };
    }),
    clusterId: broker.clusterId,
    controllerId: broker.placement.liveNodeIds[0],
    topics,
    clusterAuthorizedOperations: clusterOperations,
    errorCode: ErrorCode.NONE,
  };
});

function describeTopic(broker: ClusterServices, name: string, allowCreate: boolean) {
  const invalid = invalidTopicName(name) !== null;
  const topic: TopicMeta | undefined = invalid ? undefined : allowCreate ? broker.autoCreateTopic(name) : broker.topics.get(name);
  return {
    errorCode: invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : topic ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    name: name as string | null,
    topicId: topic?.id ?? NO_ID,
    isInternal: topic?.internal ?? false,
    partitions: broker.placement.partitions(name, topic?.partitions ?? 0, topic?.replicationFactor).map(({ leader, leaderEpoch, replicas, isr, offline }, partitionIndex) => (
      { errorCode: 0, partitionIndex, leaderId: leader, leaderEpoch, replicaNodes: replicas, isrNodes: isr, offlineReplicas: offline })),
    topicAuthorizedOperations: UNSET,
  };
}
