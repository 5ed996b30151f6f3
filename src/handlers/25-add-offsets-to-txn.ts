/**
 * AddOffsetsToTxn 0-1: the transaction will commit offsets for this group (sendOffsetsToTransaction). Needs WRITE on
 * the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AddOffsetsToTxnApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(AddOffsetsToTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : coordinates(ctx, req.transactionalId)
    ? await ctx.broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId)
    : ErrorCode.NOT_COORDINATOR,
}));
