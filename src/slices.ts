/**
 * Long loops in slices of the event loop: work over thousands of items (a CreateTopics of 10,000 topics) lets
 * other connections' requests run between slices instead of waiting for the whole of it.
 */
import { monotonicMs } from './clock.js';

/** The event loop's other callbacks run, then this resolves. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `items` in turn, with a turn of the event loop for others after each `sliceMs` of work. */
export async function* inSlices<T>(items: Iterable<T>, sliceMs = 10): AsyncGenerator<T> {
  let sliceEnd = monotonicMs() + sliceMs;
  for (const item of items) {
    if (monotonicMs() > sliceEnd) {
      await nextTurn();
      sliceEnd = monotonicMs() + sliceMs;
    }
    yield item;
  }
}
