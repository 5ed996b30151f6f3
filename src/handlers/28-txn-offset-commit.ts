/**
 * TxnOffsetCommit 0-4: offsets held with the transaction; the group sees them only when it commits. v3 flexible, with
 * the member's generation and id (KIP-447), checked by the group as OffsetCommit's are (a zombie of an older generation
 * is ILLEGAL_GENERATION, an unknown member UNKNOWN_MEMBER_ID) unless the commit names no member; v4 may answer TRANSACTION_ABORTABLE (never needed here). Not v5: with
 * transactions V2 (KIP-890 part 2) the commit itself adds the group to the transaction.
 * Authorization (Kafka's): WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere), READ
 * on the group (else GROUP_AUTHORIZATION_FAILED everywhere), READ on each topic (else TOPIC_AUTHORIZATION_FAILED).
 */
import { coordinates, handler, unwritable } from './handler.js';
import { TxnOffsetCommitApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';
import { partitionErrors } from './08-offset-commit.js';

export default handler(TxnOffsetCommitApi, async (req, ctx) => {
  const { broker } = ctx;
  const refused = !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    // Sent to the group's coordinator (which writes the offsets with the transaction's markers).
    : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR
    : broker.shares.has(req.groupId) ? ErrorCode.GROUP_ID_NOT_FOUND : null; // a share group commits no offsets (Kafka's)
  if (refused !== null) return { throttleTimeMs: 0, topics: partitionErrors(req.topics, refused) };
  const denied = deniedNames(ctx, AclOperation.READ, ResourceType.TOPIC, req.topics.map((t) => t.name));
  const unknown = (topic: string, partition: number) => denied.has(topic) || !broker.partition(topic, partition);
  const offsets = req.topics.flatMap((t) => t.partitions.filter((p) => !unknown(t.name, p.partitionIndex)).map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata,
  })));
  // An emulated Kafka before 3.7 does not verify the producer with the transaction coordinator.
  const verified = ctx.router.release?.verifiesTransactions ?? true;
  const errorCode = await broker.transactions.txnOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, offsets, verified,
    () => broker.groups.validateTxnOffsetCommit(req)).catch(unwritable<number>(ErrorCode.COORDINATOR_NOT_AVAILABLE));
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: denied.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : unknown(t.name, p.partitionIndex) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : errorCode,
      })),
    })),
  };
});
