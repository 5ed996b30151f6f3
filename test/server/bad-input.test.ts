/**
 * Hostile and broken clients over raw sockets: each gets Kafka's answer or a closed connection, the broker keeps
 * serving everyone else, and nothing stored is lost.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { ApiVersionsApi, ProduceApi, MetadataApi, FetchApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ config: { 'socket.request.max.bytes': 1024 * 1024 } }); });
after(async () => { await broker.close(); });

/** Sends raw bytes; resolves with the first response frame, or null when the broker closes the connection. */
async function exchange(bytes: Buffer, timeoutMs = 3000): Promise<Buffer | null> {
  const sock = new Socket();
  sock.connect(broker.port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(bytes);
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); resolve(Buffer.from('timeout')); }, timeoutMs);
    sock.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
      }
    });
    sock.on('close', () => { clearTimeout(timer); resolve(null); });
    sock.on('error', () => {});
  });
}

function frame(apiKey: number, version: number, body: (w: Writer) => void, correlationId = 7): Buffer {
  const w = new Writer();
  w.int32(0).int16(apiKey).int16(version).int32(correlationId).nullableString('bad-client', false);
  body(w);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

async function brokerStillServes(): Promise<void> {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
}

test('ApiVersions at an unsupported version: error 35 in a v0 body listing our ApiVersions range', async () => {
  const res = await exchange(frame(18, 9, () => {}));
  assert.ok(res);
  const r = new Reader(res);
  assert.equal(r.int32(), 7);
  const body = ApiVersionsApi.readResponse(r, 0);
  assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.deepEqual(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
});

test('ApiVersions v3 (flexible) answers with a v0 response header and the census ranges', async () => {
  const res = await exchange(frame(18, 3, (w) => { w.taggedFields(); ApiVersionsApi.writeRequest(w, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }); }));
  const r = new Reader(res!);
  assert.equal(r.int32(), 7);
  const body = ApiVersionsApi.readResponse(r, 3);
  const ranges = new Map(body.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  assert.deepEqual(ranges.get(0), [3, 11]);
  assert.deepEqual(ranges.get(1), [4, 17]);
  assert.deepEqual(ranges.get(3), [0, 13]);
  assert.deepEqual([ranges.get(68), ranges.get(69)], [[0, 1], [0, 1]], 'KIP-848 consumer groups at Kafka 4.1\'s versions');
  assert.ok(!ranges.has(71), 'telemetry is never advertised (librdkafka would start pushing metrics)');
});

test('unknown API keys, unsupported versions, truncated and garbage frames close only that connection', async () => {
  assert.equal(await exchange(frame(999, 0, () => {})), null);
  assert.equal(await exchange(frame(3, 12, () => {})), null);
  assert.equal(await exchange(frame(3, 1, (w) => w.int32(5))), null, 'array of 5 topics with no bytes behind it');
  assert.equal(await exchange(Buffer.from([0, 0, 0, 2, 1, 2])), null, 'a frame too short for a header');
  await brokerStillServes();
});

test('negative and oversized length prefixes are refused before allocation', async () => {
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-1, 0);
  assert.equal(await exchange(negative), null);
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(2 ** 31 - 1, 0);
  assert.equal(await exchange(huge), null);
  await brokerStillServes();
});

test('a corrupt batch CRC gets CORRUPT_MESSAGE and stores nothing', async () => {
  const meta = await exchange(frame(3, 4, (w) => MetadataApi.writeRequest(w, 4, { topics: [{ topicId: Buffer.alloc(16), name: 'crc' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })));
  assert.ok(meta);
  const batch = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('value') }]);
  batch[batch.length - 1] ^= 0xff; // flip bits inside the CRC-covered records
  const produce = (records: Buffer) => frame(0, 7, (w) => ProduceApi.writeRequest(w, 7, {
    transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'crc', partitionData: [{ index: 0, records }] }],
  }));
  const res = await exchange(produce(batch));
  const r = new Reader(res!);
  r.int32();
  const body = ProduceApi.readResponse(r, 7);
  assert.equal(body.responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE);
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('crc');
  assert.equal(offsets[0].high, '0', 'nothing was stored');
  await admin.disconnect();
});

test('records above max.message.bytes get MESSAGE_TOO_LARGE', async () => {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }] });
  await admin.disconnect();
  const producer = kafkaClient(broker).producer({ retry: { retries: 0 } });
  await producer.connect();
  await assert.rejects(producer.send({ topic: 'small', messages: [{ value: Buffer.alloc(5000) }] }), (err: any) => /MESSAGE_TOO_LARGE|too large/i.test(`${err.type} ${err.message}`));
  await producer.send({ topic: 'small', messages: [{ value: 'fits' }] });
  await producer.disconnect();
});

test('many connections sending junk at once do not disturb a working client', async () => {
  const junk = Array.from({ length: 50 }, (_, i) => exchange(Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 31 + j * 7) % 256)), 1500));
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'steady', messages: [{ value: 'still here' }] });
  await producer.disconnect();
  await Promise.all(junk);
  await brokerStillServes();
});

test('pipelined requests are answered in request order even when the first one waits (long poll)', async () => {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ordered', numPartitions: 1 }] });
  await admin.disconnect();
  const fetch = frame(1, 11, (w) => FetchApi.writeRequest(w, 11, {
    replicaId: -1, maxWaitMs: 300, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'ordered', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  }), 1);
  const versions = frame(18, 2, () => {}, 2);
  const sock = new Socket();
  sock.connect(broker.port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(Buffer.concat([fetch, versions]));
  const ids: number[] = [];
  let buf = Buffer.alloc(0);
  for await (const chunk of sock) {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 8 && buf.length >= 4 + buf.readInt32BE(0)) {
      ids.push(buf.readInt32BE(4));
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
    if (ids.length === 2) break;
  }
  sock.destroy();
  assert.deepEqual(ids, [1, 2], 'the ApiVersions answer waits for the long-polling fetch before it');
});
