/**
 * ListPartitionReassignments 0: the reassignments in progress, which is none: AlterPartitionReassignments completes
 * each at once. Named partitions that do not exist are left out, as Kafka does. Needs DESCRIBE on the cluster, else
 * CLUSTER_AUTHORIZATION_FAILED.
 */
import { handler } from './handler.js';
import { ListPartitionReassignmentsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(ListPartitionReassignmentsApi, (_req, ctx) => {
  const denied = !authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
  return {
    throttleTimeMs: 0, topics: [],
    errorCode: denied ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.NONE, errorMessage: denied ? 'Cluster authorization failed.' : null,
  };
});
