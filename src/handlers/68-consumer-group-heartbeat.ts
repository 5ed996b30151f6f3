/**
 * ConsumerGroupHeartbeat 0-1 (KIP-848): a consumer-protocol member joins (epoch 0), heartbeats, or leaves (-1; a
 * static member for now: -2); the coordinator assigns the partitions (see coordinator/group/consumer-coordinator.ts).
 * v1 adds the topic regex, and the client must then bring its own member id. Needs READ on the group (else
 * GROUP_AUTHORIZATION_FAILED), and DESCRIBE on every subscribed topic name (else TOPIC_AUTHORIZATION_FAILED, as Kafka
 * 4's KafkaApis: an assignment would disclose the topic's id and partitions); a regex matches only topics the member
 * may DESCRIBE (KAFKA-18813). A share group's id is GROUP_ID_NOT_FOUND
 * ("Group <id> is not a consumer group", Kafka's).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ConsumerGroupHeartbeatApi } from '../protocol/generated/index.js';
import { memberHost } from '../coordinator/group/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(ConsumerGroupHeartbeatApi, async (req, ctx) => {
  const fail = (errorCode: number, errorMessage: string | null = null) => ({ throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
  if (!authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (req.subscribedTopicNames?.some((topic) => !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic))) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (!coordinates(ctx, req.groupId)) return fail(ErrorCode.NOT_COORDINATOR);
  if (ctx.broker.shares.has(req.groupId)) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group`);
  // A regex matches only topics the member may DESCRIBE (KAFKA-18813); without an authorizer every topic.
  const visibleTopic = ctx.broker.acls ? (name: string) => authorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name) : undefined;
  const result = await ctx.broker.groups.consumerGroupHeartbeat({ ...req, version: ctx.version, clientId: ctx.clientId ?? '', clientHost: memberHost(ctx.clientHost), visibleTopic });
  return { throttleTimeMs: 0, ...result };
});
