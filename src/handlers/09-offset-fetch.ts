/**
 * OffsetFetch 1-4: committed offsets, -1 (and metadata "") where none. v2+: null topics = every committed
 * partition of the group, and a top-level error code.
 */
import { handler } from './handler.js';
import { OffsetFetchApi } from '../protocol/generated/index.js';

export default handler(OffsetFetchApi, (req, { broker }) => ({ throttleTimeMs: 0, ...broker.groups.offsetFetch(req.groupId, req.topics) }));
