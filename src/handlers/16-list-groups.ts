/**
 * ListGroups 0-2: every live group, including groups that only hold committed offsets (protocol type "") and share
 * groups (protocol type "share", KIP-932). Without
 * DESCRIBE on the cluster, only the groups the principal may DESCRIBE are listed (Kafka's).
 */
import { coordinates, handler } from './handler.js';
import { ListGroupsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

// Each node lists the groups it coordinates (admin clients ask every node and merge the answers).
export default handler(ListGroupsApi, (_req, ctx) => {
  const all = authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
  const groups = [...ctx.broker.groups.listGroups(), ...ctx.broker.shares.listGroups().map(({ groupId, protocolType }) => ({ groupId, protocolType }))].filter((g) => coordinates(ctx, g.groupId) && (all || authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId)));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
});
