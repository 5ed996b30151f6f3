/**
 * The web console in a real browser: Debian's headless Chromium (compat-suite/setup.sh installs it; CHROMIUM_PATH
 * overrides where it is) driven by puppeteer-core, against a broker started in-process with kafkajs clients
 * making the data. Screenshots go to CONSOLE_SCREENSHOTS, else a temporary directory (printed as a diagnostic).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Consumer } from 'kafkajs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/* eslint-disable @typescript-eslint/no-explicit-any -- librdkafka's client, loaded from the compat-suite's own install */
const ConfluentKafka = createRequire(`${ROOT}compat-suite/clients/confluent-js/package.json`)('@confluentinc/kafka-javascript').KafkaJS as any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = process.env.CONSOLE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'samsa-console-'));
mkdirSync(shots, { recursive: true });

let broker: RunningBroker;
let admin: Admin;
let browser: Browser;
let page: Page;

const USER_V1 = { type: 'record', name: 'User', namespace: 'samsa.test', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] };
const USER_V2 = { ...USER_V1, fields: [...USER_V1.fields, { name: 'email', type: ['null', 'string'], default: null }] };
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

before(async () => {
  // Short consumer-group (KIP-848) heartbeats, so the librdkafka member of the consumer group test joins fast.
  broker = await startTestBroker({ adminPort: -1, registryPort: -1, config: { 'group.consumer.min.heartbeat.interval.ms': 200, 'group.consumer.heartbeat.interval.ms': 200 } });
  admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }, { topic: 'users', numPartitions: 1 }, { topic: 'big', numPartitions: 1 }] });
  const registry = new SchemaRegistry({ host: broker.registryUrl! });
  await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V1) }, { subject: 'users-value' });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_V2) }, { subject: 'users-value' });
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'users', messages: [{ key: 'ada', value: await registry.encode(id, { name: 'Ada Lovelace', age: 36, email: 'ada@example.org' }) }] });
  await producer.send({
    topic: 'orders',
    messages: [
      { partition: 0, key: 'o-1', value: 'first order', headers: { source: 'kafkajs' } },
      { partition: 0, key: 'o-2', value: HOSTILE },
      { partition: 0, key: 'o-3', value: 'third order' },
    ],
  });
  await producer.send({ topic: 'big', messages: [{ value: 'x'.repeat(100_000) }] });
  await producer.disconnect();
  // A group that read partition 0 to its end, committed and left: Empty, with offsets at 3.
  const consumer = kafkaClient(broker).consumer({ groupId: 'billing' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  let read = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async () => { if (++read === 3) resolve(); } }).catch(reject);
  });
  await consumer.disconnect();
  assert.equal(await committed('billing', 0), '3');
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});

after(async () => {
  console.log(`screenshots in ${shots}`);
  await browser?.close();
  await admin?.disconnect();
  await broker?.close();
});

async function committed(groupId: string, partition: number): Promise<string | undefined> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: ['orders'] });
  return topic?.partitions.find((p) => p.partition === partition)?.offset;
}

/** Opens a console page by its hash and waits until its heading (or an error) is rendered. */
async function open(hash: string, heading: string): Promise<string> {
  // A fresh load each time: after a mere hash change the previous page's heading would still be there.
  await page.goto('about:blank');
  await page.goto(`${broker.adminUrl}/${hash}`);
  await page.waitForFunction((h) => document.querySelector('h1')?.textContent?.startsWith(h), { timeout: 10_000 }, heading);
  return page.$eval('main', (m) => (m as HTMLElement).innerText);
}

const text = (selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);

test('overview lists nodes, topics with their records and groups', async () => {
  const shown = await open('', 'Cluster');
  assert.match(shown, /samsa-cluster/);
  const topics = await text('table.topics');
  assert.match(topics, /orders\t2\t3\t/, 'orders: 2 partitions, 3 records');
  assert.match(topics, /users\t1\t1\t/);
  assert.match(await text('table.groups'), /billing\tclassic\tEmpty\t0\t0/);
  await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
});

test('overview shows produce rates between two renders', async () => {
  await admin.createTopics({ topics: [{ topic: 'rates', numPartitions: 1 }] });
  await open('', 'Cluster');
  assert.match(await text('table.topics'), /rates\t1\t0\t0 B\t0 B\t0 B\t-\t-/, 'no rate before a second reading');
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'rates', messages: [{ value: Buffer.alloc(4096) }] });
  await producer.disconnect();
  // What the 5 s refresh does, now.
  await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
  await page.waitForFunction(() => /rates\t1\t1\t/.test((document.querySelector('table.topics') as HTMLElement | null)?.innerText ?? ''));
  const row = (await text('table.topics')).split('\n').find((line) => line.startsWith('rates\t'))!.split('\t');
  assert.match(row[6]!, /^[\d.]+ (B|KiB|MiB)\/s$/);
  assert.notEqual(row[6], '0 B/s');
  assert.equal(row[7], '0 B/s', 'nothing fetched');
});

test('topic page: partitions, configs, and messages with the Avro value decoded through the registry', async () => {
  await open('#/topic/users', 'Topic');
  await page.waitForSelector('table.records tbody tr');
  const records = await text('table.records');
  assert.match(records, /"name": "Ada Lovelace"/);
  assert.match(records, /"email": \{\s*"string": "ada@example.org"\s*\}/, 'Avro JSON encoding of the union');
  assert.match(records, /schema \d+/);
  assert.match(await text('table.partitions'), /^0\t0\t0\t1\t1\t/m);
  await page.screenshot({ path: join(shots, 'topic-users.png'), fullPage: true });
});

test('record data is shown as text, never as markup', async () => {
  await open('#/topic/orders', 'Topic');
  await page.waitForSelector('table.records tbody tr');
  const records = await text('table.records');
  assert.ok(records.includes(HOSTILE), 'the value is shown literally');
  assert.match(records, /source: kafkajs/);
  assert.equal(await page.$$eval('table.records img', (imgs) => imgs.length), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
});

test('message browser from a time: the first record at or after it (the time index), none after the newest', async () => {
  await open('#/topic/orders', 'Topic');
  await page.waitForSelector('table.records tbody tr');
  // datetime-local takes local time without a zone; the page converts it back.
  const browseFrom = async (shiftMs: number) => {
    await page.$eval('#browse-time', (e, shift) => {
      const d = new Date(Date.now() + (shift as number));
      (e as HTMLInputElement).value = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    }, shiftMs);
    await page.click('#browse');
  };
  await browseFrom(-3_600_000);
  await page.waitForFunction(() => /showing from 0$/.test((document.querySelector('#records p') as HTMLElement | null)?.innerText ?? ''));
  assert.equal(await page.$eval('table.records tbody td', (td) => td.textContent), '0', 'the first row is offset 0');
  await browseFrom(3_600_000);
  await page.waitForFunction(() => /showing from 3$/.test((document.querySelector('#records p') as HTMLElement | null)?.innerText ?? ''));
  assert.equal(await page.$eval('table.records tbody td', (td) => td.textContent), 'none', 'nothing after the newest record');
});

test('a large value is shown cut, saying so', async () => {
  await open('#/topic/big', 'Topic');
  await page.waitForSelector('table.records tbody tr');
  assert.match(await text('table.records'), /first 65536 of 100000 characters/);
  assert.equal(await page.$eval('table.records pre', (p) => p.textContent!.length), 65536);
});

test('produce form: a record sent from the page shows up in the browser and for a Kafka consumer', async () => {
  await open('#/topic/orders', 'Topic');
  await page.type('#produce-key', 'o-web');
  await page.type('#produce-partition', '0');
  await page.type('#produce-value', 'sent from the console');
  await page.type('#produce-header-name', 'origin');
  await page.type('#produce-header-value', 'browser');
  await page.click('#produce-submit');
  await page.waitForSelector('#produce-result .ok');
  assert.match(await text('#produce-result'), /partition 0 at offset 3/);
  await page.waitForFunction(() => document.querySelector('table.records')?.textContent?.includes('sent from the console'));
  assert.match(await text('table.partitions'), /^0\t0\t0\t4\t4\t/m, 'the high watermark moved');
  await page.screenshot({ path: join(shots, 'topic-orders-produced.png'), fullPage: true });

  const consumer = kafkaClient(broker).consumer({ groupId: 'produce-check' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const found = await new Promise<{ key: string; header: string; offset: string }>((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString() === 'sent from the console') resolve({ key: String(message.key), header: String(message.headers?.origin), offset: message.offset });
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  assert.deepEqual(found, { key: 'o-web', header: 'browser', offset: '3' });
});

test('produce form: an AVRO value is encoded with the subject\'s latest schema and shown decoded', async () => {
  await open('#/topic/users', 'Topic');
  await page.select('#produce-type', 'AVRO');
  await page.type('#produce-key', 'grace');
  await page.type('#produce-value', '{"name": "Grace Hopper", "age": 85, "email": null}');
  await page.click('#produce-submit');
  await page.waitForSelector('#produce-result .ok');
  await page.waitForFunction(() => document.querySelector('table.records')?.textContent?.includes('Grace Hopper'));
  const registry = new SchemaRegistry({ host: broker.registryUrl! });
  const records = await fetch(`${broker.adminUrl}/v1/topics/users/records?encoding=base64&offset=1`).then((r) => r.json()) as Array<{ value: string }>;
  assert.deepEqual({ ...await registry.decode(Buffer.from(records[0]!.value, 'base64')) }, { name: 'Grace Hopper', age: 85, email: null });
});

test('group page: lag per partition, and resetting an empty group to earliest', async () => {
  const shown = await open('#/group/billing', 'Group');
  assert.match(shown, /state Empty/);
  assert.match(await text('table.lags'), /orders\t0\t3\t4\t1\t/, 'committed 3, log end 4 after the produce test');
  assert.equal(await page.$eval('#reset-earliest', (b) => (b as HTMLButtonElement).disabled), false);
  await page.click('#reset-earliest');
  await page.waitForSelector('#reset-result .ok');
  assert.match(await text('table.lags'), /orders\t0\t0\t4\t4\t/);
  assert.equal(await text('#total-lag'), '4');
  assert.equal(await page.$eval('#lag-chart polyline', (l) => l.getAttribute('points')!.split(' ').length), 2, 'the chart has the lag before and after the reset');
  await page.screenshot({ path: join(shots, 'group-billing.png'), fullPage: true });
  assert.equal(await committed('billing', 0), '0', 'a Kafka client sees the reset offset');
});

test('resetting a group with an active member is refused', async () => {
  const consumer: Consumer = kafkaClient(broker).consumer({ groupId: 'live' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async () => resolve() }).catch(reject);
  });
  try {
    await consumer.commitOffsets([{ topic: 'orders', partition: 0, offset: '1' }]);
    const res = await fetch(`${broker.adminUrl}/console/api/groups/live/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"to":"latest"}' });
    assert.equal(res.status, 409);
    assert.match((await res.json() as { message: string }).message, /active member/);
    await open('#/group/live', 'Group');
    assert.equal(await page.$eval('#reset-latest', (b) => (b as HTMLButtonElement).disabled), true);
  } finally {
    await consumer.disconnect();
  }
});

test('consumer (KIP-848) group: type, epochs, members with assignment and target, lag; reset once it is empty', async () => {
  const kafka = new ConfluentKafka.Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: ConfluentKafka.logLevel.NOTHING } });
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'kip848', fromBeginning: true, autoCommit: false }, 'group.protocol': 'consumer', 'client.id': 'rdkafka-848' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders' });
  await consumer.run({
    eachMessage: async ({ partition, message }: any) => {
      await consumer.commitOffsets([{ topic: 'orders', partition, offset: String(Number(message.offset) + 1) }]);
    },
  });
  let end = 0;
  try {
    const group = await broker.waitForGroup('kip848', { state: 'Stable', members: 1 });
    await broker.waitForCommitted('kip848', 'orders', { partition: 0, lag: 0 });
    const member = group.members[0]!;
    end = broker.topics().find((t) => t.name === 'orders')!.partitions[0]!.highWatermark;
    await open('', 'Cluster');
    assert.match(await text('table.groups'), /kip848\tconsumer\tStable\t1\t0/);
    await open('#/group/kip848', 'Consumer group');
    assert.equal(await text('#group-type'), 'consumer');
    assert.equal(await text('#group-state'), 'Stable');
    assert.equal(await text('#group-epoch'), String(group.generationId));
    assert.equal(await text('table.members'), `member\tclient\thost\tepoch\tassignment\ttarget assignment\n${member.memberId}\trdkafka-848\t${member.clientHost}\t${member.memberEpoch}\torders: 0,1\torders: 0,1`);
    assert.deepEqual((await text('table.lags')).split('\n').slice(1), [`orders\t0\t${end}\t${end}\t0\t${member.memberId}`], 'partition 1 holds nothing, so nothing is committed there');
    assert.equal(await page.$eval('#reset-earliest', (b) => (b as HTMLButtonElement).disabled), true, 'a group with a member cannot be reset');
    assert.doesNotMatch(await text('main'), /^null$/m, 'no chart yet, and nothing in its place');
    await page.screenshot({ path: join(shots, 'group-kip848.png'), fullPage: true });
  } finally {
    await consumer.disconnect();
  }
  await broker.waitForGroup('kip848', { state: 'Empty', members: 0 });
  await open('#/group/kip848', 'Consumer group');
  assert.equal(await text('#group-state'), 'Empty');
  await page.click('#reset-earliest');
  await page.waitForSelector('#reset-result .ok');
  assert.match(await text('table.lags'), new RegExp(`^orders\\t0\\t0\\t${end}\\t${end}\\t-$`, 'm'));
  assert.equal(await committed('kip848', 0), '0', 'a Kafka client sees the reset offset');
});

test('schemas page: subjects, versions, compatibility and a diff between versions', async () => {
  await open('#/schemas', 'Schemas');
  assert.match(await text('table.subjects'), /users-value\t1, 2\tBACKWARD/);
  await page.click('table.subjects a');
  await page.waitForSelector('#diff span');
  assert.equal(await text('#compatibility'), 'BACKWARD');
  const added = await page.$$eval('#diff .add', (spans) => spans.map((s) => s.textContent).join(''));
  assert.match(added, /"email"/);
  assert.equal(await page.$$eval('#diff .del', (spans) => spans.length), 0, 'v2 is v1 with one field added');
  assert.match(await text('#diff'), /^ {2,}"name": "age",$/m, 'unchanged lines are shown as context');
  await page.screenshot({ path: join(shots, 'schema-diff.png'), fullPage: true });
});

test('unknown topics, groups and subjects show a clear error', async () => {
  assert.match(await open('#/topic/no-such-topic', 'Error'), /Topic 'no-such-topic' does not exist/);
  assert.match(await open('#/group/no-such-group', 'Error'), /Consumer group 'no-such-group' does not exist/);
  assert.match(await open('#/schema/no-such-subject', 'Error'), /Subject 'no-such-subject' not found/);
  await page.screenshot({ path: join(shots, 'error.png') });
});

/** GET with the path sent exactly as written (fetch would normalise it first). */
function rawGet(path: string): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(broker.adminUrl!);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    }).on('error', reject).end();
  });
}

test('only known assets are served: traversal-looking paths are 404', async () => {
  for (const path of ['/console/../../etc/passwd', '/console/%2e%2e/%2e%2e/etc/passwd', '/console/..%2f..%2fetc%2fpasswd', '/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/console/app.js/../../../etc/passwd', '/console/index.ts', '/console/api/../../etc/passwd']) {
    const { status, body } = await rawGet(path);
    assert.equal(status, 404, path);
    assert.doesNotMatch(body, /root:/, path);
  }
  const index = await rawGet('/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.match(index.body, /<script type="module" src="\/console\/app.js">/);
  assert.equal((await rawGet('/console/app.js')).status, 200);
  assert.equal((await rawGet('/healthz')).status, 200, 'the health checks still answer');
  assert.equal((await rawGet('/readyz')).status, 200);
});

test('with authorizer.enabled the console API asks the ACLs REST v3 asks, for User:ANONYMOUS', async () => {
  const secured = await startTestBroker({ adminPort: -1, registryPort: -1, config: { 'authorizer.enabled': true, 'registry.auth': 'basic' } });
  try {
    const { broker: b } = secured;
    b.createTopic('secret', 1);
    b.createTopic('open', 1);
    const allow = (operation: number, resourceType: number, resourceName: string) => ({
      resourceType, resourceName, patternType: 3 /* LITERAL */, principal: 'User:ANONYMOUS', host: '*', operation, permissionType: 3 /* ALLOW */,
    });
    await b.acls!.create([allow(8 /* DESCRIBE */, 2, 'open')]);
    const get = async (path: string) => {
      const res = await fetch(`${secured.adminUrl}/console/api${path}`);
      return { status: res.status, body: await res.json() as any };
    };
    const overview = await get('/overview');
    assert.deepEqual(overview.body.topics.map((t: { name: string }) => t.name), ['open'], 'only what the principal may describe');
    assert.equal(overview.body.subjects, null);
    assert.equal((await get('/topics/open')).status, 200);
    assert.deepEqual((await get('/topics/open')).body.configs, [], 'no DESCRIBE_CONFIGS');
    for (const path of ['/topics/secret', '/topics/open/records', '/groups/any', '/schemas', '/schemas/open-value']) {
      const res = await get(path);
      assert.deepEqual([res.status, res.body.error_code], [403, 40301], path);
    }
  } finally {
    await secured.close();
  }
});
