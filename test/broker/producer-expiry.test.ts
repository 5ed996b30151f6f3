/**
 * producer.id.expiration.ms: a partition forgets an idempotent producer that has written nothing for that long (every
 * restart of an idempotent client brings a new producer id, and the old one's state would otherwise stay for good).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../helpers.js';
import { ManualClock } from '../../src/clock.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

test('an idle idempotent producer is forgotten after producer.id.expiration.ms, on the broker clock', async () => {
  const clock = new ManualClock();
  const running = await startTestBroker({ clock, config: { 'producer.id.expiration.ms': 60_000, 'producer.id.expiration.check.interval.ms': 10_000 } });
  try {
    const { broker } = running;
    broker.createTopic('t', 1);
    const send = (producerId: number, baseSequence: number) => broker.appendRecords('t', 0,
      encodeBatch([{ key: null, value: Buffer.from('v'), timestamp: clock.now() }], { producerId, producerEpoch: 0, baseSequence }), false).then((r) => r.errorCode);
    assert.equal(await send(7, 0), ErrorCode.NONE);
    assert.equal(await send(7, 5), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'known: a gap is refused');
    assert.equal(await send(8, 0), ErrorCode.NONE);
    await clock.advance(40_000);
    assert.equal(await send(8, 1), ErrorCode.NONE, 'producer 8 keeps writing');
    await clock.advance(40_000);
    const known = broker.partition('t', 0)!.producers.describe().map((p) => p.producerId);
    assert.deepEqual(known, [8], 'producer 7, idle 80 s, is gone; 8 wrote 40 s ago');
    assert.equal(await send(7, 5), ErrorCode.NONE, 'a batch of the forgotten producer is taken as a new producer\'s');
  } finally {
    await running.close();
  }
});
