/**
 * AddOffsetsToTxn 0-4: the transaction will commit offsets for this group (sendOffsetsToTransaction). v2 answers a
 * fenced producer PRODUCER_FENCED; v3 flexible; v4 may answer TRANSACTION_ABORTABLE (KIP-890; never needed here). Needs WRITE on
 * the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler, unwritable } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AddOffsetsToTxnApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { fencedAs } from './22-init-producer-id.js';

export default handler(AddOffsetsToTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : coordinates(ctx, req.transactionalId)
    ? fencedAs(await ctx.broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId).catch(unwritable<number>(ErrorCode.COORDINATOR_NOT_AVAILABLE)), ctx.version, 2)
    : ErrorCode.NOT_COORDINATOR,
}));
