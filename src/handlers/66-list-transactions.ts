/**
 * ListTransactions 0-1 (KIP-664): the coordinator's transactional ids with their producer id and state, filtered by
 * state and producer id; v1 (KIP-994) adds a minimum duration. Unknown state names are echoed back. Only the
 * transactional ids the principal may DESCRIBE are listed.
 */
import { handler } from './handler.js';
import { ListTransactionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(ListTransactionsApi, (req, ctx) => {
  const { unknownStates, transactions } = ctx.broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters: unknownStates,
    transactionStates: transactions.filter((t) => authorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId)).map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
  };
});
