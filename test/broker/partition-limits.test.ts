/**
 * Partition limits (`max.partitions.per.topic`, `max.partitions`) and Kafka's cap of 10,000 partitions per
 * CreateTopics request: refused before anything is written, validate_only answering the same; and a CreateTopics
 * of 10,000 topics that neither stalls other clients nor rewrites the catalogue per topic. The broker runs as a
 * child process with a capped heap, so a limit that fails cannot take the machine down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, tempDir } from '../helpers.js';
import { kill9, startCli, stopCli, type CliBroker } from '../durability/support.js';
import { RawClient } from '../bench/scale.js';
import { ApiVersionsApi, CreatePartitionsApi, CreateTopicsApi, MetadataApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { readCatalogue } from '../../src/metadata/topics.js';

const INT32_MAX = 2 ** 31 - 1;
const topic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] });

function createTopics(port: number, topics: Array<ReturnType<typeof topic>>, validateOnly = false) {
  return callApi(port, CreateTopicsApi, 4, { topics, timeoutMs: 60_000, validateOnly });
}

function createPartitions(port: number, topics: Array<{ name: string; count: number }>, validateOnly = false) {
  return callApi(port, CreatePartitionsApi, 1, { topics: topics.map((t) => ({ ...t, assignments: null })), timeoutMs: 60_000, validateOnly });
}

/** Partition counts of the topics named, -1 for a topic the broker does not know. */
async function partitionCounts(port: number, names: string[]): Promise<number[]> {
  const res = await callApi(port, MetadataApi, 8, { topics: names.map((name) => ({ topicId: Buffer.alloc(16), name })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  return names.map((n) => {
    const t = res.topics.find((x) => x.name === n)!;
    return t.errorCode === ErrorCode.NONE ? t.partitions.length : -1;
  });
}

async function withBroker(extra: string[], fn: (broker: CliBroker, dataDir: string) => Promise<void>): Promise<void> {
  const tmp = tempDir('samsa-limits-');
  const broker = await startCli(tmp.dir, extra, { heapMiB: 256 });
  try {
    await fn(broker, tmp.dir);
  } finally {
    await kill9(broker);
    tmp.remove();
  }
}

test('max.partitions.per.topic and max.partitions: INVALID_PARTITIONS before anything is written, validate_only alike', async () => {
  // Three internal topics of one partition exist from the start (offsets, transactions, users): 3 + 30 + 10 = 43 of
  // the 50 allowed.
  await withBroker(['--set', 'max.partitions.per.topic=40', '--set', 'max.partitions=50', '--set', 'num.partitions=10'], async ({ port }) => {
    for (const validateOnly of [true, false]) {
      const wide = await createTopics(port, [topic('too-wide', 41)], validateOnly);
      assert.equal(wide.topics[0].errorCode, ErrorCode.INVALID_PARTITIONS);
      assert.match(wide.topics[0].errorMessage!, /41 partitions exceed the limit of 40 partitions per topic \(max\.partitions\.per\.topic\)/);
      const two = await createTopics(port, [topic('a', 30), topic('b', 30)], validateOnly);
      assert.deepEqual(two.topics.map((t) => t.errorCode), [ErrorCode.NONE, ErrorCode.INVALID_PARTITIONS], `validateOnly=${validateOnly}`);
      assert.match(two.topics[1].errorMessage!, /over its limit of 50 \(max\.partitions\)/);
      assert.deepEqual(await partitionCounts(port, ['too-wide', 'a', 'b']), [-1, validateOnly ? -1 : 30, -1]);
    }
    assert.equal((await createTopics(port, [topic('c', 10)])).topics[0].errorCode, ErrorCode.NONE);

    const huge = await createPartitions(port, [{ name: 'a', count: 10_000_000 }]);
    assert.equal(huge.results[0].errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.match(huge.results[0].errorMessage!, /max\.partitions\.per\.topic/);
    for (const validateOnly of [true, false]) {
      const over = await createPartitions(port, [{ name: 'a', count: 40 }], validateOnly);
      assert.equal(over.results[0].errorCode, ErrorCode.INVALID_PARTITIONS, 'the broker would hold 52');
      assert.match(over.results[0].errorMessage!, /max\.partitions/);
      const fits = await createPartitions(port, [{ name: 'a', count: 34 }, { name: 'c', count: 15 }], validateOnly);
      assert.deepEqual(fits.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.INVALID_PARTITIONS], 'the second one counts the first');
      assert.deepEqual(await partitionCounts(port, ['a', 'c']), [validateOnly ? 30 : 34, 10]);
    }

    // Auto-creation stops at the limit too (num.partitions=10 would make 56).
    const meta = await callApi(port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: 'auto' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    assert.equal(meta.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

test('2^31-1 partitions, and Kafka\'s 10,000 per CreateTopics request: POLICY_VIOLATION for the whole request, at once', async () => {
  await withBroker([], async ({ port }, dataDir) => {
    const started = performance.now();
    const max = await createTopics(port, [topic('max', INT32_MAX)]);
    assert.equal(max.topics[0].errorCode, ErrorCode.POLICY_VIOLATION);
    assert.equal(max.topics[0].errorMessage, 'Excessively large number of partitions per request.');
    const split = await createTopics(port, [topic('half-1', 5001), topic('half-2', 5000)], true);
    assert.deepEqual(split.topics.map((t) => t.errorCode), [ErrorCode.POLICY_VIOLATION, ErrorCode.POLICY_VIOLATION]);
    assert.ok(performance.now() - started < 5000);
    assert.equal((await createTopics(port, [topic('small', 1)])).topics[0].errorCode, ErrorCode.NONE);
    const grow = await createPartitions(port, [{ name: 'small', count: INT32_MAX }]);
    assert.equal(grow.results[0].errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.deepEqual(await partitionCounts(port, ['max', 'half-1', 'small']), [-1, -1, 1]);
    assert.equal(readCatalogue(dataDir)!.topics.find((t) => t.name === 'small')?.partitions, 1, 'the catalogue on disk did not grow either');
  });
});

test('10,000 topics in one CreateTopics: other clients keep being answered, and a restart finds them all', async (t) => {
  const tmp = tempDir('samsa-limits-');
  let broker = await startCli(tmp.dir, [], { heapMiB: 512 });
  try {
    const names = Array.from({ length: 10_000 }, (_, i) => `many-${i}`);
    // Meanwhile another client keeps asking on its own connection; it must be answered while the request is under
    // way (a broker that blocked its event loop for the whole request would answer it only at the end: at most one
    // answer before the block and one after it could count). The slowest answer is reported.
    const other = await RawClient.connect(broker.port);
    let slowest = 0;
    let answeredMeanwhile = 0;
    let done = false;
    const probe = (async () => {
      while (!done) {
        const t0 = performance.now();
        await other.send(ApiVersionsApi, 0, {} as never);
        slowest = Math.max(slowest, performance.now() - t0);
        if (!done) answeredMeanwhile++;
      }
    })();
    const started = performance.now();
    const res = await createTopics(broker.port, names.map((n) => topic(n, 1)));
    const took = performance.now() - started;
    done = true;
    await probe;
    other.close();
    t.diagnostic(`CreateTopics of 10,000 topics: ${took.toFixed(0)} ms; slowest ApiVersions meanwhile ${slowest.toFixed(0)} ms, ${answeredMeanwhile} answered`);
    assert.equal(res.topics.filter((x) => x.errorCode === ErrorCode.NONE).length, 10_000);
    assert.ok(answeredMeanwhile >= 3, `another client was answered ${answeredMeanwhile} times while the request ran ${took.toFixed(0)} ms`);
    assert.equal(readCatalogue(tmp.dir)!.topics.filter((topic) => !topic.internal).length, 10_000);

    await kill9(broker);
    broker = await startCli(tmp.dir, [], { heapMiB: 512 });
    const counts = await partitionCounts(broker.port, [names[0], names[9_999]]);
    assert.deepEqual(counts, [1, 1]);
  } finally {
    await stopCli(broker);
    tmp.remove();
  }
});
