/**
 * FindCoordinator 0-6: the node that coordinates the group (key type 0) or transactional id (key type 1), spread
 * over the cluster by the key's hash (see metadata/placement.ts); any node answers.
 * v0 has no key type (always a group; share groups too). v4+ (KIP-699) batch keys: one coordinator, or error, per key.
 * v6 names key type 2 (KIP-932's share-state coordinator, asked only between brokers): it and unknown key types get
 * INVALID_REQUEST. Needs DESCRIBE on the group (else
 * GROUP_AUTHORIZATION_FAILED) or transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { handler, type RequestContext } from './handler.js';
import { FindCoordinatorApi, type FindCoordinatorResponseCoordinators } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { endpointOf } from '../broker.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

/** The coordinator of one key, as a v4+ entry (v0-3 answer the same fields at the top level). */
function coordinatorOf(ctx: RequestContext, key: string, keyType: number): FindCoordinatorResponseCoordinators {
  const fail = (errorCode: number, errorMessage: string) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage });
  if (keyType !== 0 && keyType !== 1) return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}`);
  if (keyType === 0 && !authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
  if (keyType === 1 && !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.');
  }
  const node = ctx.broker.coordinatorNode(key)!;
  const { host, port } = endpointOf(node, ctx.session.listener);
  return { key, nodeId: node.id, host, port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default handler(FindCoordinatorApi, (req, ctx) => {
  if (ctx.version >= 4) {
    const coordinators = req.coordinatorKeys.map((key) => coordinatorOf(ctx, key, req.keyType));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators };
  }
  const { key: _key, ...found } = coordinatorOf(ctx, req.key, req.keyType);
  return { throttleTimeMs: 0, ...found, coordinators: [] };
});
