/** The in-process Samsa the security column runs against (npm run compat without --bootstrap, and its test). */
import type { Logger } from 'pino';
import { startBroker } from '../../src/index.js';
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/security/acl.js';
import type { SecureSettings } from './harness.js';

/** The SCRAM user and the topic an ACL lets it describe but not write. */
const SECURE_USER = { user: 'compat', password: 'compat-secret', deniedTopic: 'samsa-compat-denied' };

/**
 * A second in-process Samsa for the security column: one SASL_SSL listener on the `--tls auto` certificate, a
 * SCRAM-SHA-512 user, the authorizer on (everything a user is not named in allowed), and one topic the user may
 * only describe, so a write to it is an ACL denial.
 */
export async function startSecureSamsa(logger?: Logger): Promise<{ settings: SecureSettings; close(): Promise<void> }> {
  const broker = await startBroker({
    port: 0, inMemory: true, registryPort: 0, adminPort: 0, ...(logger ? { logger } : { logLevel: 'silent' }),
    config: {
      'ssl.auto': true, 'listeners': 'SASL_SSL://127.0.0.1:0', 'sasl.users': `${SECURE_USER.user}:${SECURE_USER.password}:SCRAM-SHA-512`,
      'authorizer.enabled': true, 'allow.everyone.if.no.acl.found': true,
    },
  });
  broker.broker.createTopic(SECURE_USER.deniedTopic, 1);
  await broker.broker.acls!.create([{
    resourceType: ResourceType.TOPIC, resourceName: SECURE_USER.deniedTopic, patternType: PatternType.LITERAL,
    principal: `User:${SECURE_USER.user}`, host: '*', operation: AclOperation.DESCRIBE, permissionType: AclPermission.ALLOW,
  }]);
  return { settings: { bootstrap: broker.bootstrap, caPath: broker.tls!.caPath, ...SECURE_USER }, close: () => broker.close() };
}
