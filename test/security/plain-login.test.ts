/**
 * SASL/PLAIN against the broker's users, raw: with no users it lets anyone in only while the authorizer is off
 * (with it on nobody, as Kafka); it checks the password the user was given last (a SCRAM credential replaced for one
 * mechanism); a failure is answered after connection.failed.authentication.delay.ms; what the client sent is clipped
 * in the failure's log line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startTestBroker } from '../helpers.js';
import { SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { newCredential } from '../../src/security/scram.js';
import type { RunningBroker, StartOptions } from '../../src/index.js';
import { RawSession } from './raw-session.js';

async function withSaslBroker(config: NonNullable<StartOptions['config']>, body: (broker: RunningBroker, port: number, logs: string[]) => Promise<void>): Promise<void> {
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const broker = await startTestBroker({ logger: pino({ level: 'info' }, sink), config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', ...config } });
  try {
    await body(broker, Number(broker.nodes[0].listeners.SASL_PLAINTEXT.split(':').pop()), logs);
  } finally {
    await broker.close();
  }
}

/** A PLAIN login on a fresh connection: its error code and how long the answer took. */
async function plainLogin(port: number, user: string, password: string): Promise<{ errorCode: number | undefined; ms: number }> {
  const session = await RawSession.open(port);
  try {
    assert.equal((await session.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' }))!.errorCode, ErrorCode.NONE);
    const start = performance.now();
    const answer = await session.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) });
    return { errorCode: answer?.errorCode, ms: performance.now() - start };
  } finally {
    session.close();
  }
}

test('no users: PLAIN lets anyone in with the authorizer off (and warns once), nobody with it on', async () => {
  await withSaslBroker({}, async (_broker, port, logs) => {
    assert.equal((await plainLogin(port, 'anyone', 'anything')).errorCode, ErrorCode.NONE);
    assert.equal((await plainLogin(port, 'admin', 'whatever')).errorCode, ErrorCode.NONE);
    assert.equal(logs.filter((l) => l.includes('without a password check')).length, 1);
  });
  await withSaslBroker({ 'authorizer.enabled': true, 'super.users': 'User:admin' }, async (_broker, port) => {
    assert.equal((await plainLogin(port, 'admin', 'anything')).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  });
});

test("PLAIN checks the password a user was given last: replacing one mechanism's credential retires the old password", async () => {
  await withSaslBroker({ 'sasl.users': 'alice:old-secret', 'connection.failed.authentication.delay.ms': 0 }, async (broker, port) => {
    assert.equal((await plainLogin(port, 'alice', 'old-secret')).errorCode, ErrorCode.NONE);
    // As `kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=new-secret]'` (the SHA-256 one keeps the old).
    const credential = await newCredential('SCRAM-SHA-512', 'new-secret');
    await broker.broker.security.users.apply([{ user: 'alice', mechanism: 'SCRAM-SHA-512', credential }]);
    assert.equal((await plainLogin(port, 'alice', 'old-secret')).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal((await plainLogin(port, 'alice', 'new-secret')).errorCode, ErrorCode.NONE);
  });
});

test('a failed login is answered after connection.failed.authentication.delay.ms; its log line clips the user name', async () => {
  await withSaslBroker({ 'sasl.users': 'alice:secret', 'connection.failed.authentication.delay.ms': 300 }, async (_broker, port, logs) => {
    const failed = await plainLogin(port, 'x'.repeat(100_000), 'wrong');
    assert.equal(failed.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.ok(failed.ms >= 290, `answered after ${failed.ms} ms`);
    const line = logs.find((l) => l.includes('failed authentication'))!;
    assert.ok(line.length < 2_000, `a ${line.length}-character log line`);
    const ok = await plainLogin(port, 'alice', 'secret');
    assert.equal(ok.errorCode, ErrorCode.NONE);
  });
});
