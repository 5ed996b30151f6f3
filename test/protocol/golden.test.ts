/**
 * Golden bytes against a real client: kafkajs' own request encoders must produce exactly the bytes our codecs write
 * for the same message, and kafkajs' own response decoders must read what our codecs write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { MetadataApi, JoinGroupApi, OffsetCommitApi, FetchApi, ApiVersionsApi, OffsetFetchApi } from '../../src/protocol/generated/index.js';
import type { ApiCodec } from '../../src/protocol/api.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/requests/${path}`);

async function kafkajsBytes(path: string, args: unknown): Promise<Buffer> {
  const encoder = await kafkajs(path)(args).encode();
  return encoder.buffer as Buffer;
}

function ours<Req>(api: ApiCodec<Req, unknown>, version: number, m: Req): Buffer {
  const w = new Writer();
  api.writeRequest(w, version, m);
  return w.toBuffer();
}

function ourResponse<Res>(api: ApiCodec<unknown, Res>, version: number, m: Res): Buffer {
  const w = new Writer();
  api.writeResponse(w, version, m);
  return w.toBuffer();
}

test('Metadata v4 request: byte for byte as kafkajs writes it, and read back', async () => {
  const golden = await kafkajsBytes('metadata/v4/request', { topics: ['orders', 'payments'], allowAutoTopicCreation: false });
  const m = { topics: [{ topicId: Buffer.alloc(16), name: 'orders' }, { topicId: Buffer.alloc(16), name: 'payments' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  assert.deepEqual(ours(MetadataApi, 4, m), golden);
  assert.deepEqual(MetadataApi.readRequest(new Reader(golden), 4), m);
});

test('JoinGroup v5 request (static membership) matches kafkajs', async () => {
  const golden = await kafkajsBytes('joinGroup/v5/request', {
    groupId: 'g', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: 'instance-1', protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
  });
  const decoded = JoinGroupApi.readRequest(new Reader(golden), 5);
  assert.deepEqual(decoded, {
    groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: '', groupInstanceId: 'instance-1', protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
  });
  assert.deepEqual(ours(JoinGroupApi, 5, decoded), golden);
});

test('OffsetCommit v5 and Fetch v11 requests match kafkajs', async () => {
  const commit = await kafkajsBytes('offsetCommit/v5/request', {
    groupId: 'g', groupGenerationId: 3, memberId: 'm-1', topics: [{ topic: 't', partitions: [{ partition: 2, offset: '42', metadata: 'meta' }] }],
  });
  const c = OffsetCommitApi.readRequest(new Reader(commit), 5);
  assert.equal(c.topics[0].partitions[0].committedOffset, 42);
  assert.equal(c.topics[0].partitions[0].committedMetadata, 'meta');
  assert.deepEqual(ours(OffsetCommitApi, 5, c), commit);

  const fetch = await kafkajsBytes('fetch/v11/request', {
    replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 10485760, isolationLevel: 1,
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '7', maxBytes: 1048576 }] }],
  });
  const f = FetchApi.readRequest(new Reader(fetch), 11);
  assert.equal(f.isolationLevel, 1);
  assert.equal(f.topics[0].partitions[0].fetchOffset, 7);
  assert.deepEqual(ours(FetchApi, 11, f), fetch);
});

test('kafkajs decodes our Metadata v5, ApiVersions v2, JoinGroup v5 and OffsetFetch v4 responses', async () => {
  const metadata = await kafkajs('metadata/v5/response').decode(ourResponse(MetadataApi, 5, {
    throttleTimeMs: 0, brokers: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }], clusterId: 'samsa', controllerId: 0,
    topics: [{ errorCode: 0, name: 't', topicId: Buffer.alloc(16), isInternal: false, topicAuthorizedOperations: 0,
      partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }] }],
    clusterAuthorizedOperations: 0, errorCode: 0,
  }));
  assert.equal(metadata.controllerId, 0);
  assert.deepEqual(metadata.brokers, [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }]);
  assert.equal(metadata.topicMetadata[0].partitionMetadata[0].leader, 0);

  const versions = await kafkajs('apiVersions/v2/response').decode(ourResponse(ApiVersionsApi, 2, {
    errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }], throttleTimeMs: 0,
  }));
  assert.deepEqual(versions.apiVersions, [{ apiKey: 0, minVersion: 3, maxVersion: 7 }]);

  const join = await kafkajs('joinGroup/v5/response').decode(ourResponse(JoinGroupApi, 5, {
    throttleTimeMs: 0, errorCode: 0, generationId: 4, protocolName: 'RoundRobinAssigner', leader: 'm-1', memberId: 'm-1',
    members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from([9]) }],
  }));
  assert.equal(join.generationId, 4);
  assert.equal(join.leaderId, 'm-1');
  assert.equal(join.members[0].memberMetadata.toString('hex'), '09');

  const offsets = await kafkajs('offsetFetch/v4/response').decode(ourResponse(OffsetFetchApi, 4, {
    throttleTimeMs: 0, errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 99, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }], groups: [],
  }));
  assert.equal(offsets.responses[0].partitions[0].offset, '99');
});
