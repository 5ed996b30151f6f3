/**
 * eachInSlices: a plain loop over the items that gives the event loop a turn each time a slice of work is used up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachInSlices } from '../src/slices.js';
import { monotonicMs } from '../src/clock.js';

const busy = (ms: number) => {
  const until = monotonicMs() + ms;
  while (monotonicMs() < until);
};

test('eachInSlices runs every item in order, and other callbacks run between slices once a slice is used up', async () => {
  const seen: string[] = [];
  setImmediate(() => seen.push('other'));
  await eachInSlices([1, 2, 3, 4], (n) => {
    seen.push(String(n));
    busy(3);
  }, 5);
  // 3 ms an item in 5 ms slices: the other callback runs after a slice (one or two items, as the machine's load
  // has it), before the last item; the items keep their order.
  assert.deepEqual(seen.filter((x) => x !== 'other'), ['1', '2', '3', '4']);
  const other = seen.indexOf('other');
  assert.ok(other > 0 && other < seen.length - 1, `the other callback ran between slices: ${seen.join(' ')}`);
});

test('eachInSlices within one slice never yields: the loop ends before callbacks queued meanwhile', async () => {
  const seen: string[] = [];
  setImmediate(() => seen.push('other'));
  const done = eachInSlices(['a', 'b', 'c'], (x) => seen.push(x), 1000);
  assert.deepEqual(seen, ['a', 'b', 'c'], 'all items ran synchronously');
  await done;
  assert.deepEqual(seen, ['a', 'b', 'c']);
});
