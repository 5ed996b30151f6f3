/**
 * The registry over the broker's own `_schemas` topic: the Avro workflow end to end through kafkajs (register,
 * encode, produce, consume, decode), and schemas surviving a broker restart on disk.
 * (The broker does not start the registry itself yet: these tests start it over `broker.internalLog('_schemas')`.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { INTERNAL_TOPICS } from '../../src/broker.js';
import { startRegistry } from '../../src/registry/index.js';
import { kafkaClient, startTestBroker, tempDir } from '../helpers.js';
import { client } from './helpers.js';

test('register, encode, produce through kafkajs, consume, decode', async () => {
  const broker = await startTestBroker();
  const registry = await startRegistry({ host: '127.0.0.1', port: 0, store: broker.broker.internalLog(INTERNAL_TOPICS.schemas) });
  const kafka = kafkaClient(broker);
  const consumer = kafka.consumer({ groupId: 'registry-e2e' });
  try {
    const sr = new SchemaRegistry({ host: registry.url });
    const schema = { type: 'record', name: 'Click', namespace: 'web', fields: [{ name: 'url', type: 'string' }, { name: 'ms', type: 'long' }] };
    const { id } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'clicks-value' });
    const sent = [{ url: '/a', ms: 1 }, { url: '/b', ms: 2 }, { url: '/c', ms: 3 }];

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'clicks', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'clicks', messages: await Promise.all(sent.map(async (v) => ({ value: await sr.encode(id, v) }))) });
    await producer.disconnect();

    const reader = new SchemaRegistry({ host: registry.url });
    const received: unknown[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'clicks', fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = await reader.decode(message.value!);
          received.push({ url: decoded.url, ms: Number(decoded.ms) });
          if (received.length === sent.length) resolve();
        },
      }).catch(reject);
    });
    assert.deepEqual(received, sent);
  } finally {
    await consumer.disconnect();
    await registry.close();
    await broker.close();
  }
});

test('schemas, versions and ids survive a broker restart on disk', async () => {
  const tmp = tempDir('samsa-registry-');
  const observe = async (url: string) => {
    const call = client(url);
    const out: Record<string, unknown> = { subjects: (await call('GET', '/subjects?deleted=true')).body, config: (await call('GET', '/config')).body };
    for (const s of out.subjects as string[]) {
      out[s] = await Promise.all(((await call('GET', `/subjects/${s}/versions?deleted=true`)).body as number[])
        .map(async (v) => (await call('GET', `/subjects/${s}/versions/${v}?deleted=true`)).body));
    }
    return out;
  };
  try {
    let broker = await startTestBroker({ dataDir: tmp.dir });
    let registry = await startRegistry({ host: '127.0.0.1', port: 0, store: broker.broker.internalLog(INTERNAL_TOPICS.schemas) });
    const call = client(registry.url);
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await call(method, path, body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await ok('POST', '/subjects/a-value/versions', { schema: JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] }) });
    await ok('POST', '/subjects/a-value/versions', {
      schema: JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }, { name: 'y', type: 'int', default: 0 }] }),
    });
    await ok('POST', '/subjects/j-value/versions', { schemaType: 'JSON', schema: '{"type":"object"}' });
    await ok('POST', '/subjects/p-value/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message P { string s = 1; }' });
    await ok('DELETE', '/subjects/a-value/versions/1');
    await ok('PUT', '/config', { compatibility: 'FULL' });
    const before = await observe(registry.url);
    await registry.close();
    await broker.close();

    broker = await startTestBroker({ dataDir: tmp.dir });
    registry = await startRegistry({ host: '127.0.0.1', port: 0, store: broker.broker.internalLog(INTERNAL_TOPICS.schemas) });
    try {
      assert.deepEqual(await observe(registry.url), before);
      const next = await client(registry.url)('POST', '/subjects/new-value/versions', { schema: '"string"' });
      assert.deepEqual(next.body, { id: 5 });
    } finally {
      await registry.close();
      await broker.close();
    }
  } finally {
    tmp.remove();
  }
});
