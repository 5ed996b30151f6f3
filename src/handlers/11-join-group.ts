/**
 * JoinGroup 0-9: answered when the rebalance completes (see coordinator/group). v0 has no rebalance timeout (the
 * session timeout serves); v4+ first joins get MEMBER_ID_REQUIRED with the id to use; v5 static membership; v6
 * flexible; v7 the group's protocol type in the answer, and a null protocol name (and type) in error answers; v8 a
 * reason (logged); v9 skipAssignment: a static leader rejoining a Stable group is told it leads and keeps the
 * current assignment (KIP-814). Only the leader's answer lists the members. Needs READ on the group (else
 * GROUP_AUTHORIZATION_FAILED). A share group's id is INCONSISTENT_GROUP_PROTOCOL (Kafka: the group exists with
 * another type).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { JoinGroupApi } from '../protocol/generated/index.js';
import { memberHost } from '../coordinator/group/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(JoinGroupApi, async (req, ctx) => {
  const { broker, version, clientId, clientHost } = ctx;
  const refused = !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR
    : broker.shares.has(req.groupId) ? ErrorCode.INCONSISTENT_GROUP_PROTOCOL : null;
  const result = refused !== null ? { errorCode: refused, generationId: -1, protocolName: '', leader: '', memberId: refused === ErrorCode.INCONSISTENT_GROUP_PROTOCOL ? '' : req.memberId, members: [] }
    : await broker.groups.joinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: clientId ?? '',
      clientHost: memberHost(clientHost),
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: version === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      requireKnownMemberId: version >= 4,
      supportsSkipAssignment: version >= 9,
      reason: req.reason,
    });
  // v7+: an error answer has no protocol (null); older versions read "" (Kafka's JoinGroupResponse).
  const failed = result.errorCode !== ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    ...result,
    protocolType: failed ? null : broker.groups.inspect(req.groupId)?.protocolType ?? req.protocolType,
    protocolName: failed && version >= 7 ? null : result.protocolName,
    skipAssignment: result.skipAssignment ?? false,
  };
});
