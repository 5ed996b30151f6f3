/**
 * OffsetDelete 0: removes committed offsets; of a consumer group with members only for topics it does not
 * subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), of other non-empty groups none (NON_EMPTY_GROUP).
 */
import { handler } from './handler.js';
import { OffsetDeleteApi } from '../protocol/generated/index.js';

export default handler(OffsetDeleteApi, async (req, { broker }) => ({ throttleTimeMs: 0, ...await broker.groups.offsetDelete(req.groupId, req.topics) }));
