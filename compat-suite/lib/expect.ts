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
