/**
 * ElectLeaders 0-2: preferred (type 0) moves a partition's leadership to its first replica when that node is live
 * and does not lead it already (else PREFERRED_LEADER_NOT_AVAILABLE / ELECTION_NOT_NEEDED); unclean (type 1, v1+)
 * is never needed here, since a stopped node's partitions move to a live replica at once. A move bumps the leader
 * epoch, as any leader move does. Null topic_partitions means every partition, and then only the partitions that
 * were elected are listed (Kafka leaves ELECTION_NOT_NEEDED out). Needs ALTER on the cluster, else every partition
 * (and, from v1, the whole answer) is CLUSTER_AUTHORIZATION_FAILED.
 */
import { handler, type RequestContext } from './handler.js';
import { ElectLeadersApi, type ElectLeadersResponse } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

const PREFERRED = 0;
const UNCLEAN = 1;

type PartitionResult = ElectLeadersResponse['replicaElectionResults'][number]['partitionResult'][number];

export default handler(ElectLeadersApi, (req, ctx) => {
  const { broker } = ctx;
  const all = req.topicPartitions === null;
  const denied = !authorized(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME);
  // "Every partition" is only spelled out for a principal allowed to elect (the list would name every topic).
  const wanted = req.topicPartitions ?? (denied ? [] : broker.clientTopics().map((t) => ({ topic: t.name, partitions: Array.from({ length: t.partitions }, (_, i) => i) })));
  const type = ctx.version >= 1 ? req.electionType : PREFERRED;
  const replicaElectionResults = wanted.map(({ topic, partitions }) => ({
    topic,
    partitionResult: partitions.map((partitionId): PartitionResult => {
      if (denied) return { partitionId, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };
      return { partitionId, ...elect(ctx, topic, partitionId, type) };
    }).filter((r) => !all || r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED),
  })).filter((t) => !all || t.partitionResult.length > 0);
  return { throttleTimeMs: 0, errorCode: denied ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.NONE, replicaElectionResults };
});

function elect({ broker }: RequestContext, topic: string, partition: number, type: number): { errorCode: number; errorMessage: string | null } {
  const meta = broker.clientTopic(topic);
  if (!meta || partition < 0 || partition >= meta.partitions) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The partition does not exist.' };
  if (type !== PREFERRED && type !== UNCLEAN) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown election type ${type}.` };
  const { leader, replicas } = broker.placement.partition(topic, partition, meta.replicationFactor);
  if (type === UNCLEAN || leader === replicas[0]) return { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' };
  if (!broker.placement.isLive(replicas[0])) {
    return { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: `Failed to elect leader for partition ${topic}-${partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy` };
  }
  broker.moveLeader(topic, partition, replicas[0]);
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
