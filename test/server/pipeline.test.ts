/**
 * The request pipeline over real sockets: ApiVersions lists exactly what the router serves; a SASL_PLAINTEXT
 * listener answers nothing but ApiVersions and SASL before authentication (the PLAINTEXT listener of the same
 * broker keeps serving without it); each listener's clients are given that listener's addresses; the authorize and
 * faults hooks sit in the chain; the measure stage counts requests per API and version.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { ApiVersionsApi, MetadataApi } from '../../src/protocol/generated/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { HANDLERS } from '../../src/handlers/index.js';

let broker: RunningBroker;
before(async () => {
  broker = await startTestBroker({
    config: { 'listeners': 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', 'sasl.plain.users': 'alice:secret' },
  });
});
after(async () => { await broker.close(); });

const [plainAddress, saslAddress] = [() => broker.nodes[0].listeners.PLAINTEXT, () => broker.nodes[0].listeners.SASL_PLAINTEXT];
const portOf = (address: string) => Number(address.split(':').at(-1));
const METADATA_ALL = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

test('ApiVersions advertises exactly the versions the handlers declare', async () => {
  const res = await callApi(portOf(plainAddress()), ApiVersionsApi, 3, { clientSoftwareName: 'pipeline-test', clientSoftwareVersion: '1.0' });
  const want = HANDLERS.map((h) => ({ apiKey: h.api.key, minVersion: h.versions.min, maxVersion: h.versions.max }));
  assert.deepEqual(res.apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })).sort((a, b) => a.apiKey - b.apiKey),
    want.sort((a, b) => a.apiKey - b.apiKey));
});

test('a SASL_PLAINTEXT listener closes a connection that sends Metadata before authenticating; ApiVersions is answered', async () => {
  const port = portOf(saslAddress());
  const versions = await callApi(port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
  assert.equal(versions.errorCode, 0);
  await assert.rejects(callApi(port, MetadataApi, 8, METADATA_ALL), /closed without a response/);
  const plain = await callApi(portOf(plainAddress()), MetadataApi, 8, METADATA_ALL);
  assert.deepEqual(plain.brokers.map((b) => b.port), [portOf(plainAddress())], 'PLAINTEXT clients get PLAINTEXT addresses');
});

test('kafkajs with SASL/PLAIN works on the SASL listener (and is given its address); wrong credentials are refused', async () => {
  const client = (password: string) => new Kafka({ brokers: [saslAddress()], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'alice', password }, retry: { retries: 0 } });
  const admin = client('secret').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'over-sasl' }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['over-sasl'] });
  assert.equal(meta.topics[0].partitions.length, 1);
  const cluster = await admin.describeCluster();
  assert.deepEqual(cluster.brokers.map((b) => b.port), [portOf(saslAddress())]);
  await admin.disconnect();
  const wrong = client('wrong').admin();
  await assert.rejects(wrong.connect(), /SASL|authentication/i);
});

test('the authorize and faults hooks sit in the chain before measure: an interceptor may answer instead of the handler', async () => {
  const port = portOf(plainAddress());
  const before = broker.broker.requestMetrics.snapshot().find((s) => s.apiKey === MetadataApi.key && s.version === 8)?.count ?? 0;
  broker.broker.faults = {
    intercept: (call, next) => (call.handler.api.key === MetadataApi.key
      ? { throttleTimeMs: 0, brokers: [], clusterId: 'from-the-hook', controllerId: -1, topics: [], clusterAuthorizedOperations: 0 }
      : next()),
  };
  try {
    const res = await callApi(port, MetadataApi, 8, METADATA_ALL);
    assert.equal(res.clusterId, 'from-the-hook');
  } finally {
    broker.broker.faults = { intercept: (_call, next) => next() };
  }
  const res = await callApi(port, MetadataApi, 8, METADATA_ALL);
  assert.notEqual(res.clusterId, 'from-the-hook');
  const after = broker.broker.requestMetrics.snapshot().find((s) => s.apiKey === MetadataApi.key && s.version === 8)!;
  assert.equal(after.count - before, 1, 'measured: the request that reached its handler, not the one the hook answered');
  assert.equal(after.buckets.at(-1), after.count, 'the +Inf bucket counts every request');
});

test('an unknown API key closes the connection; the broker keeps serving', async () => {
  const sock = new Socket();
  sock.connect(portOf(plainAddress()), '127.0.0.1');
  await once(sock, 'connect');
  const w = new Writer();
  w.int32(0).int16(9999).int16(0).int32(1).nullableString('x', false);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  sock.write(frame);
  await once(sock, 'close');
  assert.equal((await callApi(portOf(plainAddress()), ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' })).errorCode, 0);
});
