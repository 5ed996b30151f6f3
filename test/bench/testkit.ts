/**
 * Test-kit figures for `npm run bench`: how long `reset()` takes with 100 topics and 10 groups (median of 5), and the
 * total time of 100 produce/consume "tests" against one embedded broker with `reset()` between them — each a kafkajs
 * consumer joining a fresh group and reading the 10 records just produced, as a test file's tests would.
 */
import type { Kafka } from 'kafkajs';
import { callApi, kafkaClient } from '../helpers.js';
import { OffsetCommitApi } from '../../src/protocol/generated/index.js';
import type { RunningBroker } from '../../src/index.js';

export interface TestkitBenchContext {
  report(name: string, value: string): void;
}

async function fill(broker: RunningBroker, kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: Array.from({ length: 100 }, (_, i) => ({ topic: `bench-${i}`, numPartitions: 2 })) });
  await admin.disconnect();
  for (let g = 0; g < 10; g++) {
    await callApi(broker.port, OffsetCommitApi, 2, {
      groupId: `bench-group-${g}`, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: `bench-${g}`, partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null })) }],
    });
  }
}

export async function testkitBenchmarks({ report }: TestkitBenchContext): Promise<void> {
  const { startBroker } = await import('../../src/index.js');
  const broker = await startBroker({ port: 0, inMemory: true, logLevel: 'warn', useEnvironment: false });
  const kafka = kafkaClient(broker);
  try {
    const resets: number[] = [];
    for (let i = 0; i < 5; i++) {
      await fill(broker, kafka);
      const t = performance.now();
      await broker.reset();
      resets.push(performance.now() - t);
    }
    report('reset() with 100 topics (200 partitions) and 10 groups, median of 5', `${resets.sort((a, b) => a - b)[2].toFixed(2)} ms`);

    const producer = kafka.producer();
    await producer.connect();
    const tests = 100;
    let resetMs = 0;
    const start = performance.now();
    for (let i = 0; i < tests; i++) {
      const r = performance.now();
      await broker.reset();
      resetMs += performance.now() - r;
      await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, n) => ({ key: `k${n}`, value: `order ${n}` })) });
      const consumer = kafka.consumer({ groupId: 'orders-test', heartbeatInterval: 100, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      let seen = 0;
      await consumer.run({ eachMessage: async () => { seen++; } });
      await broker.waitForCommitted('orders-test', 'orders', { lag: 0 });
      await consumer.disconnect();
      if (seen !== 10) throw new Error(`test ${i} consumed ${seen} of 10 records`);
    }
    const total = performance.now() - start;
    await producer.disconnect();
    report(`${tests} produce/consume tests (kafkajs, reset() between), total`, `${(total / 1000).toFixed(1)} s (${(total / tests).toFixed(0)} ms/test, of which reset ${(resetMs / tests).toFixed(2)} ms)`);
  } finally {
    await broker.close();
  }
}
