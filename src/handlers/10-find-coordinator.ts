/**
 * FindCoordinator 0-2: the node that coordinates the group (key type 0) or transactional id (key type 1), spread
 * over the cluster by the key's hash (see metadata/placement.ts); any node answers.
 * v0 has no key type (always a group). Other key types get INVALID_REQUEST. Needs DESCRIBE on the group (else
 * GROUP_AUTHORIZATION_FAILED) or transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { FindCoordinatorApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { endpointOf } from '../broker.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(FindCoordinatorApi, (req, ctx) => {
  const { broker, session } = ctx;
  const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
  if (req.keyType !== 0 && req.keyType !== 1) return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${req.keyType}`);
  if (req.keyType === 0 && !authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, req.key)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
  if (req.keyType === 1 && !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, req.key)) {
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.');
  }
  const node = broker.coordinatorNode(req.key)!;
  const { host, port } = endpointOf(node, session.listener);
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: node.id, host, port };
});
