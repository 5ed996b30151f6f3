/**
 * A broker under `ulimit -n 256` (soft and hard) holding more partitions and more segments than that: produce and
 * fetch reach every one, new clients still connect, and after kill -9 it starts again from the same directory and
 * serves it all (recovery walks every segment without holding them open). Child process, heap capped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, tempDir } from '../helpers.js';
import { kill9, startCli, stopCli, type CliBroker } from '../durability/support.js';
import { CreateTopicsApi, FetchApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { decodeBatch, encodeBatch } from '../../src/protocol/record-batch.js';

const FDS = 256;
const WIDE = 1_000; // partitions of one topic, a .log file each
const TALL = 400; // segments of one partition, a .log and a .timeindex file each
const LIMITS = { fds: FDS, heapMiB: 384 };
const SETTINGS = ['--set', 'log.max.open.files=64'];

const produce = (port: number, topic: string, partitions: Array<{ index: number; value: string }>) => callApi(port, ProduceApi, 7, {
  transactionalId: null, acks: 1, timeoutMs: 10_000,
  topicData: [{ name: topic, partitionData: partitions.map(({ index, value }) => ({ index, records: encodeBatch([{ key: null, value: Buffer.from(value) }]) })) }],
});

/** The values of every record of each partition, read from `from` with one Fetch. */
async function fetchAll(port: number, topic: string, partitions: number[], from = 0): Promise<string[][]> {
  const res = await callApi(port, FetchApi, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 256 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: partitions.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: from, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 8 << 20 })) }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  });
  return res.responses[0].partitions.map((p) => {
    assert.equal(p.errorCode, ErrorCode.NONE, `partition ${p.partitionIndex}`);
    const records = p.records as Buffer | null;
    const values: string[] = [];
    for (let pos = 0; records && pos + 12 <= records.length; pos += records.readInt32BE(pos + 8) + 12) {
      for (const r of decodeBatch(records, pos).records) values.push(r.value!.toString());
    }
    return values;
  });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const pad = 'x'.repeat(900);

async function expectEverything(port: number, extra: (p: number) => string[] = () => []): Promise<void> {
  const wide = await fetchAll(port, 'wide', range(WIDE));
  wide.forEach((values, p) => assert.deepEqual(values, [`w-${p}`, ...extra(p)], `wide-${p}`));
  const [tall] = await fetchAll(port, 'tall', [0]);
  assert.deepEqual(tall, range(TALL).map((i) => `t-${i}-${pad}`));
}

test(`${WIDE} partitions and a ${TALL}-segment partition under ulimit -n ${FDS}, through kill -9 and restart`, async () => {
  const tmp = tempDir('samsa-fds-');
  let broker: CliBroker = await startCli(tmp.dir, SETTINGS, LIMITS);
  try {
    const created = await callApi(broker.port, CreateTopicsApi, 4, {
      topics: [
        { name: 'wide', numPartitions: WIDE, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'tall', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'segment.bytes', value: '1024' }] },
      ],
      timeoutMs: 60_000, validateOnly: false,
    });
    assert.deepEqual(created.topics.map((t) => t.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
    const res = await produce(broker.port, 'wide', range(WIDE).map((p) => ({ index: p, value: `w-${p}` })));
    assert.deepEqual(res.responses[0].partitionResponses.map((r) => r.errorCode), range(WIDE).map(() => ErrorCode.NONE));
    for (let i = 0; i < TALL; i++) {
      const one = await produce(broker.port, 'tall', [{ index: 0, value: `t-${i}-${pad}` }]); // a new connection each time
      assert.equal(one.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE, `tall batch ${i}`);
    }
    await expectEverything(broker.port);

    await kill9(broker);
    broker = await startCli(tmp.dir, SETTINGS, LIMITS);
    await expectEverything(broker.port);
    const again = await produce(broker.port, 'wide', range(WIDE).map((p) => ({ index: p, value: `again-${p}` })));
    assert.ok(again.responses[0].partitionResponses.every((r) => r.errorCode === ErrorCode.NONE));
    await expectEverything(broker.port, (p) => [`again-${p}`]);

    // A clean stop flushes and marks every partition under the same limit, and the next start reads it all.
    await stopCli(broker);
    broker = await startCli(tmp.dir, SETTINGS, LIMITS);
    await expectEverything(broker.port, (p) => [`again-${p}`]);
  } finally {
    await kill9(broker);
    tmp.remove();
  }
});
