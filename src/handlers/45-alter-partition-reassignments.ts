/**
 * AlterPartitionReassignments 0-1: gives partitions new replica lists. A reassignment completes at once (one process
 * stores every partition once; nothing is copied), so it is never "in progress": cancelling one (null replicas) is
 * NO_REASSIGNMENT_IN_PROGRESS. When the leader is not among the new replicas, leadership moves to the first live one
 * of them with a new leader epoch (as any leader move); otherwise it stays. Checks (Kafka's): an empty list or a
 * repeated node is INVALID_REPLICA_ASSIGNMENT, so is a node the cluster does not have or a list with no live node;
 * with v1's allow_replication_factor_change false, another length is INVALID_REPLICATION_FACTOR. Needs ALTER on the
 * cluster, else CLUSTER_AUTHORIZATION_FAILED on the answer and every partition.
 */
import { handler, type RequestContext } from './handler.js';
import { AlterPartitionReassignmentsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { manualAssignmentProblem } from '../metadata/placement.js';

export default handler(AlterPartitionReassignmentsApi, (req, ctx) => {
  const denied = !authorized(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME);
  const allowFactorChange = ctx.version < 1 || req.allowReplicationFactorChange;
  const responses = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map(({ partitionIndex, replicas }) => ({
      partitionIndex,
      ...(denied ? { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' } : reassign(ctx, t.name, partitionIndex, replicas, allowFactorChange)),
    })),
  }));
  return {
    throttleTimeMs: 0, allowReplicationFactorChange: req.allowReplicationFactorChange, responses,
    errorCode: denied ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.NONE, errorMessage: denied ? 'Cluster authorization failed.' : null,
  };
});

function reassign({ broker }: RequestContext, topic: string, partition: number, replicas: number[] | null, allowFactorChange: boolean): { errorCode: number; errorMessage: string | null } {
  const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage });
  const meta = broker.clientTopic(topic);
  if (!meta || partition < 0 || partition >= meta.partitions) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.');
  if (replicas === null) return fail(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, `No ongoing reassignment for ${topic}-${partition}.`);
  const problem = manualAssignmentProblem(replicas, broker.placement.nodeIds);
  if (problem) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  const live = replicas.find((id) => broker.placement.isLive(id));
  if (live === undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes no live broker.');
  const current = broker.placement.partition(topic, partition, meta.replicationFactor);
  if (!allowFactorChange && replicas.length !== current.replicas.length) {
    return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `The replication factor is changed from ${current.replicas.length} to ${replicas.length} but allowReplicationFactorChange is false.`);
  }
  broker.placement.reassign(topic, partition, replicas);
  if (!replicas.includes(current.leader)) broker.moveLeader(topic, partition, live);
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
