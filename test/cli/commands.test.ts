/**
 * The `samsa` commands as users run them: the bundled CLI as a child process against a real in-process broker
 * (one node, then three), checked with its own output and with kafkajs and @kafkajs/confluent-schema-registry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { RunningBroker } from '../../src/index.js';
import { kafkaClient, run, startTestBroker, tempDir, type RunResult } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');
// kafkajs's DefaultPartitioner hashes keys with Java's murmur2; the CLI must pick the same partitions.
const murmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

function samsa(args: string[], input?: string, timeoutMs = 30_000): Promise<RunResult> {
  return run(process.execPath, [cli, ...args], { input, timeoutMs });
}

/** Runs a command that must succeed; returns its stdout. */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await samsa(args, input);
  assert.equal(r.code, 0, `samsa ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a command that must fail with `code` and one line on stderr matching `message`. */
async function fails(args: string[], code: number, message: RegExp, input?: string): Promise<void> {
  const r = await samsa(args, input);
  assert.equal(r.code, code, `samsa ${args.join(' ')}: expected exit ${code}, got ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr.trim(), message);
}

const jsonLines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

interface Rec { partition: number; offset: number; key: string | null; value: unknown; timestamp: number; headers: Array<{ key: string; value: string }> }

for (const nodes of [1, 3]) {
  describe(`against Samsa with ${nodes} node${nodes > 1 ? 's' : ''}`, () => {
    let broker: RunningBroker;
    let b: string[];
    before(async () => {
      broker = await startTestBroker({ nodes });
      b = ['-b', broker.bootstrap];
    });
    after(() => broker.close());

    test('cluster info and topic create, list, describe, alter-config, add-partitions, delete', async () => {
      const info = JSON.parse(await ok(['cluster', 'info', ...b, '--format', 'json']));
      assert.deepEqual(info.nodes.map((n: { id: number }) => n.id), broker.nodes.map((n) => n.id));
      assert.ok(info.apis.versions.some((a: { name: string; max: number }) => a.name === 'Fetch' && a.max >= 4));
      assert.match(await ok(['cluster', 'info', ...b]), /^NODE\s+HOST\s+PORT\s+RACK$/m);

      assert.match(await ok(['topic', 'create', 'admin', '-p', '2', '-c', 'retention.ms=3600000', ...b]), /Created topic 'admin'/);
      const listed = JSON.parse(await ok(['topic', 'list', ...b, '--format', 'json'])) as Array<{ name: string; partitions: number }>;
      assert.deepEqual(listed.find((t) => t.name === 'admin'), { name: 'admin', partitions: 2, replicas: 1, internal: false });
      assert.match(await ok(['topic', 'list', ...b]), /^admin\s+2\s+1$/m);

      const described = JSON.parse(await ok(['topic', 'describe', 'admin', ...b, '--format', 'json']));
      assert.deepEqual(described.partitions.map((p: { partition: number; highWatermark: number }) => [p.partition, p.highWatermark]), [[0, 0], [1, 0]]);
      for (const p of described.partitions) assert.ok(broker.nodes.some((n) => n.id === p.leader));
      assert.deepEqual(described.configs.find((c: { name: string }) => c.name === 'retention.ms'), { name: 'retention.ms', value: '3600000', source: 'topic', readOnly: false, sensitive: false });

      await ok(['topic', 'alter-config', 'admin', '--set', 'retention.ms=7200000', '--set', 'cleanup.policy=compact', ...b]);
      let configs = JSON.parse(await ok(['topic', 'describe', 'admin', ...b, '--format', 'json'])).configs as Array<{ name: string; value: string; source: string }>;
      assert.equal(configs.find((c) => c.name === 'retention.ms')!.value, '7200000');
      assert.equal(configs.find((c) => c.name === 'cleanup.policy')!.value, 'compact');
      await ok(['topic', 'alter-config', 'admin', '--delete', 'retention.ms', ...b]);
      configs = JSON.parse(await ok(['topic', 'describe', 'admin', ...b, '--format', 'json'])).configs;
      assert.equal(configs.find((c) => c.name === 'retention.ms')!.source, 'default');

      await ok(['topic', 'add-partitions', 'admin', '-p', '4', ...b]);
      const admin = kafkaClient(broker).admin();
      await admin.connect();
      try {
        assert.equal((await admin.fetchTopicMetadata({ topics: ['admin'] })).topics[0]!.partitions.length, 4);
        await fails(['topic', 'add-partitions', 'admin', '-p', '3', ...b], 1, /^samsa: cannot grow topic 'admin' to 3 partitions: INVALID_PARTITIONS/);
        await fails(['topic', 'create', 'admin', ...b], 1, /TOPIC_ALREADY_EXISTS/);
        await ok(['topic', 'delete', 'admin', ...b]);
        assert.ok(!(await admin.listTopics()).includes('admin'));
      } finally {
        await admin.disconnect();
      }
    });

    test('produce keys, values and headers; consume them back as json, text and templates', async () => {
      await ok(['topic', 'create', 'lines', '-p', '3', ...b]);
      const input = Array.from({ length: 30 }, (_, i) => `key-${i % 7}:value ${i}`).join('\n') + '\n';
      const produced = JSON.parse(await ok(['produce', 'lines', '-k', ':', '-H', 'origin=cli', '-H', 'n=1', ...b, '--format', 'json'], input));
      assert.equal(produced.records, 30);

      const records = jsonLines(await ok(['consume', 'lines', ...b, '--format', 'json'])) as unknown as Rec[];
      assert.equal(records.length, 30);
      for (const r of records) {
        assert.equal(r.partition, (murmur2(Buffer.from(r.key!)) & 0x7fffffff) % 3, `key ${r.key} lands where a Java client puts it`);
        assert.deepEqual(r.headers, [{ key: 'origin', value: 'cli' }, { key: 'n', value: '1' }]);
      }
      // Per partition, in produce order.
      for (let p = 0; p < 3; p++) {
        const mine = records.filter((r) => r.partition === p);
        assert.deepEqual(mine.map((r) => r.offset), mine.map((_, i) => i));
        const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => (murmur2(Buffer.from(`key-${i % 7}`)) & 0x7fffffff) % 3 === p);
        assert.deepEqual(mine.map((r) => r.value), expected.map((i) => `value ${i}`));
      }
      const text = (await ok(['consume', 'lines', '-p', '0', ...b])).trim().split('\n');
      assert.deepEqual(text, records.filter((r) => r.partition === 0).map((r) => r.value));
      const templated = await ok(['consume', 'lines', '-p', '1', '--first', '1', ...b, '--format', '%t/%p@%o %k=%v [%h]\\n']);
      const first = records.find((r) => r.partition === 1)!;
      assert.equal(templated, `lines/1@0 ${first.key}=${first.value} [origin=cli,n=1]\n`);

      // A file, a fixed partition, no key separator.
      const tmp = tempDir();
      try {
        writeFileSync(join(tmp.dir, 'in.txt'), 'x\n\ny\n');
        await ok(['produce', 'lines', '--file', join(tmp.dir, 'in.txt'), '-p', '2', ...b]);
        assert.deepEqual((await ok(['consume', 'lines', '-p', '2', '--last', '2', ...b])).trim().split('\n'), ['x', 'y']);
        for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) await ok(['produce', 'lines', '-p', '2', '--compression', codec, ...b], `${codec}\n`);
        assert.deepEqual((await ok(['consume', 'lines', '-p', '2', '--last', '4', ...b])).trim().split('\n'), ['gzip', 'snappy', 'lz4', 'zstd']);
      } finally {
        tmp.remove();
      }
    });

    test('polling strategies: --offset, --from-timestamp, --first, --last, --next with a group, --follow', async () => {
      await ok(['topic', 'create', 'polls', '-p', '2', ...b]);
      const producer = kafkaClient(broker).producer();
      await producer.connect();
      // Ten records per partition with timestamps 1000, 2000, ... 10000.
      for (const partition of [0, 1]) {
        await producer.send({ topic: 'polls', messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}-${i}`, timestamp: String((i + 1) * 1000) })) });
      }
      await producer.disconnect();
      const values = async (args: string[]) => (await ok(['consume', 'polls', ...args, ...b, '--format', '%v\\n'])).trim().split('\n').filter(Boolean).sort();

      assert.deepEqual(await values(['-p', '1', '--offset', '7']), ['1-7', '1-8', '1-9']);
      assert.deepEqual(await values(['--offset', '8']), ['0-8', '0-9', '1-8', '1-9']);
      assert.deepEqual(await values(['--from-timestamp', '8500']), ['0-8', '0-9', '1-8', '1-9']);
      assert.deepEqual(await values(['-p', '0', '--from-timestamp', new Date(9000).toISOString()]), ['0-8', '0-9']);
      assert.deepEqual(await values(['--from-timestamp', '20000']), []);
      assert.deepEqual(await values(['--first', '2']), ['0-0', '0-1', '1-0', '1-1']);
      assert.deepEqual(await values(['--last', '1']), ['0-9', '1-9']);
      assert.deepEqual(await values(['-p', '0', '--first', '100']), Array.from({ length: 10 }, (_, i) => `0-${i}`));
      assert.equal((await values(['-n', '3'])).length, 3);

      // --next N --group G reads on from the committed offsets and commits.
      assert.deepEqual(await values(['--next', '3', '--group', 'pollers']), ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2']);
      assert.deepEqual(await values(['--next', '2', '--group', 'pollers', '-p', '1']), ['1-3', '1-4']);
      assert.deepEqual(await values(['--next', '1', '--group', 'pollers']), ['0-3', '1-5']);
      const group = JSON.parse(await ok(['group', 'describe', 'pollers', ...b, '--format', 'json']));
      assert.equal(group.state, 'Empty');
      assert.deepEqual(group.partitions.map((p: { partition: number; committedOffset: number; endOffset: number; lag: number }) => [p.partition, p.committedOffset, p.endOffset, p.lag]), [[0, 4, 10, 6], [1, 6, 10, 4]]);
      assert.match(await ok(['group', 'describe', 'pollers', ...b]), /^polls\s+0\s+4\s+10\s+6\s/m);
      const admin = kafkaClient(broker).admin();
      await admin.connect();
      try {
        const committed = await admin.fetchOffsets({ groupId: 'pollers', topics: ['polls'] });
        assert.deepEqual(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '4'], [1, '6']]);
      } finally {
        await admin.disconnect();
      }
      // --group alone reads everything after the committed offset.
      assert.equal((await values(['--group', 'pollers'])).length, 10);
      assert.deepEqual(await values(['--group', 'pollers']), []);

      // --follow waits for records that do not exist yet.
      await ok(['topic', 'create', 'later', '-p', '1', ...b]);
      const following = samsa(['consume', 'later', '--follow', '-n', '2', ...b]);
      await ok(['produce', 'later', ...b], 'one\ntwo\nthree\n');
      const followed = await following;
      assert.equal(followed.code, 0, followed.stderr);
      assert.equal(followed.stdout, 'one\ntwo\n');
    });

    test('group list, seek (observed by a kafkajs consumer) and delete', async () => {
      await ok(['topic', 'create', 'seekable', '-p', '2', ...b]);
      await ok(['produce', 'seekable', '-k', '=', ...b], Array.from({ length: 20 }, (_, i) => `k${i}=v${i}`).join('\n'));
      await ok(['consume', 'seekable', '--group', 'seekers', ...b]);
      assert.deepEqual(JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json'])).partitions.map((p: { lag: number }) => p.lag), [0, 0]);
      const listed = (JSON.parse(await ok(['group', 'list', ...b, '--format', 'json'])) as Array<{ group: string; type: string; state: string; members: number }>).find((g) => g.group === 'seekers');
      assert.deepEqual([listed?.type, listed?.state, listed?.members], ['classic', 'Empty', 0]);

      const seeked = JSON.parse(await ok(['group', 'seek', 'seekers', '--to', 'start', ...b, '--format', 'json']));
      assert.deepEqual(seeked.partitions.map((p: { offset: number }) => p.offset), [0, 0]);
      // A kafkajs consumer of the group starts where the seek put it: every record again.
      const consumer = kafkaClient(broker).consumer({ groupId: 'seekers' });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: 'seekable', fromBeginning: false });
        const seen: string[] = [];
        await new Promise<void>((resolve, reject) => {
          consumer.run({
            eachMessage: async ({ message }) => {
              seen.push(message.value!.toString());
              if (seen.length === 20) resolve();
            },
          }).catch(reject);
        });
        assert.deepEqual(seen.sort(), Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
        const live = JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json']));
        assert.equal(live.state, 'Stable');
        assert.equal(live.members.length, 1);
        assert.deepEqual(live.members[0].assignment, { seekable: [0, 1] });
        assert.deepEqual(live.partitions.map((p: { memberId: string }) => p.memberId), [live.members[0].memberId, live.members[0].memberId]);
        // While the kafkajs member is in the group, seeking is refused.
        await fails(['group', 'seek', 'seekers', '--to', 'end', ...b], 1, /^samsa: group 'seekers' is Stable with 1 member: stop its consumers before seeking$/);
      } finally {
        await consumer.disconnect();
      }

      // --dry-run shows what it would commit and commits nothing.
      const preview = JSON.parse(await ok(['group', 'seek', 'seekers', '--to', '3', '--dry-run', ...b, '--format', 'json']));
      assert.equal(preview.dryRun, true);
      assert.deepEqual(preview.partitions.map((p: { offset: number }) => p.offset), [3, 3]);
      assert.deepEqual(JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json'])).partitions.map((p: { lag: number }) => p.lag), [0, 0]);
      await ok(['group', 'seek', 'seekers', '--to', '3', ...b]);
      const lags = JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json'])).partitions as Array<{ committedOffset: number; endOffset: number }>;
      assert.deepEqual(lags.map((p) => p.committedOffset), [3, 3]);
      await ok(['group', 'seek', 'seekers', '--to', 'end', '--topic', 'seekable', ...b]);
      assert.deepEqual(JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json'])).partitions.map((p: { lag: number }) => p.lag), [0, 0]);
      await ok(['group', 'seek', 'seekers', '--to', new Date(Date.now() + 3_600_000).toISOString(), ...b]);
      assert.deepEqual(JSON.parse(await ok(['group', 'describe', 'seekers', ...b, '--format', 'json'])).partitions.map((p: { lag: number }) => p.lag), [0, 0]);

      await ok(['group', 'delete', 'seekers', ...b]);
      await fails(['group', 'describe', 'seekers', ...b], 1, /^samsa: unknown group 'seekers'$/);
      await fails(['group', 'delete', 'seekers', ...b], 1, /^samsa: unknown group 'seekers'$/);
    });
  });
}

describe('schemas through the registry', () => {
  let broker: RunningBroker;
  let b: string[];
  let r: string[];
  let sr: SchemaRegistry;
  const tmp = tempDir();
  const file = (name: string, text: string) => {
    writeFileSync(join(tmp.dir, name), text);
    return join(tmp.dir, name);
  };
  before(async () => {
    broker = await startTestBroker({ registryPort: -1 });
    r = ['--registry-url', broker.registryUrl!];
    b = ['-b', broker.bootstrap, ...r];
    sr = new SchemaRegistry({ host: broker.registryUrl! });
  });
  after(async () => {
    await broker.close();
    tmp.remove();
  });

  /** The raw values of a topic, read with kafkajs. */
  async function rawValues(topic: string, count: number): Promise<Buffer[]> {
    const consumer = kafkaClient(broker).consumer({ groupId: `raw-${topic}` });
    const out: Buffer[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer.run({ eachMessage: async ({ message }) => { out.push(message.value!); if (out.length === count) resolve(); } }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  test('Avro: register, produce --value-subject, consume decoded; Confluent clients read it; a mismatch fails', async () => {
    const user = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }, { name: 'email', type: ['null', 'string'], default: null }] };
    const registered = JSON.parse(await ok(['schema', 'register', 'users-value', file('user.avsc', JSON.stringify(user)), ...r, '--format', 'json']));
    assert.deepEqual(registered, { subject: 'users-value', id: registered.id, version: 1, schemaType: 'AVRO' });
    await ok(['topic', 'create', 'users', '-p', '1', '-b', broker.bootstrap]);
    // Plain JSON and Avro's JSON encoding (a wrapped union) are both accepted.
    await ok(['produce', 'users', '--value-subject', 'users-value', ...b], '{"name":"ann","age":30}\n{"name":"bob","age":41,"email":{"string":"b@x"}}\n{"name":"cy","age":5,"email":"c@x"}\n');
    const consumed = jsonLines(await ok(['consume', 'users', ...b, '--format', 'json'])).map((r) => r.value);
    assert.deepEqual(consumed, [
      { name: 'ann', age: 30, email: null },
      { name: 'bob', age: 41, email: { string: 'b@x' } },
      { name: 'cy', age: 5, email: { string: 'c@x' } },
    ]);
    const raw = await rawValues('users', 3);
    assert.deepEqual(raw.map((v) => v.readInt32BE(1)), [registered.id, registered.id, registered.id]);
    assert.deepEqual({ ...(await sr.decode(raw[1]!)) }, { name: 'bob', age: 41, email: 'b@x' });

    // A Confluent serializer's record decodes in `samsa consume`.
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    await producer.send({ topic: 'users', messages: [{ key: 'k', value: await sr.encode(registered.id, { name: 'dee', age: 9, email: null }) }] });
    await producer.disconnect();
    assert.equal(await ok(['consume', 'users', '--last', '1', ...b, '--format', '%k %v\\n']), 'k {"name":"dee","age":9,"email":null}\n');

    await fails(['produce', 'users', '--value-subject', 'users-value', ...b], 1, /^samsa: line 2: value does not match Avro schema \d+: age: "old" is not "int" \(1 record written before it\)$/, '{"name":"eve","age":1}\n{"name":"fay","age":"old"}\n');
    await fails(['produce', 'users', '--value-subject', 'no-such-subject', ...b], 1, /^samsa: schema registry: Subject 'no-such-subject' not found\. \(error 40401\)$/, '{}\n');
    await fails(['produce', 'users', '--value-schema-id', '999', ...b], 1, /^samsa: schema registry: Schema 999 not found/, '{}\n');
  });

  test('JSON Schema and Protobuf round trips', async () => {
    const order = { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'string' } }, required: ['id'] };
    await ok(['schema', 'register', 'orders-value', file('order.json', JSON.stringify(order)), ...r]);
    await ok(['topic', 'create', 'orders', '-p', '1', '-b', broker.bootstrap]);
    await ok(['produce', 'orders', '--value-subject', 'orders-value', ...b], '{"id":1,"note":"hi"}\n');
    assert.deepEqual(jsonLines(await ok(['consume', 'orders', ...b, '--format', 'json'])).map((r) => r.value), [{ id: 1, note: 'hi' }]);
    await fails(['produce', 'orders', '--value-subject', 'orders-value', ...b], 1, /^samsa: line 1: value does not match JSON schema \d+: value must have required property 'id'$/, '{"note":"no id"}\n');
    assert.deepEqual({ ...(await sr.decode((await rawValues('orders', 1))[0]!)) }, { id: 1, note: 'hi' });

    const proto = 'syntax = "proto3";\npackage acme;\nmessage Point { int32 x = 1; int32 y = 2; string label = 3; }\nmessage Other { string s = 1; }\n';
    await ok(['schema', 'register', 'points-value', file('point.proto', proto), ...r]);
    await ok(['topic', 'create', 'points', '-p', '1', '-b', broker.bootstrap]);
    await ok(['produce', 'points', '--value-subject', 'points-value', ...b], '{"x":3,"y":-4,"label":"p"}\n');
    assert.deepEqual(jsonLines(await ok(['consume', 'points', ...b, '--format', 'json'])).map((r) => r.value), [{ x: 3, y: -4, label: 'p' }]);
    const decoded = await sr.decode((await rawValues('points', 1))[0]!);
    assert.deepEqual({ x: decoded.x, y: decoded.y, label: decoded.label }, { x: 3, y: -4, label: 'p' });
    await fails(['produce', 'points', '--value-subject', 'points-value', ...b], 1, /^samsa: line 1: value does not match Protobuf schema \d+ \(Point\): x: integer expected$/, '{"x":"three"}\n');
  });

  test('schema list, get, check and delete', async () => {
    const v1 = { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }] };
    const compatible = { ...v1, fields: [...v1.fields, { name: 'qty', type: 'int', default: 1 }] };
    const incompatible = { ...v1, fields: [...v1.fields, { name: 'qty', type: 'int' }] };
    await ok(['schema', 'register', 'items-value', file('item.avsc', JSON.stringify(v1)), ...r]);
    assert.match(await ok(['schema', 'list', ...r]), /^items-value\s+1\s+1\s+\d+\s+AVRO$/m);
    const got = JSON.parse(await ok(['schema', 'get', 'items-value', '--version', '1', ...r, '--format', 'json']));
    assert.deepEqual(JSON.parse(got.schema), v1);
    assert.match(await ok(['schema', 'get', 'items-value', ...r]), /"name": "sku"/);
    assert.match(await ok(['schema', 'check', 'items-value', file('ok.avsc', JSON.stringify(compatible)), ...r]), /^Compatible/);
    const bad = await samsa(['schema', 'check', 'items-value', file('bad.avsc', JSON.stringify(incompatible)), ...r]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Not compatible[\s\S]*READER_FIELD_MISSING_DEFAULT_VALUE/);
    await ok(['schema', 'register', 'items-value', file('ok.avsc', JSON.stringify(compatible)), ...r]);
    assert.deepEqual(JSON.parse(await ok(['schema', 'delete', 'items-value', ...r, '--format', 'json'])).versions, [1, 2]);
    await fails(['schema', 'get', 'items-value', ...r], 1, /^samsa: schema registry: Subject 'items-value' not found\. \(error 40401\)$/);
    assert.deepEqual(JSON.parse(await ok(['schema', 'delete', 'items-value', '--permanent', ...r, '--format', 'json'])).versions, [1, 2]);
    await fails(['schema', 'delete', 'items-value', '--permanent', ...r], 1, /Subject 'items-value' not found/);
  });
});

describe('bad input: one line on stderr and a non-zero exit code', () => {
  let broker: RunningBroker;
  let b: string[];
  let closedPort: number;
  before(async () => {
    broker = await startTestBroker({ config: { 'auto.create.topics.enable': false } });
    b = ['-b', broker.bootstrap];
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    closedPort = (server.address() as { port: number }).port;
    server.close();
    await once(server, 'close');
  });
  after(() => broker.close());

  test('an unknown topic or group', async () => {
    await fails(['consume', 'nope', ...b], 1, /^samsa: unknown topic 'nope'$/);
    await fails(['topic', 'describe', 'nope', ...b], 1, /^samsa: unknown topic 'nope'$/);
    await fails(['produce', 'nope', ...b], 1, /^samsa: unknown topic 'nope'$/, 'x\n');
    await fails(['topic', 'delete', 'nope', ...b], 1, /^samsa: cannot delete topic 'nope': UNKNOWN_TOPIC_OR_PARTITION/);
    await fails(['group', 'describe', 'nobody', ...b], 1, /^samsa: unknown group 'nobody'$/);
    await ok(['topic', 'create', 'one', '-p', '1', ...b]);
    await fails(['consume', 'one', '-p', '5', ...b], 1, /^samsa: topic 'one' has no partition 5 \(it has 1\)$/);
  });

  test('a broker or registry that is down fails fast', async () => {
    const started = Date.now();
    await fails(['topic', 'list', '-b', `127.0.0.1:${closedPort}`], 1, new RegExp(`^samsa: cannot connect to 127.0.0.1:${closedPort}: ECONNREFUSED$`));
    await fails(['consume', 'x', '-b', `127.0.0.1:${closedPort}`, '--timeout', '1000'], 1, /ECONNREFUSED/);
    await fails(['schema', 'list', '--registry-url', `http://127.0.0.1:${closedPort}`], 1, new RegExp(`^samsa: cannot reach the schema registry at http://127.0.0.1:${closedPort}: ECONNREFUSED$`));
    assert.ok(Date.now() - started < 15_000);
    // SAMSA_BOOTSTRAP is the default bootstrap.
    const r = await run('env', [`SAMSA_BOOTSTRAP=127.0.0.1:${closedPort}`, process.execPath, cli, 'cluster', 'info']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot connect to 127.0.0.1:\d+: ECONNREFUSED/);
  });

  test('bad usage exits 2', async () => {
    await fails(['topic', 'bogus'], 2, /unknown command 'bogus'/);
    await fails(['consume'], 2, /missing required argument 'topic'/);
    await fails(['consume', 'one', '--first', 'x', ...b], 2, /--first expects a whole number/);
    await fails(['consume', 'one', '--first', '1', '--last', '1', ...b], 2, /^samsa: choose one of --offset, --from-timestamp, --first, --last, --next/);
    await fails(['consume', 'one', '--next', '1', ...b], 2, /^samsa: --next needs --group <group>$/);
    await fails(['consume', 'one', '--format', 'yaml', ...b], 2, /^samsa: --format expects text, json or a template/);
    await fails(['topic', 'list', '--format', 'yaml', ...b], 2, /argument 'yaml' is invalid/);
    await fails(['topic', 'list', '-b', 'host:99999'], 2, /^samsa: bad bootstrap server 'host:99999': port out of range$/);
    await fails(['topic', 'alter-config', 'one', ...b], 2, /^samsa: alter-config needs at least one --set/);
    await fails(['produce', 'one', '--header', 'novalue', ...b], 2, /^samsa: --header expects key=value/, 'x\n');
    await fails(['group', 'list', '--state', 'Bogus', ...b], 2, /^samsa: --state expects names among Empty, .*, got 'Bogus'$/);
    await fails(['group', 'list', '--type', 'bogus', ...b], 2, /^samsa: --type expects names among classic, consumer, share, streams, got 'bogus'$/);
    await fails(['consume', 'one', '--from-timestamp', '2024-02-30', ...b], 2, /^samsa: --from-timestamp expects milliseconds since the epoch or an ISO-8601 date-time, got '2024-02-30'$/);
  });

  test('--help on every command and --version', async () => {
    const commands = [
      [], ['topic'], ['topic', 'list'], ['topic', 'create'], ['topic', 'describe'], ['topic', 'delete'], ['topic', 'alter-config'], ['topic', 'add-partitions'],
      ['produce'], ['consume'], ['group'], ['group', 'list'], ['group', 'describe'], ['group', 'seek'], ['group', 'delete'],
      ['schema'], ['schema', 'list'], ['schema', 'get'], ['schema', 'register'], ['schema', 'check'], ['schema', 'delete'], ['cluster'], ['cluster', 'info'],
    ];
    for (const c of commands) {
      const r = await samsa(c.length === 0 ? ['help'] : [...c, '--help']);
      assert.equal(r.code, 0, `${c.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: samsa ${c.join(' ')}`), c.join(' '));
      if (c.length === 1) assert.equal((await samsa(['help', ...c])).stdout, r.stdout);
    }
    const version = (await samsa(['--version'])).stdout.trim();
    assert.match(version, /^samsa \d+\.\d+\.\d+/);
    assert.match((await samsa(['start', '--help'])).stdout, /--registry-port <n>/);
  });
});

describe('data as it is: large lines, binary bytes, bytes that only look like registry data, hostile names', () => {
  let broker: RunningBroker;
  let b: string[];
  let closedRegistry: string;
  before(async () => {
    broker = await startTestBroker();
    b = ['-b', broker.bootstrap];
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    closedRegistry = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    server.close();
    await once(server, 'close');
  });
  after(() => broker.close());

  /** stdout as bytes (the text helper decodes it as UTF-8); the broker is in this process, so not spawnSync. */
  const rawOut = async (args: string[]) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const [status] = await once(child, 'close') as [number];
    return { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
  };

  test('2,000 lines of 1.5 KB go out in batches under the broker\'s message.max.bytes, all of them, in order', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(1500)}`);
    const produced = JSON.parse(await ok(['produce', 'wide', '-p', '0', ...b, '--format', 'json'], `${lines.join('\n')}\n`));
    assert.equal(produced.records, 2000);
    const read = (await ok(['consume', 'wide', ...b])).trim().split('\n');
    assert.deepEqual(read, lines);
  });

  test('binary keys, values and headers: text writes their bytes, JSON gives base64 and says so', async () => {
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    const key = Buffer.from([0xff, 0x00, 0x01]);
    const value = Buffer.from([0x80, 0x81, 0x00, 0x0a, 0xfe]);
    await producer.send({ topic: 'bytes', messages: [{ key, value, headers: { raw: Buffer.from([0xc3, 0x28]), text: 'ok' } }] });
    await producer.disconnect();
    const text = await rawOut(['consume', 'bytes', ...b]);
    assert.equal(text.status, 0, String(text.stderr));
    assert.deepEqual(text.stdout, Buffer.concat([value, Buffer.from('\n')]));
    const templated = await rawOut(['consume', 'bytes', ...b, '--format', '%k|%v']);
    assert.deepEqual(templated.stdout, Buffer.concat([key, Buffer.from('|'), value]));
    const [json] = jsonLines(await ok(['consume', 'bytes', ...b, '--format', 'json']));
    assert.equal(json!.key, key.toString('base64'));
    assert.equal(json!.keyEncoding, 'base64');
    assert.equal(json!.value, value.toString('base64'));
    assert.equal(json!.valueEncoding, 'base64');
    assert.deepEqual(json!.headers, [{ key: 'raw', value: 'wyg=', encoding: 'base64' }, { key: 'text', value: 'ok' }]);
  });

  test('a value that only starts like registry data (a Java long) is printed as stored, with one warning; --no-decode asks nothing', async () => {
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    const long42 = Buffer.alloc(8);
    long42.writeBigInt64BE(42n);
    await producer.send({ topic: 'longs', messages: [{ value: long42 }, { value: long42 }, { value: Buffer.from('after') }] });
    await producer.disconnect();
    const decoded = await rawOut(['consume', 'longs', ...b, '--registry-url', closedRegistry]);
    assert.equal(decoded.status, 0, String(decoded.stderr));
    assert.deepEqual(decoded.stdout, Buffer.concat([long42, Buffer.from('\n'), long42, Buffer.from('\nafter\n')]));
    const warnings = String(decoded.stderr).trim().split('\n');
    assert.equal(warnings.length, 1, String(decoded.stderr));
    assert.match(warnings[0]!, /^samsa: longs\/0 offset 0: the value looks like schema-registry data but is not decoded \(.*ECONNREFUSED.*\); printed as stored/);
    const raw = await rawOut(['consume', 'longs', ...b, '--registry-url', closedRegistry, '--no-decode']);
    assert.equal(raw.status, 0);
    assert.deepEqual(raw.stdout, decoded.stdout);
    assert.equal(String(raw.stderr), '');
  });

  test('a produce whose file cannot be read creates no topic; a directory or a missing file is one line', async () => {
    const tmp = tempDir();
    try {
      await fails(['produce', 'never-made', '-f', join(tmp.dir, 'missing.txt'), ...b], 1, /^samsa: cannot read .*missing\.txt: no such file$/);
      await fails(['produce', 'never-made', '-f', tmp.dir, ...b], 1, /^samsa: cannot read .*: it is a directory$/);
      assert.doesNotMatch(await ok(['topic', 'list', ...b]), /never-made/);
    } finally {
      tmp.remove();
    }
  });

  test('numbers beyond Kafka\'s fields, and timers beyond Node\'s, are usage errors', async () => {
    await fails(['topic', 'create', 'big', '-p', '2147483648', ...b], 2, /-p expects a whole number from 1 to 2147483647/);
    await fails(['topic', 'create', 'big', '-r', '32768', ...b], 2, /-r expects a whole number from 1 to 32767/);
    await fails(['topic', 'list', '--timeout', '9999999999', ...b], 2, /--timeout expects a whole number from 1 to 2147483647/);
  });

  test('a server that answers with a malformed frame is one line, not a crash', async () => {
    const server = createServer((socket) => socket.once('data', () => socket.end(Buffer.from('ffffff f0 41414141414141414141'.replace(/ /g, ''), 'hex'))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await fails(['topic', 'list', '-b', `127.0.0.1:${(server.address() as { port: number }).port}`], 1, /^samsa: malformed response from 127\.0\.0\.1:\d+: a frame of -16 bytes/);
    } finally {
      server.close();
    }
  });

  test('control characters in a name are written as escapes in tables and errors', async () => {
    await ok(['produce', 'named', ...b], 'x\n');
    const group = '\x1b[31mEVIL\nFAKE';
    await ok(['consume', 'named', '--group', group, '--next', '1', ...b]);
    const listed = await ok(['group', 'list', ...b]);
    assert.ok(!listed.includes('\x1b'), listed);
    assert.ok(listed.includes('\\x1b[31mEVIL\\nFAKE'), listed);
    await fails(['group', 'describe', '\x1bbad', ...b], 1, /^samsa: unknown group '\\x1bbad'$/);
  });
});

describe('a registry with HTTP Basic authentication', () => {
  let broker: RunningBroker;
  before(async () => {
    broker = await startTestBroker({ registryPort: -1, config: { 'registry.auth': 'basic', 'sasl.users': 'alice:alice-secret' } });
  });
  after(() => broker.close());

  test('credentials in --registry-url are sent as HTTP Basic and never printed; a URL that is not one is a usage error', async () => {
    const url = new URL(broker.registryUrl!);
    url.username = 'alice';
    url.password = 'alice-secret';
    assert.equal(JSON.parse(await ok(['schema', 'list', '--registry-url', url.href, '--format', 'json'])).length, 0);
    url.password = 'wrong-secret';
    const refused = await samsa(['schema', 'list', '--registry-url', url.href]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^samsa: schema registry: .*\(error 401\d*\)\n$/);
    assert.ok(!refused.stderr.includes('wrong-secret'), refused.stderr);
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as { port: number }).port;
    closed.close();
    await once(closed, 'close');
    const unreachable = await samsa(['schema', 'list', '--registry-url', `http://alice:alice-secret@127.0.0.1:${closedPort}`]);
    assert.equal(unreachable.stderr, `samsa: cannot reach the schema registry at http://127.0.0.1:${closedPort}: ECONNREFUSED\n`);
    await fails(['schema', 'list', '--registry-url', 'not a url'], 2, /^samsa: --registry-url expects a URL such as http:\/\/localhost:8081, got 'not a url'$/);
    const masked = await samsa(['schema', 'list', '--registry-url', 'http//alice:alice-secret@x']);
    assert.equal(masked.code, 2);
    assert.ok(!masked.stderr.includes('alice-secret'), masked.stderr);
  });
});

describe('SASL and TLS listeners', () => {
  let broker: RunningBroker;
  let tmp: ReturnType<typeof tempDir>;
  let caFile: string;
  let passwordFile: string;
  const listener = (name: string) => broker.nodes[0]!.listeners[name]!;
  /** The command with SAMSA_* variables set (the password's usual way in). */
  const withEnv = (env: Record<string, string>, args: string[], input?: string) =>
    run('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, cli, ...args], { input });
  before(async () => {
    broker = await startTestBroker({ config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.auto': true,
      'sasl.users': 'alice:alice-secret', 'connection.failed.authentication.delay.ms': 0,
    } });
    tmp = tempDir();
    caFile = join(tmp.dir, 'ca.pem');
    writeFileSync(caFile, broker.tls!.ca);
    passwordFile = join(tmp.dir, 'password');
    writeFileSync(passwordFile, 'alice-secret\n');
  });
  after(async () => {
    await broker.close();
    tmp.remove();
  });

  test('PLAIN and SCRAM-SHA-256/512, over plain TCP and TLS; the password from the environment or a file', async () => {
    const plain = await withEnv({ SAMSA_SASL_PASSWORD: 'alice-secret' }, ['topic', 'create', 'secured', '-b', listener('SASL_PLAINTEXT'), '--sasl-mechanism', 'PLAIN', '--sasl-username', 'alice']);
    assert.equal(plain.code, 0, plain.stderr);
    const scram256 = ['-b', listener('SASL_PLAINTEXT'), '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'alice', '--sasl-password-file', passwordFile];
    assert.match(await ok(['topic', 'list', ...scram256]), /^secured\s/m);
    const overTls = ['-b', listener('SASL_SSL'), '--tls-ca', caFile, '--sasl-mechanism', 'scram-sha-512', '--sasl-username', 'alice', '--sasl-password-file', passwordFile];
    assert.equal(JSON.parse(await ok(['produce', 'secured', ...overTls, '--format', 'json'], 'one\ntwo\n')).records, 2);
    assert.deepEqual((await ok(['consume', 'secured', '-b', listener('SSL'), '--tls-ca', caFile])).trim().split('\n').sort(), ['one', 'two']);
  });

  test('a wrong password, a missing one, no SASL and no CA are each one line that says what is wrong', async () => {
    const wrong = await withEnv({ SAMSA_SASL_PASSWORD: 'not-her-secret' }, ['topic', 'list', '-b', listener('SASL_PLAINTEXT'), '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'alice']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^samsa: authentication of 'alice' with SCRAM-SHA-256 at \S+:\d+ failed: SASL_AUTHENTICATION_FAILED/);
    assert.ok(!wrong.stderr.includes('not-her-secret'));
    await fails(['topic', 'list', '-b', listener('SASL_PLAINTEXT'), '--sasl-mechanism', 'PLAIN', '--sasl-username', 'alice'], 2, /^samsa: SASL PLAIN needs a password: SAMSA_SASL_PASSWORD or --sasl-password-file$/);
    await fails(['topic', 'list', '-b', listener('SASL_PLAINTEXT'), '--sasl-mechanism', 'GSSAPI', '--sasl-username', 'alice'], 2, /^samsa: --sasl-mechanism expects PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'$/);
    await fails(['topic', 'list', '-b', listener('SASL_PLAINTEXT')], 1, /closed by the broker \(if it is a SASL or SSL listener, see --sasl-mechanism and --tls\)$/);
    await fails(['topic', 'list', '-b', listener('SSL'), '--tls'], 1, /^samsa: cannot connect to \S+:\d+: \w+ \(trust its CA with --tls-ca\)$/);
  });
});

describe('keys, tombstones and separators as Kafka\'s console tools have them', () => {
  let broker: RunningBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker();
    b = ['-b', broker.bootstrap];
  });
  after(() => broker.close());

  test('--null-marker writes null keys and values (tombstones); consume prints null as null; a line without the key separator is an error', async () => {
    await ok(['produce', 'tombs', '-p', '0', '-k', ':', '--null-marker', 'NULL', ...b], 'a:1\na:NULL\nNULL:keyless\n');
    const [first, tomb, keyless] = jsonLines(await ok(['consume', 'tombs', ...b, '--format', 'json']));
    assert.deepEqual([first!.key, first!.value], ['a', '1']);
    assert.deepEqual([tomb!.key, tomb!.value], ['a', null]);
    assert.deepEqual([keyless!.key, keyless!.value], [null, 'keyless']);
    assert.equal(await ok(['consume', 'tombs', ...b, '--format', '%k=%v\\n']), 'a=1\na=null\nnull=keyless\n');
    await fails(['produce', 'tombs', '-k', ':', ...b], 1, /^samsa: line 2: no key separator ':' \(1 record written before it\)$/, 'b:2\nno-separator\n');
  });
});
