/**
 * OffsetDelete 0: removes committed offsets; of a consumer group with members only for topics it does not
 * subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), of other non-empty groups none (NON_EMPTY_GROUP).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetDeleteApi } from '../protocol/generated/index.js';

export default handler(OffsetDeleteApi, async (req, ctx) => (coordinates(ctx, req.groupId)
  ? { throttleTimeMs: 0, ...await ctx.broker.groups.offsetDelete(req.groupId, req.topics) }
  : { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, topics: [] }));
