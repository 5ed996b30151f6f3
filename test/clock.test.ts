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

test('ManualClock runs thousands of timers, intervals among them, in due order then in the order they were set', async () => {
  const clock = new ManualClock(0);
  let seed = 11;
  const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
  const expected: Array<{ due: number; order: number; label: string }> = [];
  const ran: Array<[string, number]> = [];
  let order = 0;
  const schedule = (label: string, delay: number) => {
    const entry = { due: clock.now() + delay, order: order++, label };
    const handle = clock.setTimeout(() => {
      ran.push([label, clock.now()]);
      // Some timers set another while the clock advances; it runs in this advance when due within it.
      if (random(5) === 0 && label.length < 12) schedule(`${label}+`, random(3) * 10);
    }, delay);
    if (random(4) === 0) handle.cancel();
    else expected.push(entry);
  };
  for (let i = 0; i < 3000; i++) schedule(`t${i}`, random(50) * 10);
  const ticks: number[] = [];
  const every = clock.setInterval(() => ticks.push(clock.now()), 70);
  await clock.advance(1000);
  every.cancel();
  // Timers set during the advance joined `expected` as they were set; all of them were due within it.
  expected.sort((a, b) => a.due - b.due || a.order - b.order);
  assert.deepEqual(ran, expected.map((e) => [e.label, e.due]));
  assert.deepEqual(ticks, Array.from({ length: 14 }, (_, i) => (i + 1) * 70));
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
  const held = () => (clock as unknown as { held: number }).held;
  const keep = clock.setTimeout(() => {}, 1000);
  for (let i = 0; i < 10_000; i++) clock.setTimeout(() => {}, 60_000).cancel();
  assert.ok(held() <= 130, `${held()} timers held after 10,000 cancelled`);
  assert.equal(clock.pending, 1);
  keep.cancel();
  assert.equal(clock.pending, 0);
});
