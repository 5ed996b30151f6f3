/**
 * ListTransactions 0-2 (KIP-664): the coordinator's transactional ids with their producer id and state, filtered by
 * state and producer id; v1 (KIP-994) adds a minimum duration; v2 (KIP-1152) a regular expression the whole
 * transactional id must match (null or "" = any; one that does not compile is INVALID_REGULAR_EXPRESSION). Unknown
 * state names are echoed back. Only the transactional ids the principal may DESCRIBE are listed.
 */
import { handler } from './handler.js';
import { ListTransactionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { useLinearRegexps } from '../regexps.js';

/**
 * The client's pattern as a whole-string match, or null if it does not compile. Kafka compiles it with RE2 (linear
 * time, no backreferences or lookaround); V8's linear-time engine (the `l` flag, switched on once) has the same
 * limits, so a client's pattern can never make the broker backtrack for ever. RE2-only syntax (e.g. `(?i)`) is
 * refused here.
 */
export function transactionalIdMatcher(pattern: string): RegExp | null {
  useLinearRegexps();
  try {
    new RegExp(pattern, 'l'); // compiles alone first: a pattern like "a)|(b" must not escape the anchors below
    return new RegExp(`^(?:${pattern})$`, 'l');
  } catch {
    return null;
  }
}

export default handler(ListTransactionsApi, (req, ctx) => {
  const pattern = req.transactionalIdPattern ? transactionalIdMatcher(req.transactionalIdPattern) : undefined;
  if (pattern === null) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters: [], transactionStates: [] };
  const { unknownStates, transactions } = ctx.broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters: unknownStates,
    transactionStates: transactions
      .filter((t) => (pattern === undefined || pattern.test(t.transactionalId)) && authorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId))
      .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
  };
});
