/**
 * DeleteShareGroupOffsets 0 (KIP-932): forgets an empty share group's state of whole topics (NON_EMPTY_GROUP while
 * members remain); the next read starts where share.auto.offset.reset says. Needs DELETE on the group and READ on
 * each topic; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION, an unknown group GROUP_ID_NOT_FOUND.
 */
import { handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DeleteShareGroupOffsetsApi } from '../protocol/generated/index.js';
import { AclOperation } from '../security/acl.js';
import { refuseShareOffsetsChange, shareTopicError } from './share-admin.js';

const NO_ID = Buffer.alloc(16);

export default handler(DeleteShareGroupOffsetsApi, async (req, ctx) => {
  const refused = refuseShareOffsetsChange(ctx, req.groupId, AclOperation.DELETE)
    ?? (ctx.broker.shares.has(req.groupId) ? null : { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${req.groupId} not found.` });
  if (refused) return { throttleTimeMs: 0, ...refused, responses: [] };
  const responses = [];
  for (const t of req.topics) {
    const meta = ctx.broker.topics.get(t.topicName);
    let errorCode = shareTopicError(ctx, t.topicName);
    if (errorCode === ErrorCode.NONE && !(await ctx.broker.shares.deleteTopicState(meta!.id, req.groupId))) errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    // No id of a topic the principal may not see.
    responses.push({ topicName: t.topicName, topicId: errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? NO_ID : meta?.id ?? NO_ID, errorCode, errorMessage: null });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
});
