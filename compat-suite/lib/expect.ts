/**
 * Test data and checks shared by the node clients (compat_common.py mirrors them for the python clients).
 */

export interface Msg {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition?: number;
  offset?: number;
  /** The value's bytes, for binary payloads (Avro). */
  raw?: Buffer;
}

/** n keyed messages with two headers each; `tag` makes values distinct per batch. */
export function testMessages(n: number, tag = 'm'): Msg[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `key-${i % 4}`,
    value: `${tag}-value-${i}-${'x'.repeat(i * 7)}`,
    headers: { 'compat-index': String(i), 'compat-tag': tag },
  }));
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/**
 * `got` must hold exactly the expected messages: same multiset, keys/values/headers intact, and for each key the
 * produce order kept (one key always lands on one partition).
 */
export function checkMessages(got: Msg[], expected: Msg[], opts: { headers?: boolean } = {}): void {
  check(got.length === expected.length, `expected ${expected.length} messages, got ${got.length}: ${summary(got)}`);
  const byValue = new Map(expected.map((m) => [m.value, m]));
  for (const m of got) {
    const want = byValue.get(m.value);
    check(want, `unexpected or duplicated message ${JSON.stringify(m).slice(0, 200)}`);
    byValue.delete(m.value);
    check(m.key === want.key, `message ${m.value.slice(0, 30)}: key ${m.key} != ${want.key}`);
    if (opts.headers !== false) {
      for (const [h, v] of Object.entries(want.headers)) {
        check(m.headers[h] === v, `message ${m.value.slice(0, 30)}: header ${h}=${m.headers[h]} != ${v}`);
      }
    }
  }
  for (const key of new Set(expected.map((m) => m.key))) {
    const order = (list: Msg[]) => list.filter((m) => m.key === key).map((m) => m.value);
    check(JSON.stringify(order(got)) === JSON.stringify(order(expected)), `order of key ${key} not kept`);
  }
}

/**
 * What Kafka promises a consumer group across a rebalance: at least once. Every expected message is in `got`, nothing
 * else is, and per key the first sightings keep the produce order; a message may appear twice (a fetch that was in
 * flight when its partition moved to another member legitimately returns it; a commit in flight may not have landed).
 */
export function checkAtLeastOnce(got: Msg[], expected: Msg[]): void {
  const firstSightings: Msg[] = [];
  const seen = new Set<string>();
  for (const m of got) {
    if (seen.has(m.value)) continue;
    seen.add(m.value);
    firstSightings.push(m);
  }
  checkMessages(firstSightings, expected);
}

function summary(list: Msg[]): string {
  return list.slice(0, 5).map((m) => `${m.key}=${m.value.slice(0, 20)}`).join(', ') + (list.length > 5 ? ', …' : '');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a value other than undefined, or throws after `ms` with `what`. */
export async function waitFor<T>(what: string, ms: number, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Avro schema the registry scenarios register, and its compatible evolution (a new field with a default). */
export const USER_SCHEMA_V1 = {
  type: 'record', name: 'User', namespace: 'samsa.compat',
  fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }],
};
export const USER_SCHEMA_V2 = {
  ...USER_SCHEMA_V1,
  fields: [...USER_SCHEMA_V1.fields, { name: 'email', type: ['null', 'string'], default: null }],
};

/** Confluent wire format: magic 0, 4-byte schema id, payload. */
export function wireSchemaId(buf: Buffer): number {
  check(buf.length >= 5 && buf[0] === 0, `not in the Confluent wire format: ${buf.subarray(0, 8).toString('hex')}`);
  return buf.readInt32BE(1);
}

/** A group member the rebalance scenario drives: what it has read, the partitions it owns now, and how it leaves. */
export interface GroupMember {
  got: Msg[];
  owned(): number[];
  leave(): Promise<void>;
}

/**
 * The rebalance scenario of every node client, on a 4-partition topic: `a` owns all 4, `b` joins and they split
 * them, 20 messages are read between them, `b` leaves, `a` takes over all 4 and reads 10 more from the committed
 * offsets. The sleeps let late duplicates arrive before the checks (this runs against any broker: real time).
 * - `exactlyOnce`: each message read once (else at least once);
 * - `ownedOnly`: a member reads only partitions it owns at the end of the split;
 * - `keepsPartitions`: `a` never loses a partition it kept while `b` leaves (KIP-848 reassigns incrementally).
 */
export async function splitThenTakeOver(opts: {
  member: (name: string) => Promise<GroupMember>;
  produce: (messages: Msg[]) => Promise<void>;
  exactlyOnce: boolean;
  ownedOnly: boolean;
  keepsPartitions: boolean;
}): Promise<void> {
  const checkRead = opts.exactlyOnce ? checkMessages : checkAtLeastOnce;
  const a = await opts.member('a');
  await waitFor('a to own all 4 partitions', 15000, () => (a.owned().length === 4 ? true : undefined));
  const b = await opts.member('b');
  await waitFor('a and b to split the 4 partitions', 20000, () =>
    (b.owned().length > 0 && a.owned().length + b.owned().length === 4 && new Set([...a.owned(), ...b.owned()]).size === 4 ? true : undefined));
  const first = testMessages(20, 'first');
  await opts.produce(first);
  await waitFor('20 messages between a and b', 15000, () => (a.got.length + b.got.length >= 20 ? true : undefined));
  await sleep(500);
  checkRead([...a.got, ...b.got], first);
  if (opts.ownedOnly) for (const m of [a, b]) check(m.got.every((msg) => m.owned().includes(msg.partition!)), 'a member read a partition it was not assigned');
  const kept = a.owned();
  let lost = false;
  const watch = setInterval(() => { lost ||= !kept.every((p) => a.owned().includes(p)); }, 10);
  try {
    await b.leave();
    await waitFor('a to take over all 4 partitions', 20000, () => (a.owned().length === 4 ? true : undefined));
  } finally {
    clearInterval(watch);
  }
  if (opts.keepsPartitions) check(!lost, 'a lost partitions it kept while b left (KIP-848 reassigns incrementally)');
  const second = testMessages(10, 'second');
  const before = a.got.length;
  await opts.produce(second);
  await waitFor('a to read the 10 new messages', 15000, () => (a.got.length - before >= 10 ? true : undefined));
  await sleep(1000);
  checkRead(a.got.slice(before), second);
  await a.leave();
}
