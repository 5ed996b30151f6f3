/**
 * Records a client can write that would be expensive to show: the console's record pages stay small and quick, and
 * the broker up. An Avro array of nulls whose 11 bytes claim 2*10^9 items (avsc believes the count), a JSON value
 * nested 1,500 deep (indenting it made 600 KB into 450 MB), pages of 1 MB records, thousands of headers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningBroker } from '../../src/index.js';
import { kafkaClient, startTestBroker } from '../helpers.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ adminPort: -1, registryPort: -1 }); });
after(() => broker.close());

async function register(subject: string, schema: string, schemaType = 'AVRO'): Promise<number> {
  const res = await fetch(`${broker.registryUrl}/subjects/${subject}/versions`, {
    method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema, schemaType }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { id: number }).id;
}

async function produce(topic: string, messages: Array<{ value: Buffer | string; headers?: Record<string, string> }>): Promise<void> {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

const wire = (id: number, body: Buffer) => Buffer.concat([Buffer.from([0]), Buffer.from([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]), body]);

async function page(topic: string, query = 'partition=0') {
  const res = await fetch(`${broker.adminUrl}/console/api/topics/${topic}/records?${query}`);
  assert.equal(res.status, 200);
  return { text: await res.text(), body: null as unknown } as { text: string; body: unknown };
}

test('an Avro array of nulls claiming 2*10^9 items is shown as its bytes, with the reason; the broker stays up', async () => {
  const id = await register('bomb-value', '{"type":"array","items":"null"}');
  // A block count of 2,000,000,000 (zigzag varint), no items (a null takes no bytes), the end block.
  const count = Buffer.from([0x80, 0xd0, 0xac, 0xf3, 0x0e]);
  await produce('bomb', [{ value: wire(id, Buffer.concat([count, Buffer.from([0])])) }]);
  const { text } = await page('bomb');
  const [record] = (JSON.parse(text) as { records: Array<{ value: { encoding: string; error?: string } }> }).records;
  assert.equal(record!.value.encoding, 'base64');
  assert.match(record!.value.error ?? '', /arrays or maps of items written in no bytes/);
  assert.equal((await fetch(`${broker.adminUrl}/healthz`)).status, 200);
});

test('a JSON value nested 1,500 deep is shown compact, cut at 64K characters', async () => {
  const id = await register('deep-value', '{"type":"array"}', 'JSON');
  const deep = `${'['.repeat(1500)}${'0,'.repeat(300_000)}0${']'.repeat(1500)}`;
  await produce('deep', [{ value: wire(id, Buffer.from(deep)) }]);
  const { text } = await page('deep');
  const [record] = (JSON.parse(text) as { records: Array<{ value: { encoding: string; text: string; truncated?: number } }> }).records;
  assert.equal(record!.value.encoding, 'schema');
  assert.equal(record!.value.truncated, deep.length, 'the compact text, as long as the value');
  assert.ok(record!.value.text.startsWith('[[[[') && !record!.value.text.includes('\n'));
});

test('a page of records carries at most 4 MiB of text, and at most 100 headers of each record', async () => {
  // Each shows 64K characters of its key and of its value: 128K a record, so 4 MiB is reached after 32.
  const big = 'x'.repeat(100 * 1024);
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  for (let i = 0; i < 40; i++) await producer.send({ topic: 'bulky', messages: [{ key: big, value: big }] });
  await producer.disconnect();
  const headers = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`h${i}`, 'v']));
  await produce('many-headers', [{ value: 'v', headers }]);
  const bulky = JSON.parse((await page('bulky', 'partition=0&offset=0&limit=500')).text) as { records: unknown[] };
  assert.equal(bulky.records.length, 33, 'the record that passes 4 MiB is the last');
  const [many] = (JSON.parse((await page('many-headers')).text) as { records: Array<{ headers: unknown[]; headerCount?: number }> }).records;
  assert.equal(many!.headers.length, 100);
  assert.equal(many!.headerCount, 300);
});
