/**
 * V8's linear-time regexp engine for patterns that come from clients, as Kafka uses RE2: subscription patterns of
 * consumer groups and ListTransactions' pattern (the `l` flag) run on it, and any other pattern moves to it once it
 * has backtracked 50,000 times (V8's default), so no pattern can hold the event loop for long (`^(a+)+$` over 27 a's
 * and a '!': 4.5 s -> 1 ms). The engine takes no `u` flag (Node 20): see the JSON schema format's patterns.
 *
 * The flags are V8's, for the whole process, and apply to patterns compiled after they are set. They are set when
 * the broker is ready (startBroker) and before compiling any client's pattern, not when Samsa loads: while any V8 flag
 * differs from Node's defaults, V8 refuses the code cache of Node's own modules, so each one loaded then (net, dns,
 * cluster, http...: all of start-up's) is compiled from its source (idle RSS +0.1 MiB, start-up +1 ms).
 */
import { setFlagsFromString } from 'node:v8';

let linear: boolean | undefined;

/** Sets the flags (once); true when the `l` flag is there (it is from Node 16). */
export function useLinearRegexps(): boolean {
  if (linear === undefined) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    try {
      linear = new RegExp('a', 'l').flags.includes('l');
    } catch {
      linear = false;
    }
  }
  return linear;
}
