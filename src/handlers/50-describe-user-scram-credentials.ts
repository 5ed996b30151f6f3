/**
 * DescribeUserScramCredentials 0 (KIP-554): each user's SCRAM mechanisms and iterations, never salts or keys; all
 * users when the list is null or empty. Messages as Kafka's ScramControlManager: RESOURCE_NOT_FOUND "Attempt to
 * describe a user credential that does not exist: <user>", DUPLICATE_RESOURCE for a user asked twice. Needs DESCRIBE
 * on the cluster (else CLUSTER_AUTHORIZATION_FAILED, no users named), as Kafka's.
 */
import { handler } from './handler.js';
import { DescribeUserScramCredentialsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { SCRAM_MECHANISMS } from '../security/scram.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DescribeUserScramCredentialsApi, (req, ctx) => {
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
  }
  const users = ctx.broker.security.users;
  const asked = req.users === null || req.users.length === 0 ? users.names() : req.users.map((u) => u.name);
  const seen = new Map<string, number>();
  for (const name of asked) seen.set(name, (seen.get(name) ?? 0) + 1);
  const results = [...seen].map(([user, times]) => {
    if (times > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
    if (!users.has(user)) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
    const credentialInfos = users.mechanismsOf(user).map(({ mechanism, iterations }) => ({ mechanism: SCRAM_MECHANISMS[mechanism].type, iterations }));
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
  });
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
});
