/**
 * V8's linear-time regexp engine for patterns that come from clients, as Kafka uses RE2: subscription patterns of
 * consumer groups (the `l` flag, LINEAR) run on it, and any other pattern moves to it once it has backtracked 50,000
 * times (V8's default), so no pattern can hold the event loop for long (`^(a+)+$` over 27 a's and a '!': 4.5 s ->
 * 1 ms). The engine takes no `u` flag (Node 20): see the JSON schema format's patterns. Set when this module loads;
 * the CLI's loader sets the same flags before compiling the bundle (its code cache is only taken under the same ones).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** The `l` flag is there. */
export const LINEAR = (() => {
  try {
    return new RegExp('a', 'l').flags.includes('l');
  } catch {
    return false;
  }
})();
