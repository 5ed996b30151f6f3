/**
 * A broker whose data directory was damaged while it was down (garbage and truncation at random positions of
 * segment and index files, after an unclean stop) still starts, serves a valid prefix of what was written to each
 * damaged partition, and appends after it. Internal logs (__consumer_offsets) are damaged in some runs too.
 * Seeded: a failure names the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaClient, startTestBroker, tempDir } from '../helpers.js';
import { CLEAN_SHUTDOWN_FILE } from '../../src/log/index.js';
import { corrupt, rng } from '../log/faults.js';
import { kcatRead } from './support.js';

const MESSAGES = 400;

test('damaged segment and index files: the broker starts and serves a valid prefix of every partition', async () => {
  const tmp = tempDir('samsa-damaged-');
  try {
    // The pristine data: one partition over many small segments, and a group commit.
    const source = join(tmp.dir, 'source');
    const broker = await startTestBroker({ dataDir: source, config: { 'group.initial.rebalance.delay.ms': 0 } });
    const kafka = kafkaClient(broker);
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    await admin.createTopics({ topics: [{ topic: 'd', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }, { name: 'index.interval.bytes', value: '256' }] }] });
    for (let i = 0; i < MESSAGES; i += 1 + (i % 7)) {
      const n = Math.min(1 + (i % 7), MESSAGES - i);
      await producer.send({ topic: 'd', acks: -1, messages: Array.from({ length: n }, (_, j) => ({ value: `m${i + j}-${'z'.repeat((i * 37) % 90)}` })) });
    }
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await broker.close();

    for (let seed = 1; seed <= 12; seed++) {
      const random = rng(seed);
      const dir = join(tmp.dir, `run${seed}`);
      cpSync(source, dir, { recursive: true });
      const damaged = ['d-0', ...(seed % 3 === 0 ? ['__consumer_offsets-0'] : [])];
      const what: string[] = [];
      for (const p of damaged) {
        rmSync(join(dir, p, CLEAN_SHUTDOWN_FILE), { force: true }); // as after a crash: every CRC is checked
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) what.push(corrupt(join(dir, p), random).replace(dir, ''));
      }
      const context = `seed ${seed}: ${what.join('; ')}`;

      const again = await startTestBroker({ dataDir: dir, logLevel: 'error' }); // recovery warnings are expected
      try {
        const read = await kcatRead(again.bootstrap, 'd');
        const [{ low, high }] = await kafkaClient(again).admin().fetchTopicOffsets('d');
        // A removed first segment loses its records (the log then starts at the next one); anything else keeps 0.
        if (!/removed .*00000000000000000000\.log/.test(context)) assert.equal(Number(low), 0, context);
        assert.deepEqual(read.map((r) => r.offset), Array.from({ length: Number(high) - Number(low) }, (_, i) => Number(low) + i), `${context}: offsets low..high-1`);
        for (const r of read) assert.equal(r.value!.split('-')[0], `m${r.offset}`, `${context}: offset ${r.offset}`);
        const p = kafkaClient(again).producer();
        await p.connect();
        const [res] = await p.send({ topic: 'd', acks: -1, messages: [{ value: 'after' }] });
        await p.disconnect();
        assert.equal(Number(res.baseOffset), Number(high), context);
        const tail = await kcatRead(again.bootstrap, 'd', [], String(high));
        assert.deepEqual(tail.map((r) => r.value), ['after'], context);
      } finally {
        await again.close();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    tmp.remove();
  }
});
