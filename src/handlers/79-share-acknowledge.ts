/**
 * ShareAcknowledge 1 (KIP-932): a member's acknowledgements (1 accept, 2 release, 3 reject, 0 gap) within its share
 * session; epoch -1 closes the session, and the records the member still holds are released. Per partition, all of
 * its acknowledgements apply or none: INVALID_REQUEST for an acknowledge type out of range or a malformed batch,
 * INVALID_RECORD_STATE for records the member does not hold; UNKNOWN_TOPIC_ID for an unknown topic id.
 */
import { handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ShareAcknowledgeApi } from '../protocol/generated/index.js';
import { acknowledgePartition, currentLeader, leaderEndpoints, movedLeaders, refuseShareRequest } from './share-requests.js';

export default handler(ShareAcknowledgeApi, async (req, ctx) => {
  const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, responses: [], nodeEndpoints: [] });
  const refused = refuseShareRequest(ctx, req.groupId, req.memberId);
  if (refused !== null) return answer(refused);
  const groupId = req.groupId!;
  const memberId = req.memberId!;
  // Acknowledging never opens a session (epoch 0 is INVALID_SHARE_SESSION_EPOCH, as in Kafka).
  if (req.shareSessionEpoch === 0) return answer(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
  const session = ctx.broker.shares.session(groupId, memberId, req.shareSessionEpoch, [], []);
  if (typeof session === 'number') return answer(session);
  const responses = [];
  for (const t of req.topics) {
    const partitions = [];
    for (const p of t.partitions) {
      const errorCode = await acknowledgePartition(ctx, groupId, memberId, t.topicId, p.partitionIndex, p.acknowledgementBatches);
      partitions.push({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null, currentLeader: currentLeader(ctx, t.topicId, p.partitionIndex) });
    }
    responses.push({ topicId: t.topicId, partitions });
  }
  if (session === null) await ctx.broker.shares.releaseMember(groupId, memberId);
  return { ...answer(ErrorCode.NONE), responses, nodeEndpoints: leaderEndpoints(ctx, movedLeaders(responses.flatMap((t) => t.partitions))) };
});
