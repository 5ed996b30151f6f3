/**
 * ListTransactions 0-1 (KIP-664): the coordinator's transactional ids with their producer id and state, filtered by
 * state and producer id; v1 (KIP-994) adds a minimum duration. Unknown state names are echoed back.
 */
import { handler } from './handler.js';
import { ListTransactionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(ListTransactionsApi, (req, { broker }) => {
  const { unknownStates, transactions } = broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters: unknownStates,
    transactionStates: transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
  };
});
