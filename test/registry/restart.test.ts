/**
 * The registry's state lives only in its log: a new registry over the same log serves every id, version, deletion,
 * config and mode again — also after the log is compacted (last record per key kept, tombstones dropped).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryKeyValueLog, type KeyValueLog, type KeyValueRecord } from '../../src/log/key-value-log.js';
import { avroRecord, client, startTestRegistry, type Call } from './helpers.js';

/** What a compacted topic keeps: the last record of each key, in offset order, without tombstones. */
class CompactingLog implements KeyValueLog {
  private records: KeyValueRecord[] = [];
  async append(records: KeyValueRecord[]): Promise<void> {
    this.records.push(...records);
  }
  *replay(): Iterable<KeyValueRecord> {
    yield* this.records;
  }
  compact(): void {
    const last = new Map<string, number>();
    this.records.forEach((r, i) => last.set(r.key.toString('hex'), i));
    this.records = this.records.filter((r, i) => last.get(r.key.toString('hex')) === i && r.value !== null);
  }
}

/** Everything a client can observe, as one comparable value. */
async function snapshot(call: Call): Promise<unknown> {
  const subjects: string[] = (await call('GET', '/subjects?deleted=true')).body;
  const out: Record<string, unknown> = {
    subjects,
    live: (await call('GET', '/subjects')).body,
    config: (await call('GET', '/config')).body,
    mode: (await call('GET', '/mode')).body,
  };
  for (const s of subjects) {
    const e = encodeURIComponent(s);
    const versions: number[] = (await call('GET', `/subjects/${e}/versions?deleted=true`)).body;
    out[s] = {
      versions: await Promise.all(versions.map(async (v) => (await call('GET', `/subjects/${e}/versions/${v}?deleted=true`)).body)),
      live: (await call('GET', `/subjects/${e}/versions`)).body,
      config: (await call('GET', `/config/${e}`)).body,
      mode: (await call('GET', `/mode/${e}`)).body,
    };
  }
  for (let id = 1; id <= 12; id++) out[`id${id}`] = (await call('GET', `/schemas/ids/${id}`)).body;
  return out;
}

async function populate(call: Call): Promise<void> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(r.body)}`);
  };
  const address = avroRecord('Address', [{ name: 'street', type: 'string' }]);
  await ok('POST', '/subjects/address/versions', { schema: address });
  await ok('POST', '/subjects/person/versions', {
    schema: avroRecord('Person', [{ name: 'home', type: 'Address' }]), references: [{ name: 'Address', subject: 'address', version: 1 }],
  });
  for (let v = 0; v < 4; v++) {
    const fields = Array.from({ length: v + 1 }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 }));
    await ok('POST', '/subjects/orders-value/versions', { schema: avroRecord('Order', fields) });
  }
  await ok('POST', '/subjects/copy%3Aof-orders/versions', { schema: avroRecord('Order', [{ name: 'f0', type: 'int', default: 0 }]) });
  await ok('DELETE', '/subjects/orders-value/versions/2');
  await ok('DELETE', '/subjects/orders-value/versions/1');
  await ok('DELETE', '/subjects/orders-value/versions/1?permanent=true');
  await ok('PUT', '/config/orders-value', { compatibility: 'FULL_TRANSITIVE' });
  await ok('PUT', '/config', { compatibility: 'FORWARD' });
  await ok('POST', '/subjects/gone/versions', { schema: '"string"' });
  await ok('DELETE', '/subjects/gone');
  await ok('POST', '/subjects/gone-for-good/versions', { schema: '"long"' });
  await ok('PUT', '/config/gone-for-good', { compatibility: 'NONE' });
  await ok('DELETE', '/subjects/gone-for-good');
  await ok('DELETE', '/subjects/gone-for-good?permanent=true');
  await ok('PUT', '/mode/imported', { mode: 'IMPORT' });
  await ok('POST', '/subjects/imported/versions', { schema: '"bytes"', id: 10, version: 7 });
  // The referenced schema is rewritten (soft-deleted) after its referrer: after compaction it replays *after* it.
  await ok('DELETE', '/subjects/person');
  await ok('DELETE', '/subjects/address');
}

for (const compacted of [false, true]) {
  test(`a restarted registry serves the same state${compacted ? ' after compaction' : ''}`, async () => {
    const log = compacted ? new CompactingLog() : new MemoryKeyValueLog();
    const first = await startTestRegistry(log);
    await populate(client(first.url));
    const before = await snapshot(client(first.url));
    await first.close();
    if (log instanceof CompactingLog) log.compact();

    const second = await startTestRegistry(log);
    const call = client(second.url);
    try {
      assert.deepEqual(await snapshot(call), before);
      // New ids continue after the highest ever assigned (the hard-deleted one and the imported 10 included).
      await call('PUT', '/config/fresh', { compatibility: 'NONE' });
      const fresh = await call('POST', '/subjects/fresh/versions', { schema: '"double"' });
      assert.deepEqual(fresh.body, { id: 11 });
      // Registering a known schema again is still idempotent.
      const again = await call('POST', '/subjects/orders-value/versions', {
        schema: avroRecord('Order', Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 }))),
      });
      assert.deepEqual(again.body, { id: 6 });
      assert.deepEqual((await call('GET', '/subjects/orders-value/versions')).body, [3, 4], 'no new version');
      // Compatibility still works against replayed schemas (person's reference resolved from the log).
      const compat = await call('POST', '/compatibility/subjects/person/versions/1', {
        schema: avroRecord('Person', [{ name: 'home', type: 'Address' }]), references: [{ name: 'Address', subject: 'address', version: 1 }],
      });
      assert.equal(compat.status, 404, 'person is soft-deleted: compatibility only looks at live versions');
      assert.equal(second.isRegistered('orders-value', 6), true);
      assert.equal(second.isRegistered('orders-value', 4), false, 'soft-deleted version');
    } finally {
      await second.close();
    }
  });
}

test('an unreadable record in the log is skipped, not fatal', async () => {
  const log = new MemoryKeyValueLog();
  await log.append([{ key: Buffer.from('not json'), value: Buffer.from('{') }]);
  const registry = await startTestRegistry(log);
  try {
    const r = await client(registry.url)('POST', '/subjects/a/versions', { schema: '"int"' });
    assert.deepEqual(r.body, { id: 1 });
  } finally {
    await registry.close();
  }
});

test('a failing log append answers 50001 and changes nothing', async () => {
  const log = new MemoryKeyValueLog();
  let fail = false;
  const flaky: KeyValueLog = {
    append: (records) => (fail ? Promise.reject(new Error('disk on fire')) : log.append(records)),
    replay: () => log.replay(),
  };
  const registry = await startTestRegistry(flaky);
  const call = client(registry.url);
  try {
    assert.equal((await call('POST', '/subjects/a/versions', { schema: '"int"' })).status, 200);
    fail = true;
    const r = await call('POST', '/subjects/b/versions', { schema: '"int"' });
    assert.deepEqual([r.status, r.body.error_code], [500, 50001]);
    assert.deepEqual((await call('GET', '/subjects')).body, ['a']);
  } finally {
    await registry.close();
  }
});
