/**
 * The topic catalogue (topics.json) and the partition directories agree, whatever the disk does: a topic change the
 * catalogue cannot store is refused whole and never served; what a deletion cut short by a crash left is not served
 * to a topic created again with the name; a damaged catalogue stops the start with one line; one partition whose
 * files cannot be read does not keep the others from being served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callApi, kafkaClient, run, startTestBroker, tempDir } from '../helpers.js';
import { CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, IncrementalAlterConfigsApi, InitProducerIdApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import type { RunningBroker } from '../../src/index.js';

const TOPIC_RESOURCE = 2;

async function produce(broker: RunningBroker, topic: string, values: string[], partition = 0): Promise<void> {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition })) });
  await producer.disconnect();
}

async function highWatermark(broker: RunningBroker, topic: string, partition = 0): Promise<number> {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    return Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)!.high);
  } finally {
    await admin.disconnect();
  }
}

test('on a full disk, CreateTopics, CreatePartitions, config changes and DeleteTopics are refused whole with KAFKA_STORAGE_ERROR, InitProducerId is retriable; what is served is what a restart finds', async () => {
  const tmp = tempDir('samsa-catalogue-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', tmp.dir]);
  let broker: RunningBroker | null = null;
  try {
    const dataDir = join(tmp.dir, 'data');
    broker = await startTestBroker({ dataDir, logLevel: 'fatal' });
    await produce(broker, 'kept', ['k1']);
    await broker.broker.topics.flush();
    // Filled before each change: a catalogue save frees the previous file's pages when it replaces it.
    const ballast = join(tmp.dir, 'ballast');
    const fill = () => {
      for (const size of [64 * 1024, 4096, 1]) {
        try {
          for (;;) appendFileSync(ballast, Buffer.alloc(size));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
      }
    };
    fill();

    const created = await callApi(broker.port, CreateTopicsApi, 7, { topics: [{ name: 'born-on-a-full-disk', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    fill();
    const grown = await callApi(broker.port, CreatePartitionsApi, 3, { topics: [{ name: 'kept', count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false });
    assert.equal(grown.results[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    fill();
    const altered = await callApi(broker.port, IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: 'kept', configs: [{ name: 'retention.ms', configOperation: 0, value: '1234' }] }], validateOnly: false });
    assert.equal(altered.responses[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    fill();
    const deleted = await callApi(broker.port, DeleteTopicsApi, 5, { topics: [], topicNames: ['kept'], timeoutMs: 5000 });
    assert.equal(deleted.responses[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);

    // The transaction coordinator's log cannot be written either: a retriable error, the connection kept.
    fill();
    const init = await callApi(broker.port, InitProducerIdApi, 4, { transactionalId: 'tx-on-full-disk', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    assert.equal(init.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Served as before: no new topic, one partition, the default retention, the topic and its record still there.
    const served = () => ({ names: broker!.broker.topics.list().filter((t) => !t.internal).map((t) => [t.name, t.partitions, t.configs['retention.ms'] ?? null]) });
    assert.deepEqual(served(), { names: [['kept', 1, null]] });
    assert.equal(await highWatermark(broker, 'kept'), 1);

    rmSync(ballast);
    await broker.close();
    broker = await startTestBroker({ dataDir, logLevel: 'fatal' });
    assert.deepEqual(served(), { names: [['kept', 1, null]] });
    assert.equal(await highWatermark(broker, 'kept'), 1);
  } finally {
    await broker?.close();
    execFileSync('umount', [tmp.dir]);
    tmp.remove();
  }
});

test('a topic created again after a deletion a crash cut short starts empty: the leftover directory is not served', async () => {
  const tmp = tempDir();
  try {
    let broker = await startTestBroker({ dataDir: tmp.dir, logLevel: 'fatal' });
    await produce(broker, 'reborn', ['old-1', 'old-2', 'old-3']);
    await broker.close();
    // What a kill -9 between the catalogue's save and the directory's removal leaves: the topic gone from the
    // catalogue, its directory still full.
    const catalogue = join(tmp.dir, 'topics.json');
    writeFileSync(catalogue, JSON.stringify(JSON.parse(readFileSync(catalogue, 'utf8')).filter((t: { name: string }) => t.name !== 'reborn')));
    assert.ok(readdirSync(join(tmp.dir, 'reborn-0')).some((f) => f.endsWith('.log')));

    broker = await startTestBroker({ dataDir: tmp.dir, logLevel: 'fatal' });
    assert.equal(broker.broker.topics.get('reborn'), undefined);
    const created = await callApi(broker.port, CreateTopicsApi, 7, { topics: [{ name: 'reborn', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await highWatermark(broker, 'reborn'), 0);
    await produce(broker, 'reborn', ['new-1']);
    await broker.close();
    broker = await startTestBroker({ dataDir: tmp.dir, logLevel: 'fatal' });
    assert.equal(await highWatermark(broker, 'reborn'), 1, 'only the new record, also after a restart');
    await broker.close();
  } finally {
    tmp.remove();
  }
});

test('a damaged topics.json stops the start with one line (exit 2) saying what to do; no stack', async () => {
  const tmp = tempDir();
  try {
    writeFileSync(join(tmp.dir, 'topics.json'), '[{"name": "half');
    const bundle = join(import.meta.dirname, '../../bundle/main.js');
    const r = await run(process.execPath, [bundle, '--port', '0', '--registry-port', '0', '--admin-port', '0', '--data-dir', tmp.dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^samsa: .*topics\.json is damaged \(not a JSON array of topics\): restore it from a backup, or move it aside/);
  } finally {
    tmp.remove();
  }
});

test('a partition whose files cannot be read is refused with KAFKA_STORAGE_ERROR; the broker starts and serves the others', async () => {
  const tmp = tempDir();
  try {
    let broker = await startTestBroker({ dataDir: tmp.dir, logLevel: 'fatal' });
    await produce(broker, 'fine', ['f1']);
    await produce(broker, 'broken', ['b1']);
    await broker.close();
    // Its segment replaced by a directory of the same name: opening it fails (EISDIR), as an unreadable file would.
    const segment = readdirSync(join(tmp.dir, 'broken-0')).find((f) => f.endsWith('.log'))!;
    rmSync(join(tmp.dir, 'broken-0', segment));
    mkdirSync(join(tmp.dir, 'broken-0', segment));

    broker = await startTestBroker({ dataDir: tmp.dir, logLevel: 'fatal' });
    try {
      assert.equal(await highWatermark(broker, 'fine'), 1);
      const producer = kafkaClient(broker).producer();
      await producer.connect();
      await assert.rejects(producer.send({ topic: 'broken', acks: -1, messages: [{ value: 'b2' }] }), /KAFKA_STORAGE_ERROR|Disk error/);
      await producer.send({ topic: 'fine', acks: -1, messages: [{ value: 'f2' }] });
      await producer.disconnect();
      assert.equal(await highWatermark(broker, 'fine'), 2);
    } finally {
      await broker.close();
    }
  } finally {
    tmp.remove();
  }
});
