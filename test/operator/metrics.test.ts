/** `/metrics` on the admin host, scraped and parsed as Prometheus would, around real kafkajs traffic. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Producer } from 'kafkajs';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { parseExposition, type Exposition } from './prometheus.js';

let broker: RunningBroker;
let admin: Admin;
let producer: Producer;

before(async () => {
  broker = await startTestBroker({ adminPort: -1, registryPort: -1 });
  admin = kafkaClient(broker).admin();
  producer = kafkaClient(broker).producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

after(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.close();
});

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${broker.adminUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** Consumes `count` records of `topic` in `group`, then leaves (kafkajs commits on the way out). */
async function consume(group: string, topic: string, count: number): Promise<void> {
  const consumer = kafkaClient(broker).consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async () => { if (++seen >= count) resolve(); } }).catch(reject);
  });
  await consumer.disconnect();
}

async function until(what: string, check: (m: Exposition) => boolean): Promise<Exposition> {
  for (let i = 0; i < 100; i++) {
    const m = await scrape();
    if (check(m)) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`metrics never showed ${what}`);
}

test('every family is typed once and named by convention; process metrics are there', async () => {
  const m = await scrape();
  assert.equal(m.types.get('samsa_request_total'), 'counter');
  assert.equal(m.types.get('samsa_request_latency_seconds'), 'histogram');
  assert.equal(m.types.get('samsa_partition_high_watermark'), 'gauge');
  assert.equal(m.types.get('samsa_consumer_group_lag'), 'gauge');
  for (const [name, type] of m.types) {
    if (type === 'counter') assert.match(name, /_total$/, `counter ${name} ends in _total`);
  }
  assert.ok(m.find('process_cpu_user_seconds_total').length === 1, 'prom-client default metrics');
  assert.ok(m.find('nodejs_heap_size_used_bytes').length === 1);
});

test('requests, bytes per topic, partition offsets and connections rise with kafkajs traffic', async () => {
  await admin.createTopics({ topics: [{ topic: 'metered', numPartitions: 2 }] });
  const before = await scrape();
  const value = Buffer.alloc(1000, 7);
  await producer.send({ topic: 'metered', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value })) });
  await consume('metered-readers', 'metered', 10);
  const after = await scrape();

  const produces = (m: Exposition) => m.sum('samsa_request_total', { api: 'Produce' });
  assert.ok(produces(after) > produces(before), 'Produce requests counted');
  assert.ok(after.sum('samsa_request_total', { api: 'Fetch' }) > before.sum('samsa_request_total', { api: 'Fetch' }));
  assert.equal(after.sum('samsa_request_errors_total', { api: 'Produce' }), 0);
  // The histogram: cumulative buckets, +Inf equal to the count.
  const buckets = after.find('samsa_request_latency_seconds_bucket', { api: 'Produce' });
  assert.ok(buckets.length > 2);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
  assert.equal(buckets.at(-1)!.labels.le, '+Inf');
  assert.equal(buckets.at(-1)!.value, after.sum('samsa_request_latency_seconds_count', { api: 'Produce' }));
  assert.equal(after.sum('samsa_request_latency_seconds_count', { api: 'Produce' }), produces(after));

  const bytesIn = after.sum('samsa_topic_bytes_in_total', { topic: 'metered' });
  const bytesOut = after.sum('samsa_topic_bytes_out_total', { topic: 'metered' });
  assert.ok(bytesIn > 10 * 1000, `bytes in ${bytesIn} hold the 10 kB of values`);
  assert.ok(bytesOut >= bytesIn, `the consumer read every byte produced (${bytesOut} >= ${bytesIn})`);

  assert.equal(after.sum('samsa_partition_high_watermark', { topic: 'metered' }), 10);
  assert.equal(after.sum('samsa_partition_log_end_offset', { topic: 'metered' }), 10);
  assert.equal(after.sum('samsa_partition_log_start_offset', { topic: 'metered' }), 0);
  assert.equal(after.sum('samsa_partition_size_bytes', { topic: 'metered' }), bytesIn, 'the log holds the batches as produced');
  assert.equal(after.find('samsa_partition_high_watermark', { topic: 'metered' }).length, 2, 'one sample per partition');

  assert.ok(after.sum('samsa_connections', { listener: 'PLAINTEXT' }) >= 1, 'the admin client and producer are connected');
  assert.ok(after.sum('samsa_connections_accepted_total', { listener: 'PLAINTEXT' }) > before.sum('samsa_connections_accepted_total', { listener: 'PLAINTEXT' }));
  assert.ok(after.sum('samsa_http_requests_total', { server: 'admin', route: '/metrics', status: '200' }) > before.sum('samsa_http_requests_total', { server: 'admin', route: '/metrics', status: '200' }));

  await admin.deleteTopics({ topics: ['metered'] });
  const gone = await scrape();
  assert.equal(gone.find('samsa_topic_bytes_in_total', { topic: 'metered' }).length, 0, 'a deleted topic\'s series go with it');
  assert.equal(gone.find('samsa_partition_high_watermark', { topic: 'metered' }).length, 0);
});

test('consumer group lag follows the high watermark and falls to 0 once consumed', async () => {
  await admin.createTopics({ topics: [{ topic: 'lagging', numPartitions: 3 }] });
  const lag = (m: Exposition) => m.sum('samsa_consumer_group_lag', { group: 'laggards', topic: 'lagging' });
  await producer.send({ topic: 'lagging', messages: Array.from({ length: 6 }, (_, i) => ({ key: `a${i}`, value: 'x' })) });
  await consume('laggards', 'lagging', 6);
  await until('lag 0 after the first read', (m) => m.find('samsa_consumer_group_lag', { group: 'laggards' }).length > 0 && lag(m) === 0);

  await producer.send({ topic: 'lagging', messages: Array.from({ length: 9 }, (_, i) => ({ key: `b${i}`, value: 'y' })) });
  const behind = await scrape();
  assert.equal(lag(behind), 9, 'nine records not yet consumed');
  assert.equal(behind.sum('samsa_consumer_group_committed_offset', { group: 'laggards', topic: 'lagging' }), 6);

  await consume('laggards', 'lagging', 9);
  await until('lag 0 after catching up', (m) => lag(m) === 0);
});

test('registry requests are counted by route pattern and status', async () => {
  const base = broker.registryUrl!;
  await fetch(`${base}/subjects`);
  await fetch(`${base}/subjects/nope/versions`);
  const m = await scrape();
  assert.ok(m.sum('samsa_http_requests_total', { server: 'registry', route: '/subjects', status: '200' }) >= 1);
  assert.ok(m.sum('samsa_http_requests_total', { server: 'registry', route: '/subjects/:subject/versions', status: '404' }) >= 1,
    'the pattern, never the subject, is the label');
});

test('label values are escaped: a group id with quotes, backslashes and newlines stays one parseable sample', async () => {
  await admin.createTopics({ topics: [{ topic: 'escaped', numPartitions: 1 }] });
  const group = 'we"ird\\group\nid';
  await broker.broker.groups.commitOffsets(group, [{ topic: 'escaped', partition: 0, offset: 0, leaderEpoch: -1, metadata: null }]);
  const m = await scrape();
  assert.deepEqual(m.find('samsa_consumer_group_lag', { group }).map((s) => [s.labels.topic, s.value]), [['escaped', 0]]);
});

test("a deleted topic's byte counters go with it, scraped or not (6,000 create/delete cycles left 12,000 entries)", async () => {
  const running = await startTestBroker();
  try {
    for (let i = 0; i < 3; i++) {
      running.broker.createTopic(`churn-${i}`, 1);
      running.broker.traffic.produced(`churn-${i}`, 100);
      running.broker.traffic.fetched(`churn-${i}`, 100);
      running.broker.deleteTopic(`churn-${i}`);
    }
    assert.deepEqual([running.broker.traffic.bytesIn.size, running.broker.traffic.bytesOut.size], [0, 0]);
  } finally {
    await running.close();
  }
});
