/**
 * OffsetCommit 2-7: generation and member checks as Kafka (generation -1 to a group without members is a
 * "standalone" commit), UNKNOWN_TOPIC_OR_PARTITION and OFFSET_METADATA_TOO_LARGE per partition. v2-4 carry a
 * retention time; v6 the leader epoch; v7 the group instance id.
 */
import { handler } from './handler.js';
import { OffsetCommitApi } from '../protocol/generated/index.js';

export default handler(OffsetCommitApi, async (req, { broker }) => ({ throttleTimeMs: 0, topics: await broker.groups.offsetCommit(req) }));
