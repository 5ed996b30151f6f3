/**
 * KIP-848 with a real client: @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) with
 * `group.protocol: 'consumer'`. Two members split the partitions, one leaves, the other takes over at the committed
 * offsets — and the member that keeps its partitions keeps them throughout (incremental: no stop-the-world).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startTestBroker } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { until } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/* eslint-disable @typescript-eslint/no-explicit-any -- the client is loaded from the compat-suite's own install */
const { Kafka, logLevel } = createRequire(`${ROOT}compat-suite/clients/confluent-js/package.json`)('@confluentinc/kafka-javascript').KafkaJS as any;

const TOPIC = 'kip848';
let broker: RunningBroker;
let kafka: any;
let producer: any;

before(async () => {
  broker = await startTestBroker({ config: { 'group.consumer.min.heartbeat.interval.ms': 200, 'group.consumer.heartbeat.interval.ms': 200 } });
  kafka = new Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
});

after(async () => {
  // Members a failed assertion left running would keep the process alive until the file times out.
  await Promise.allSettled(running.map((m) => m.stop()));
  await producer.disconnect();
  await broker.close();
});

const send = (tag: string) => producer.send({ topic: TOPIC, messages: Array.from({ length: 8 }, (_, i) => ({ value: `${tag}-${i}`, partition: i % 4 })) });

const running: Array<{ stop(): Promise<void> }> = [];

/** A consumer-protocol member that commits every record it handles and samples its assignment. */
async function member(name: string) {
  const got: Array<{ partition: number; value: string }> = [];
  const samples: number[][] = [];
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'kip848-group', fromBeginning: true, autoCommit: false }, 'group.protocol': 'consumer', 'client.id': name });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  await consumer.run({
    eachMessage: async ({ partition, message }: any) => {
      got.push({ partition, value: message.value.toString() });
      await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }]);
    },
  });
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(consumer.assignment().map((tp: any) => tp.partition).sort());
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  let stopped: Promise<void> | undefined;
  const handle = {
    got, samples, consumer,
    partitions: () => consumer.assignment().map((tp: any) => tp.partition).sort() as number[],
    stop(): Promise<void> {
      stopped ??= (async () => {
        sampling = false;
        await sampler;
        await consumer.disconnect();
      })();
      return stopped;
    },
  };
  running.push(handle);
  return handle;
}

test('librdkafka group.protocol=consumer: two members split, one leaves, the other takes over at the committed offsets without a pause', async () => {
  await send('first');
  const a = await member('member-a');
  await until('A consumed the first batch', () => a.got.length === 8);
  const b = await member('member-b');
  await until('each member holds two partitions', () => a.partitions().length === 2 && b.partitions().length === 2, 30_000);
  const kept = a.partitions();
  assert.deepEqual([...kept, ...b.partitions()].sort(), [0, 1, 2, 3]);
  const described = broker.broker.groups.consumerGroupDescribe('kip848-group');
  assert.equal(described.members.length, 2);

  await send('second');
  await until('the second batch is consumed, each partition by its owner', () => a.got.length + b.got.length === 16);
  assert.deepEqual(b.got.map((m) => m.partition).filter((p) => kept.includes(p)), [], 'B never read a partition A kept');
  const secondOfB = b.got.filter((m) => m.value.startsWith('second')).length;
  assert.equal(secondOfB, 4);

  const left = Date.now();
  await b.stop();
  await until('A holds every partition again', () => a.partitions().length === 4, 30_000);
  const takeoverMs = Date.now() - left;
  await send('third');
  await until('A consumed the third batch', () => a.got.filter((m) => m.value.startsWith('third')).length === 8);
  // At the committed offsets: nothing B had handled and committed comes back to A.
  const values = a.got.map((m) => m.value);
  assert.deepEqual(values.filter((v) => v.startsWith('second')).length, 4, 'A saw only its own half of the second batch');
  assert.equal(new Set(values).size, values.length, 'no record handled twice');

  // A's kept partitions were never taken away, from the moment it held them to the end (incremental reassignment).
  const from = a.samples.findIndex((s) => s.length === 2 && s.every((p, i) => p === kept[i]));
  assert.ok(from >= 0);
  const lost = a.samples.slice(from).filter((s) => !kept.every((p) => s.includes(p)));
  assert.deepEqual(lost, [], 'A kept its partitions throughout');
  // A member records a message before its commit of it is answered: the last commits may still be on their way.
  const committed = () => broker.broker.groups.offsetFetch('kip848-group', [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3] }]).topics[0].partitions.map((p) => p.committedOffset);
  await until('every record A handled is committed', () => committed().every((offset) => offset === 6));
  assert.deepEqual(committed(), [6, 6, 6, 6]);
  await a.stop();
  console.log(`# takeover after the member left: ${takeoverMs} ms`);
});
