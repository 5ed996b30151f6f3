/** SASL/PLAIN with real clients: kafkajs (SaslAuthenticate), kcat (librdkafka) and kafka-python (raw v0 tokens). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, run } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ config: { 'sasl.plain.users': 'alice:secret' } }); });
after(async () => { await broker.close(); });

const kafkajsAs = (password: string) => new Kafka({
  brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
  sasl: { mechanism: 'plain', username: 'alice', password },
});

test('kafkajs authenticates with SASL/PLAIN and produces; a wrong password is refused', async () => {
  const producer = kafkajsAs('secret').producer();
  await producer.connect();
  await producer.send({ topic: 'sasl', messages: [{ value: 'authenticated' }] });
  await producer.disconnect();
  await assert.rejects(kafkajsAs('wrong').admin().connect(), /SASL|Authentication failed/i);
  // SCRAM is served now (test/server/security.test.ts); AWS-MSK-IAM is a mechanism Kafka itself does not offer.
  await assert.rejects(new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'aws', authorizationIdentity: 'a', accessKeyId: 'b', secretAccessKey: 'c' } }).admin().connect(),
    /mechanism|UNSUPPORTED_SASL/i);
});

test('kcat (librdkafka) with security.protocol=SASL_PLAINTEXT', async () => {
  const sasl = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice'];
  const produced = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'sasl-kcat', ...sasl, '-X', 'sasl.password=secret'], { input: 'one\ntwo\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', 'sasl-kcat', '-o', 'beginning', '-e', '-q', ...sasl, '-X', 'sasl.password=secret']);
  assert.deepEqual(consumed.stdout.trim().split('\n'), ['one', 'two']);
  const refused = await run('kcat', ['-L', '-b', broker.bootstrap, ...sasl, '-X', 'sasl.password=nope', '-m', '3'], { timeoutMs: 15_000 });
  assert.notEqual(refused.code, 0);
});

test('kafka-python sends SaslHandshake v0 and then a raw token', async () => {
  const script = `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1], security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN',
                  sasl_plain_username='alice', sasl_plain_password=sys.argv[2], api_version_auto_timeout_ms=5000)
p.send('sasl-python', b'from python').get(timeout=10)
p.close()
print('ok')
`;
  const ok = await run('/usr/bin/python3', ['-c', script, broker.bootstrap, 'secret'], { timeoutMs: 30_000 });
  assert.equal(ok.stdout.trim(), 'ok', ok.stderr);
  const bad = await run('/usr/bin/python3', ['-c', script, broker.bootstrap, 'wrong'], { timeoutMs: 30_000 });
  assert.notEqual(bad.stdout.trim(), 'ok');
});
