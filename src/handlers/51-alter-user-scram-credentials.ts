/**
 * AlterUserScramCredentials 0 (KIP-554): deletions and upsertions of SCRAM credentials, stored as records in
 * __samsa_users. The client sends the salted password (SaltedPassword = Hi(password, salt, i)); the broker keeps
 * StoredKey and ServerKey derived from it. Per-user errors as Kafka's ScramControlManager: empty name, unknown
 * mechanism, iterations outside 4096..16384, deleting what does not exist, a user altered twice in one request.
 * Needs ALTER on the cluster (else every user answers CLUSTER_AUTHORIZATION_FAILED and nothing changes), as Kafka's.
 */
import { handler } from './handler.js';
import { AlterUserScramCredentialsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { credentialFromSaltedPassword, scramMechanismOfType, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, type ScramCredential, type ScramMechanism } from '../security/scram.js';

export default handler(AlterUserScramCredentialsApi, async (req, ctx) => {
  if (!authorized(ctx, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
    const named = new Set([...req.deletions, ...req.upsertions].map((u) => u.name));
    return { throttleTimeMs: 0, results: [...named].map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })) };
  }
  const users = ctx.broker.security.users;
  const errors = new Map<string, { errorCode: number; errorMessage: string }>();
  const fail = (user: string, errorCode: number, errorMessage: string) => { if (!errors.has(user)) errors.set(user, { errorCode, errorMessage }); };
  const count = new Map<string, number>();
  for (const { name } of [...req.deletions, ...req.upsertions]) count.set(name, (count.get(name) ?? 0) + 1);
  for (const [name, n] of count) if (n > 1) fail(name, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');

  const changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential | null }> = [];
  for (const d of req.deletions) {
    const mechanism = scramMechanismOfType(d.mechanism);
    if (d.name === '') fail(d.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    else if (!mechanism) fail(d.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    else if (!users.get(d.name, mechanism)) fail(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    else changes.push({ user: d.name, mechanism, credential: null });
  }
  for (const u of req.upsertions) {
    const mechanism = scramMechanismOfType(u.mechanism);
    if (u.name === '') fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    else if (!mechanism) fail(u.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    else if (u.iterations < SCRAM_MIN_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
    else if (u.iterations > SCRAM_MAX_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
    else if (u.salt.length === 0 || u.saltedPassword.length === 0) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
    else changes.push({ user: u.name, mechanism, credential: credentialFromSaltedPassword(mechanism, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations) });
  }
  await users.apply(changes.filter((c) => !errors.has(c.user)));
  return {
    throttleTimeMs: 0,
    results: [...count.keys()].map((user) => ({ user, errorCode: errors.get(user)?.errorCode ?? ErrorCode.NONE, errorMessage: errors.get(user)?.errorMessage ?? null })),
  };
});
