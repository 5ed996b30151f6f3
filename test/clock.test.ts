import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/clock.js';

test('ManualClock runs timers in due order, each at its own time, including ones scheduled while advancing', async () => {
  const clock = new ManualClock(1000);
  const seen: Array<[string, number]> = [];
  clock.setTimeout(() => seen.push(['b', clock.now()]), 200);
  clock.setTimeout(() => {
    seen.push(['a', clock.now()]);
    clock.setTimeout(() => seen.push(['c', clock.now()]), 50);
  }, 100);
  const late = clock.setTimeout(() => seen.push(['never', clock.now()]), 150);
  late.cancel();
  await clock.advance(99);
  assert.deepEqual(seen, []);
  await clock.advance(200);
  assert.deepEqual(seen, [['a', 1100], ['c', 1150], ['b', 1200]]);
  assert.equal(clock.now(), 1299);
  assert.equal(clock.pending, 0);
});

test('ManualClock intervals repeat until cancelled', async () => {
  const clock = new ManualClock(0);
  const ticks: number[] = [];
  const every = clock.setInterval(() => ticks.push(clock.now()), 30);
  await clock.advance(100);
  assert.deepEqual(ticks, [30, 60, 90]);
  every.cancel();
  await clock.advance(100);
  assert.deepEqual(ticks, [30, 60, 90]);
});

test('ManualClock: an interval due millions of times in one advance catches up a bounded number of times, then runs at the end', async () => {
  const clock = new ManualClock(0);
  let runs = 0;
  let lastRunAt = -1;
  clock.setInterval(() => { runs++; lastRunAt = clock.now(); }, 1000);
  clock.setInterval(() => { runs++; }, 1000); // two intervals alternate: each is bounded on its own
  const oneShotAt: number[] = [];
  clock.setTimeout(() => oneShotAt.push(clock.now()), 2 ** 31 - 1);
  await clock.advance(2 ** 31);
  assert.ok(runs <= 2 * 10_000 + 4, `ran ${runs} times`);
  assert.deepEqual(oneShotAt, [2 ** 31 - 1], 'one-shot timers run at their own time');
  assert.equal(lastRunAt, Math.floor(2 ** 31 / 1000) * 1000, 'the interval ran at its last due time');
});

test('ManualClock lets go of cancelled timers without waiting for an advance (each holds what it would have run)', () => {
  const clock = new ManualClock(0);
  const held = () => (clock as unknown as { timers: unknown[] }).timers.length;
  const keep = clock.setTimeout(() => {}, 1000);
  for (let i = 0; i < 10_000; i++) clock.setTimeout(() => {}, 60_000).cancel();
  assert.ok(held() <= 130, `${held()} timers held after 10,000 cancelled`);
  assert.equal(clock.pending, 1);
  keep.cancel();
  assert.equal(clock.pending, 0);
});
