/**
 * kill -9 of the CLI process during a sustained acks=-1 produce load, in the default mode (acknowledged once the
 * write reached the OS) and in --fsync mode. After a restart every acknowledged message must be readable, at the
 * offset it was acknowledged with, exactly once; offsets stay contiguous; group offsets committed before the kill
 * are there. (A process kill leaves the page cache intact, so both modes must pass; power loss is --fsync's job.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkaClient, tempDir } from '../helpers.js';
import { kcatRead, kill9, startCli, stopCli, waitFor } from './support.js';

const TOPIC = 'load';
const PARTITIONS = 3;
const GROUP = 'crash-group';

function client(bootstrap: string): Kafka {
  // No retries: a retried send could store a message twice, and this test counts copies.
  return new Kafka({ clientId: 'crash-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

interface Acked { partition: number; offset: number; value: string }

/** Producer loops sending 1 KiB messages with acks=-1 until `stop`, recording every acknowledged message. */
async function produceUntil(producer: Producer, stop: Promise<void>, loops: number, acked: Acked[]): Promise<void> {
  let stopped = false;
  void stop.then(() => { stopped = true; });
  const pad = 'p'.repeat(1000);
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    for (let seq = 0; !stopped; seq++) {
      const partition = (loop + seq) % PARTITIONS;
      const values = Array.from({ length: 20 }, (_, i) => `l${loop}-s${seq}-m${i}-${pad}`);
      try {
        const [res] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value, partition })) });
        values.forEach((value, i) => acked.push({ partition, offset: Number(res.baseOffset) + i, value }));
      } catch {
        return; // the broker is gone
      }
    }
  }));
}

async function crashAndVerify(mode: string[]): Promise<void> {
  const extra = [...mode, '--set', 'group.initial.rebalance.delay.ms=0'];
  const tmp = tempDir('samsa-crash-');
  try {
    let broker = await startCli(tmp.dir, extra);
    const kafka = client(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // Some data and a committed position before the load.
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ value: `warm-${i}`, partition: i % PARTITIONS })) });
    const committed = [{ partition: 0, offset: '7' }, { partition: 1, offset: '3' }, { partition: 2, offset: '10' }];
    // A group member commits (admin.setOffsets would wait out a paused consumer's 5 s fetch).
    const consumer = kafka.consumer({ groupId: GROUP });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => { seen++; } });
    await waitFor('the group to read the warm-up messages', () => (seen === 30 ? true : undefined));
    await consumer.commitOffsets(committed.map((c) => ({ topic: TOPIC, ...c })));
    await consumer.disconnect();

    let kill!: () => void;
    const killed = new Promise<void>((resolve) => { kill = resolve; });
    const acked: Acked[] = [];
    const load = produceUntil(producer, killed, 6, acked);
    // Kill once a good amount has been acknowledged, mid-load (sends are in flight all the time).
    await new Promise((r) => setTimeout(r, 1500));
    await kill9(broker);
    kill();
    // Answers already on their way arrive at once; kafkajs takes seconds more to give up on the rest.
    await Promise.race([load, new Promise((r) => setTimeout(r, 500))]);
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    assert.ok(acked.length > 500, `load acknowledged ${acked.length} messages before the kill`);

    broker = await startCli(tmp.dir, extra);
    try {
      const all = await kcatRead(broker.bootstrap, TOPIC);
      const stored = all.filter((r) => !r.value!.startsWith('warm-'));
      const at = new Map(stored.map((r) => [`${r.partition}/${r.offset}`, r.value]));
      for (const a of acked) assert.equal(at.get(`${a.partition}/${a.offset}`), a.value, `acknowledged ${a.partition}/${a.offset}`);
      const copies = new Map<string, number>();
      for (const r of stored) copies.set(r.value!, (copies.get(r.value!) ?? 0) + 1);
      for (const [value, n] of copies) assert.equal(n, 1, `${value.slice(0, 20)} stored once`);
      for (let p = 0; p < PARTITIONS; p++) {
        const offsets = all.filter((r) => r.partition === p).map((r) => r.offset);
        assert.deepEqual(offsets, Array.from({ length: offsets.length }, (_, i) => i), `partition ${p} contiguous from 0`);
      }
      const admin2 = kafkaClient(broker).admin();
      await admin2.connect();
      const [fetched] = await admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      await admin2.disconnect();
      assert.deepEqual(fetched.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition), committed);
      // The restarted broker takes writes after the recovered end.
      const producer2 = kafkaClient(broker).producer();
      await producer2.connect();
      const [res] = await producer2.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after', partition: 0 }] });
      await producer2.disconnect();
      assert.equal(Number(res.baseOffset), all.filter((r) => r.partition === 0).length);
    } finally {
      await stopCli(broker);
    }
  } finally {
    tmp.remove();
  }
}

test('kill -9 during acks=-1 load (default mode): every acknowledged message survives exactly once, group offsets intact', async () => {
  await crashAndVerify([]);
});

test('kill -9 during acks=-1 load (--fsync): every acknowledged message survives exactly once, group offsets intact', async () => {
  await crashAndVerify(['--fsync']);
});
