/**
 * Real clients against an emulated Kafka 2.4 (`kafka.version`), the oldest release we emulate: librdkafka 2.15.1
 * (@confluentinc/kafka-javascript 1.10.1), kafkajs 2.2.4 and @platformatic/kafka 2.12.1 each create a topic, produce
 * and read it back in a consumer group at the versions 2.4 advertises.
 *
 * @platformatic/kafka under 2.4 reads with one topic per consumer here: its consumer keys topics by topic id, and
 * Metadata v9 (2.4's highest, before topic ids) gives every topic the zero id, so a consumer of two topics fetches
 * only one of them. The client's bug (a real Kafka 2.4 shows it too), documented in the README.
 */
import '../../compat-suite/clients/node22-shim.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { kafkaClient, startTestBroker } from '../helpers.js';
import { until } from '../groups/helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ kafkaVersion: '2.4' }); });
after(async () => { await broker.close(); });

const VALUES = ['a', 'b', 'c', 'd'];

test('librdkafka 2.15.1 produces and consumes in a group under emulated 2.4', async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const lib = createRequire(`${root}compat-suite/clients/confluent-js/package.json`)('@confluentinc/kafka-javascript');
  const { Kafka, logLevel } = lib.KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [broker.bootstrap], clientId: 'emu-rdk', logLevel: logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'emu-rdk', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  await producer.send({ topic: 'emu-rdk', messages: VALUES.map((value) => ({ value })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'emu-rdk-g', fromBeginning: true } });
  const got: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: ['emu-rdk'] });
    void consumer.run({ eachMessage: async ({ message }: { message: { value: Buffer } }) => { got.push(message.value.toString()); } });
    await until('4 records', () => got.length >= VALUES.length);
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(got.sort(), VALUES);
});

test('kafkajs 2.2.4 produces and consumes in a group under emulated 2.4', async () => {
  const kafka = kafkaClient(broker, 'emu-kafkajs');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'emu-kafkajs', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: 'emu-kafkajs', messages: VALUES.map((value) => ({ value })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'emu-kafkajs-g' });
  const got: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: ['emu-kafkajs'], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push(message.value!.toString()); } });
    await until('4 records', () => got.length >= VALUES.length);
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(got.sort(), VALUES);
});

test('@platformatic/kafka 2.12.1 produces and consumes in a group under emulated 2.4 (one topic: see above)', async () => {
  const options = { clientId: 'emu-platformatic', bootstrapBrokers: [broker.bootstrap], timeout: 10_000, retries: 3, retryDelay: 200 };
  const admin = new Admin(options);
  await admin.createTopics({ topics: ['emu-platformatic'], partitions: 2, replicas: 1 });
  await admin.close();
  const producer = new Producer({ ...options, serializers: stringSerializers, idempotent: true });
  await producer.send({ messages: VALUES.map((value) => ({ topic: 'emu-platformatic', value })) });
  await producer.close();
  const consumer = new Consumer({ ...options, groupId: 'emu-platformatic-g', deserializers: stringDeserializers, maxWaitTime: 100 });
  const got: string[] = [];
  try {
    const stream = await consumer.consume({ topics: ['emu-platformatic'], mode: MessagesStreamModes.EARLIEST });
    stream.on('data', (m: { value: string }) => { got.push(m.value); });
    await until('4 records', () => got.length >= VALUES.length);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  assert.deepEqual(got.sort(), VALUES);
});
