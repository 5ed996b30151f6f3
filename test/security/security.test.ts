/**
 * Security with real clients over real sockets: TLS listeners (SSL, SASL_SSL) on the --tls auto CA, SASL PLAIN,
 * SCRAM-SHA-256/512 and OAUTHBEARER with kafkajs, kcat, confluent-kafka-python and kafka-python, mTLS principals,
 * and bad input (wrong and tampered credentials, malformed messages, TLS/plaintext mix-ups) that must get Kafka's
 * error or a closed connection while the broker keeps serving.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { once } from 'node:events';
import { pino } from 'pino';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startTestBroker, run } from '../helpers.js';
import { unsecuredJws, type RunningBroker } from '../../src/index.js';
import { MetadataApi, SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { RawSession, scramClient } from './raw-session.js';

let broker: RunningBroker;
let ca: string;
const logLines: string[] = [];
const principals = new Set<string>();
const port = (listener: string) => Number(broker.nodes[0].listeners[listener].split(':').pop());
const address = (listener: string) => broker.nodes[0].listeners[listener];

before(async () => {
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  broker = await startTestBroker({
    logger: pino({ level: 'debug' }, sink),
    config: {
      'ssl.auto': true, 'ssl.client.auth': 'requested', 'sasl.users': 'alice:secret,bob:hunter2:SCRAM-SHA-512',
      'connection.failed.authentication.delay.ms': 0, // (a thousand failed logins below; the delay is tested in plain-login.test.ts)
      'listeners': 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    },
  });
  ca = broker.tls!.ca;
  broker.broker.authorizer = { intercept: (call, next) => { principals.add(call.ctx.session.principal); return next(); } };
});
after(async () => { await broker.close(); });

const kafkajs = (listener: string, sasl?: SASLOptions, tls: { cert?: string; key?: string } = {}) => new Kafka({
  brokers: [address(listener)], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: listener.includes('SSL') ? { ca: [ca], ...tls } : undefined, sasl,
});

async function roundTrip(kafka: Kafka, topic: string, value: string): Promise<string> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = new Promise<string>((resolve) => { void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }); });
  const value0 = await got;
  await consumer.disconnect();
  return value0;
}

test('kafkajs over SSL produces and consumes; the development CA verifies the broker', async () => {
  assert.equal(await roundTrip(kafkajs('SSL'), 'over-ssl', 'encrypted'), 'encrypted');
  assert.ok(principals.has('User:ANONYMOUS'), 'no client certificate: ANONYMOUS, as Kafka');
});

for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
  test(`kafkajs SASL_SSL with ${mechanism}: the right password works, a wrong one and an unknown user get Kafka's error`, async () => {
    assert.equal(await roundTrip(kafkajs('SASL_SSL', { mechanism, username: 'alice', password: 'secret' } as SASLOptions), `sasl-${mechanism}`, mechanism), mechanism);
    assert.ok(principals.has('User:alice'));
    const expected = mechanism === 'plain' ? /Invalid username or password/ : new RegExp(`invalid credentials with SASL mechanism ${mechanism.toUpperCase()}`);
    await assert.rejects(kafkajs('SASL_SSL', { mechanism, username: 'alice', password: 'wrong' } as SASLOptions).admin().connect(), expected);
    await assert.rejects(kafkajs('SASL_SSL', { mechanism, username: 'mallory', password: 'secret' } as SASLOptions).admin().connect(), expected);
  });
}

test('a user created for one SCRAM mechanism only cannot use the other', async () => {
  const admin = kafkajs('SASL_SSL', { mechanism: 'scram-sha-512', username: 'bob', password: 'hunter2' }).admin();
  await admin.connect();
  await admin.disconnect();
  await assert.rejects(kafkajs('SASL_SSL', { mechanism: 'scram-sha-256', username: 'bob', password: 'hunter2' }).admin().connect(), /invalid credentials/);
});

test('kafkajs OAUTHBEARER with an unsecured JWS: the principal is `sub`; an expired token is refused', async () => {
  const token = (exp: number) => ({ mechanism: 'oauthbearer' as const, oauthBearerProvider: async () => ({ value: unsecuredJws({ sub: 'svc-orders', exp, iat: Math.floor(Date.now() / 1000) - 10 }) }) });
  assert.equal(await roundTrip(kafkajs('SASL_SSL', token(Math.floor(Date.now() / 1000) + 3600)), 'oauth', 'bearer'), 'bearer');
  assert.ok(principals.has('User:svc-orders'));
  // Kafka answers a bad token with an RFC 7628 error challenge and fails on the next step; kafkajs then loses the connection.
  const admin = kafkajs('SASL_SSL', token(Math.floor(Date.now() / 1000) - 3600)).admin();
  await assert.rejects(admin.connect().then(() => admin.listTopics()));
  await admin.disconnect();
});

test('kcat: SASL_SSL with SCRAM-SHA-512, and mTLS whose principal is the certificate subject', async () => {
  const caPath = broker.tls!.caPath;
  const sasl = ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${caPath}`, '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=bob', '-X', 'sasl.password=hunter2'];
  const produced = await run('kcat', ['-P', '-b', address('SASL_SSL'), '-t', 'kcat-scram', ...sasl], { input: 'one\ntwo\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run('kcat', ['-C', '-b', address('SASL_SSL'), '-t', 'kcat-scram', '-o', 'beginning', '-e', '-q', ...sasl]);
  assert.deepEqual(consumed.stdout.trim().split('\n'), ['one', 'two']);

  const client = broker.issueClientCertificate('carol');
  const mtls = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${caPath}`, '-X', `ssl.certificate.location=${client.certPath}`, '-X', `ssl.key.location=${client.keyPath}`];
  const viaCert = await run('kcat', ['-P', '-b', address('SSL'), '-t', 'kcat-mtls', ...mtls], { input: 'signed\n' });
  assert.equal(viaCert.code, 0, viaCert.stderr);
  assert.ok(principals.has('User:CN=carol,OU=samsa'), [...principals].join(' '));
});

test('confluent-kafka-python over SASL_SSL with SCRAM-SHA-256', async () => {
  const script = `
import sys
from confluent_kafka import Producer
errors = []
p = Producer({'bootstrap.servers': sys.argv[1], 'security.protocol': 'SASL_SSL', 'ssl.ca.location': sys.argv[2],
              'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'alice', 'sasl.password': sys.argv[3]})
p.produce('py-confluent', b'from python', callback=lambda err, msg: errors.append(err))
left = p.flush(15)
print('ok' if left == 0 and errors == [None] else 'failed %s %s' % (left, errors))
`;
  const ok = await run('/usr/bin/python3', ['-c', script, address('SASL_SSL'), broker.tls!.caPath, 'secret'], { timeoutMs: 30_000 });
  assert.equal(ok.stdout.trim(), 'ok', ok.stderr);
});

test('kafka-python 2.0.2 with SCRAM-SHA-512 over SASL_PLAINTEXT (SaslHandshake v0, raw tokens)', async () => {
  const script = `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1], security_protocol='SASL_PLAINTEXT', sasl_mechanism='SCRAM-SHA-512',
                  sasl_plain_username='bob', sasl_plain_password=sys.argv[2], api_version_auto_timeout_ms=5000)
p.send('py-scram', b'scram from python').get(timeout=10)
p.close()
print('ok')
`;
  const ok = await run('/usr/bin/python3', ['-c', script, address('SASL_PLAINTEXT'), 'hunter2'], { timeoutMs: 30_000 });
  assert.equal(ok.stdout.trim(), 'ok', ok.stderr);
  const bad = await run('/usr/bin/python3', ['-c', script, address('SASL_PLAINTEXT'), 'wrong'], { timeoutMs: 30_000 });
  assert.notEqual(bad.stdout.trim(), 'ok');
});

async function handshake(session: RawSession, mechanism: string, version = 1) {
  return session.call(SaslHandshakeApi, version, { mechanism });
}
const metadataV1 = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

test('raw SCRAM: a tampered proof and a malformed client-first get SASL_AUTHENTICATION_FAILED, then the connection closes', async () => {
  const generic = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256';
  // The honest exchange, checking the server signature too.
  const honest = await RawSession.open(port('SASL_PLAINTEXT'));
  assert.equal((await handshake(honest, 'SCRAM-SHA-256'))!.errorCode, ErrorCode.NONE);
  const client = scramClient('SCRAM-SHA-256', 'alice', 'secret');
  const first = await honest.call(SaslAuthenticateApi, 1, { authBytes: client.first });
  const final = client.final(first!.authBytes);
  const done = await honest.call(SaslAuthenticateApi, 1, { authBytes: final.message });
  assert.equal(done!.errorCode, ErrorCode.NONE);
  assert.equal(done!.authBytes.toString(), `v=${final.serverSignature}`);
  honest.close();

  const tampered = await RawSession.open(port('SASL_PLAINTEXT'));
  await handshake(tampered, 'SCRAM-SHA-256');
  const c2 = scramClient('SCRAM-SHA-256', 'alice', 'secret');
  const f2 = c2.final((await tampered.call(SaslAuthenticateApi, 1, { authBytes: c2.first }))!.authBytes);
  const proofAt = f2.message.indexOf('p=') + 2;
  f2.message[proofAt] = f2.message[proofAt] === 0x41 ? 0x42 : 0x41;
  const refused = await tampered.call(SaslAuthenticateApi, 1, { authBytes: f2.message });
  assert.equal(refused!.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(refused!.errorMessage, generic);
  assert.equal(await tampered.next(), null, 'closed after the answer');

  const malformed = await RawSession.open(port('SASL_PLAINTEXT'));
  await handshake(malformed, 'SCRAM-SHA-256');
  const bad = await malformed.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from('hello, world') });
  assert.equal(bad!.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(bad!.errorMessage, generic);
  assert.equal(await malformed.next(), null);
});

test('an unknown mechanism is answered with the enabled ones, then the connection closes', async () => {
  const session = await RawSession.open(port('SASL_PLAINTEXT'));
  const answer = await handshake(session, 'GSSAPI');
  assert.equal(answer!.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assert.deepEqual(answer!.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']);
  assert.equal(await session.next(), null);
});

test('TLS on a plaintext port, plaintext on a TLS port and a truncated TLS handshake are closed; the broker keeps serving', async () => {
  const tlsOnPlain = connectTls({ port: port('PLAINTEXT'), host: '127.0.0.1', ca: [ca], servername: 'localhost' });
  const [err] = await Promise.race([once(tlsOnPlain, 'error'), once(tlsOnPlain, 'close').then(() => [null])]);
  assert.ok(err === null || err instanceof Error);
  tlsOnPlain.destroy();

  const plainOnTls = await RawSession.open(port('SSL'));
  assert.equal(await plainOnTls.call(MetadataApi, 1, metadataV1), null);

  const truncated = connectTcp(port('SSL'), '127.0.0.1');
  await once(truncated, 'connect');
  truncated.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])); // half a ClientHello
  truncated.end();
  await once(truncated, 'close');

  const still = await RawSession.open(port('SSL'), { ca });
  const meta = await still.call(MetadataApi, 1, metadataV1);
  assert.ok(meta && meta.brokers.length === 1);
  still.close();
});

test('1,000 failed logins in a row each get SASL_AUTHENTICATION_FAILED; the broker keeps serving and logs no secret', async () => {
  const before0 = broker.broker.security.failedLogins;
  for (let i = 0; i < 1000; i++) {
    const s = await RawSession.open(port('SASL_PLAINTEXT'));
    await handshake(s, 'SCRAM-SHA-512');
    const r = await s.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from(`n,,n=nobody${i},r=abcdefgh`) });
    assert.equal(r!.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    s.close();
  }
  assert.equal(broker.broker.security.failedLogins - before0, 1000);
  const admin = kafkajs('SASL_SSL', { mechanism: 'scram-sha-256', username: 'alice', password: 'secret' }).admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
  const logs = logLines.join('');
  assert.match(logs, /failed authentication/);
  for (const secret of ['secret', 'hunter2']) assert.ok(!logs.includes(secret), `a password appears in the log: ${secret}`);
});
