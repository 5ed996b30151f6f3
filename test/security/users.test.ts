/**
 * Users, sessions and the registry: Describe/AlterUserScramCredentials as on Kafka, users kept in __samsa_users
 * across a restart (salted and iterated, never the password), KIP-368 session lifetime on a ManualClock, HTTP Basic
 * on the Schema Registry, the principal mapping rules, and `samsa tls client`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startTestBroker, tempDir, run } from '../helpers.js';
import { ManualClock, unsecuredJws } from '../../src/index.js';
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, MetadataApi, SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { mapPrincipal, parsePrincipalRules } from '../../src/security/principal.js';
import { RawSession } from './raw-session.js';

const scramLogin = (bootstrap: string, username: string, password: string, mechanism: 'scram-sha-256' | 'scram-sha-512' = 'scram-sha-256') =>
  new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism, username, password } as SASLOptions }).admin();

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('AlterUserScramCredentials creates and deletes users, DescribeUserScramCredentials lists them; users survive a restart and no password is stored', async () => {
  const data = tempDir();
  try {
    let broker = await startTestBroker({ dataDir: data.dir, config: { 'sasl.users': 'alice:first-secret' } });
    const port = broker.port;
    const salt = randomBytes(16);
    const upsert = { name: 'carol', mechanism: 1, iterations: 8192, salt, saltedPassword: pbkdf2Sync('carol-secret', salt, 8192, 32, 'sha256') };
    const session = await RawSession.open(port);
    const altered = await session.call(AlterUserScramCredentialsApi, 0, {
      deletions: [{ name: 'nobody', mechanism: 2 }],
      upsertions: [upsert, { ...upsert, name: 'dave', iterations: 100 }, { ...upsert, name: 'erin', mechanism: 7 }],
    });
    assert.deepEqual(altered!.results.map((r) => [r.user, r.errorCode, r.errorMessage]), [
      ['nobody', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      ['carol', ErrorCode.NONE, null],
      ['dave', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      ['erin', ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
    ]);
    const described = await session.call(DescribeUserScramCredentialsApi, 0, { users: [{ name: 'alice' }, { name: 'carol' }, { name: 'zed' }] });
    assert.deepEqual(described!.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((c) => [c.mechanism, c.iterations])]), [
      ['alice', ErrorCode.NONE, [[1, 4096], [2, 4096]]],
      ['carol', ErrorCode.NONE, [[1, 8192]]],
      ['zed', ErrorCode.RESOURCE_NOT_FOUND, []],
    ]);
    assert.equal(described!.results[2].errorMessage, 'Attempt to describe a user credential that does not exist: zed');
    session.close();
    const admin = scramLogin(broker.bootstrap, 'carol', 'carol-secret');
    await admin.connect();
    await admin.disconnect();
    await broker.close();

    // Restarted without sasl.users: alice and carol are still there (replayed from __samsa_users).
    broker = await startTestBroker({ dataDir: data.dir });
    for (const [user, password] of [['alice', 'first-secret'], ['carol', 'carol-secret']]) {
      const a = scramLogin(broker.bootstrap, user, password);
      await a.connect();
      await a.disconnect();
    }
    await assert.rejects(scramLogin(broker.bootstrap, 'carol', 'wrong').connect(), /invalid credentials/);
    await broker.close();
    const stored = filesUnder(data.dir).filter((f) => f.includes('__samsa_users')).map((f) => readFileSync(f).toString('latin1')).join('');
    assert.match(stored, /storedKey/);
    for (const secret of ['first-secret', 'carol-secret']) assert.ok(!stored.includes(secret), `${secret} is stored`);
  } finally {
    data.remove();
  }
});

const metadataV1 = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
const plainToken = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);

test('connections.max.reauth.ms: the lifetime is returned, re-authentication extends it, a session past it is closed (KIP-368)', async () => {
  const clock = new ManualClock(Date.now());
  const broker = await startTestBroker({ clock, config: { 'sasl.users': 'alice:secret', 'connections.max.reauth.ms': 60_000, 'listeners': 'SASL_PLAINTEXT://127.0.0.1:0' } });
  try {
    const session = await RawSession.open(broker.port);
    await session.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
    const auth = await session.call(SaslAuthenticateApi, 2, { authBytes: plainToken('alice', 'secret') });
    assert.equal(auth!.errorCode, ErrorCode.NONE);
    assert.equal(auth!.sessionLifetimeMs, 60_000);
    await clock.advance(50_000);
    assert.ok(await session.call(MetadataApi, 1, metadataV1));
    // Re-authenticate on the same connection: a fresh lifetime.
    assert.equal((await session.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' }))!.errorCode, ErrorCode.NONE);
    assert.equal((await session.call(SaslAuthenticateApi, 2, { authBytes: plainToken('alice', 'secret') }))!.sessionLifetimeMs, 60_000);
    await clock.advance(50_000);
    assert.ok(await session.call(MetadataApi, 1, metadataV1), 'still inside the renewed lifetime');
    await clock.advance(20_000);
    assert.equal(await session.call(MetadataApi, 1, metadataV1), null, 'past its lifetime without re-authenticating: closed');

    // An OAUTHBEARER token expiring sooner caps the lifetime.
    const oauth = await RawSession.open(broker.port);
    await oauth.call(SaslHandshakeApi, 1, { mechanism: 'OAUTHBEARER' });
    const jws = unsecuredJws({ sub: 'svc', exp: Math.floor(clock.now() / 1000) + 30 });
    const answer = await oauth.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from(`n,,\u0001auth=Bearer ${jws}\u0001\u0001`) });
    assert.equal(answer!.errorCode, ErrorCode.NONE);
    assert.ok(answer!.sessionLifetimeMs > 28_000 && answer!.sessionLifetimeMs <= 30_000, String(answer!.sessionLifetimeMs));
    oauth.close();
    // An expired token: the RFC 7628 error challenge, then failure with it after the client's %x01.
    const expired = await RawSession.open(broker.port);
    await expired.call(SaslHandshakeApi, 1, { mechanism: 'OAUTHBEARER' });
    const old = unsecuredJws({ sub: 'svc', exp: Math.floor(clock.now() / 1000) - 3600 });
    const challenge = await expired.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from(`n,,\u0001auth=Bearer ${old}\u0001\u0001`) });
    assert.equal(challenge!.errorCode, ErrorCode.NONE);
    assert.deepEqual(JSON.parse(challenge!.authBytes.toString()), { status: 'invalid_token' });
    const failed = await expired.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from([1]) });
    assert.equal(failed!.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(failed!.errorMessage, '{"status":"invalid_token"}');
  } finally {
    await broker.close();
  }
});

test('validateToken hook: real tokens are checked by the application', async () => {
  const broker = await startTestBroker({ validateToken: (token) => (token === 'good-token' ? { principal: 'app' } : null), config: { 'listeners': 'SASL_PLAINTEXT://127.0.0.1:0' } });
  try {
    const login = (value: string) => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) } }).admin();
    const ok = login('good-token');
    await ok.connect();
    await ok.listTopics();
    await ok.disconnect();
    const bad = login('bad-token');
    await assert.rejects(bad.connect().then(() => bad.listTopics()));
    await bad.disconnect();
  } finally {
    await broker.close();
  }
});

test('registry.auth=basic: Confluent 401 without or with wrong credentials, 200 with a SASL user', async () => {
  const broker = await startTestBroker({ registryPort: -1, config: { 'registry.auth': 'basic', 'sasl.users': 'alice:secret' } });
  try {
    const get = (auth?: string) => fetch(`${broker.registryUrl}/subjects`, { headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} });
    for (const auth of [undefined, 'alice:wrong', 'nobody:secret']) {
      const res = await get(auth);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error_code: 401, message: 'Unauthorized' });
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    }
    const ok = await get('alice:secret');
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), []);

    // Confluent's Python client with basic.auth.user.info, and @kafkajs/confluent-schema-registry with auth.
    const script = `
import sys
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
c = SchemaRegistryClient({'url': sys.argv[1], 'basic.auth.user.info': sys.argv[2]})
print(c.register_schema('auth-value', Schema('{"type":"string"}', 'AVRO')))
`;
    const registered = await run('/usr/bin/python3', ['-c', script, broker.registryUrl!, 'alice:secret']);
    assert.match(registered.stdout.trim(), /^\d+$/, registered.stderr);
    const refused = await run('/usr/bin/python3', ['-c', script, broker.registryUrl!, 'alice:nope']);
    assert.match(refused.stderr, /Unauthorized/);
    const { SchemaRegistry } = await import('@kafkajs/confluent-schema-registry');
    const registry = new SchemaRegistry({ host: broker.registryUrl!, auth: { username: 'alice', password: 'secret' } });
    assert.equal(await registry.getLatestSchemaId('auth-value'), Number(registered.stdout.trim()));
  } finally {
    await broker.close();
  }
});

test('ssl.principal.mapping.rules rewrite a subject as Kafka\'s SslPrincipalMapper does', () => {
  const rules = parsePrincipalRules('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=.*$/$1@$2/L,DEFAULT');
  assert.equal(mapPrincipal('CN=kafka-svc,OU=ServiceUsers,O=Org', rules), 'kafka-svc');
  assert.equal(mapPrincipal('CN=Duke,OU=SME,O=mycp,L=Fulton', rules), 'duke@sme');
  assert.equal(mapPrincipal('CN=other', rules), 'CN=other');
  assert.equal(mapPrincipal('CN=x,OU=y', parsePrincipalRules('RULE:^CN=([^,]*),.*$/$1/U')), 'X');
  assert.equal(mapPrincipal('O=nobody', parsePrincipalRules('RULE:^CN=(.*)$/$1/')), null);
});

test('`samsa tls client NAME` issues a client certificate the --tls auto CA verifies', async () => {
  const data = tempDir();
  try {
    const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
    const out = await run(process.execPath, [cli, 'tls', 'client', 'dave', '--data-dir', data.dir]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /User:CN=dave,OU=samsa/);
    const dir = join(data.dir, 'tls');
    assert.ok(existsSync(join(dir, 'dave-key.pem')));
    const verified = await run('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'dave.pem')]);
    assert.match(verified.stdout, /OK/);
    assert.equal(statSync(join(dir, 'dave-key.pem')).mode & 0o077, 0, 'the key is readable by its owner only');
  } finally {
    data.remove();
  }
});

test('bad security settings stop start-up with one config error that never echoes a password', async () => {
  const refused = async (config: Record<string, string>, pattern: RegExp) => {
    await assert.rejects(startTestBroker({ config }), (err: Error) => {
      assert.equal((err as { code?: string }).code, 'SAMSA_CONFIG_ERROR');
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('p4ss'), err.message);
      return true;
    });
  };
  await refused({ 'sasl.enabled.mechanisms': 'PLAIN,GSSAPI' }, /GSSAPI not supported/);
  await refused({ 'sasl.users': 'alice:p4ss,bob' }, /sasl.users: each user is name:password/);
  await refused({ 'sasl.users': 'alice:p4ss,carol:' }, /user carol has an empty password/);
  await refused({ 'ssl.principal.mapping.rules': 'RULE:^CN=(.*$/$1/' }, /ssl.principal.mapping.rules: bad pattern/);
  await refused({ 'ssl.client.auth': 'maybe' }, /ssl.client.auth/);
});
