/**
 * ShareGroupHeartbeat 1 (KIP-932): joins (epoch 0, with the client's own member id), keeps (its epoch) or leaves (-1)
 * a share group; the answer carries the member's epoch and its assigned partitions by topic id. A stale epoch is
 * FENCED_MEMBER_EPOCH, an unknown member UNKNOWN_MEMBER_ID; a group id a classic or consumer group holds is
 * GROUP_ID_NOT_FOUND. Needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every subscribed topic
 * (else TOPIC_AUTHORIZATION_FAILED, as Kafka's KafkaApis).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ShareGroupHeartbeatApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { memberHost } from '../coordinator/group/index.js';

export default handler(ShareGroupHeartbeatApi, async (req, ctx) => {
  const refused = !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : req.subscribedTopicNames?.some((topic) => !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
      : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR : null;
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
  return ctx.broker.shares.heartbeat(req, ctx.clientId ?? '', memberHost(ctx.clientHost));
});
