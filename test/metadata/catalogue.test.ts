/**
 * The topic catalogue on disk: in durable mode a change is in topics.json before it is answered; by default it is
 * written to topics.json.tmp (it survives the process, not a power loss) and synced and renamed over topics.json in
 * the background. A start reads the newest complete file of what a crash left, and tidies the rest away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TopicStore, readCatalogue } from '../../src/metadata/topics.js';
import { callApi, tempDir } from '../helpers.js';
import { kill9, startCli, stopCli } from '../durability/support.js';
import { CreateTopicsApi, MetadataApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

const names = (dir: string) => readCatalogue(dir)!.topics.map((t) => t.name).sort();
const files = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('topics.json')).sort();

test('durable mode: a change is in topics.json, synced, before the call returns; nothing else is left', () => {
  const tmp = tempDir('samsa-catalogue-');
  try {
    const store = new TopicStore(tmp.dir, true);
    store.create('a', 1, {});
    store.batch(() => ['b', 'c'].map((n) => store.create(n, 2, {})));
    assert.deepEqual(files(tmp.dir), ['topics.json']);
    assert.deepEqual((JSON.parse(readFileSync(join(tmp.dir, 'topics.json'), 'utf8')) as Array<{ name: string }>).map((t) => t.name), ['a', 'b', 'c']);
  } finally {
    tmp.remove();
  }
});

test('default mode: a change is written at once and reaches topics.json in the background; many in a row end with the last', async () => {
  const tmp = tempDir('samsa-catalogue-');
  try {
    const store = new TopicStore(tmp.dir);
    store.create('first', 1, {});
    // Written before the call returns: what a start after a crash of the process reads (the background run may
    // have moved it to .syncing or topics.json by now).
    assert.deepEqual(names(tmp.dir), ['first']);
    // Changes while the background run is under way: each is the newest the disk gets next.
    for (let i = 0; i < 50; i++) {
      store.create(`t${i}`, 1, {});
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    store.delete('t7');
    await store.flush();
    assert.deepEqual(files(tmp.dir), ['topics.json']);
    const expected = ['first', ...Array.from({ length: 50 }, (_, i) => `t${i}`).filter((n) => n !== 't7')].sort();
    assert.deepEqual((JSON.parse(readFileSync(join(tmp.dir, 'topics.json'), 'utf8')) as Array<{ name: string }>).map((t) => t.name).sort(), expected);
    assert.deepEqual(new TopicStore(tmp.dir).list().map((t) => t.name).sort(), expected);
  } finally {
    tmp.remove();
  }
});

test('a start reads the newest complete file a crash left (.tmp, then .syncing, then topics.json), makes it topics.json and removes the rest', () => {
  const saved = (...topicNames: string[]) => JSON.stringify(topicNames.map((name, i) => ({ name, id: `${'0'.repeat(30)}${(i + 2).toString(16).padStart(2, '0')}`, partitions: 1, configs: {}, internal: false })));
  const torn = (text: string) => text.slice(0, text.length - 10);
  const cases: Array<{ what: string; tmp?: string; syncing?: string; expect: string[] }> = [
    { what: 'a complete .tmp (the process crashed after answering)', tmp: saved('old', 'new'), syncing: saved('old'), expect: ['new', 'old'] },
    { what: 'a torn .tmp (power lost before it was synced) and a complete .syncing', tmp: torn(saved('old', 'mid', 'new')), syncing: saved('old', 'mid'), expect: ['mid', 'old'] },
    { what: 'a torn .tmp and a torn .syncing', tmp: torn(saved('old', 'new')), syncing: torn(saved('old', 'mid')), expect: ['old'] },
    { what: 'an empty .tmp', tmp: '', expect: ['old'] },
  ];
  for (const c of cases) {
    const tmp = tempDir('samsa-catalogue-');
    try {
      writeFileSync(join(tmp.dir, 'topics.json'), saved('old'));
      if (c.tmp !== undefined) writeFileSync(join(tmp.dir, 'topics.json.tmp'), c.tmp);
      if (c.syncing !== undefined) writeFileSync(join(tmp.dir, 'topics.json.syncing'), c.syncing);
      assert.deepEqual(names(tmp.dir), c.expect, c.what);
      const store = new TopicStore(tmp.dir);
      assert.deepEqual(store.list().map((t) => t.name).sort(), c.expect, c.what);
      assert.deepEqual(files(tmp.dir), ['topics.json'], c.what);
      assert.deepEqual(names(tmp.dir), c.expect, c.what);
    } finally {
      tmp.remove();
    }
  }
});

test('a topics.json that is not a catalogue stops the start with a message naming it', () => {
  const tmp = tempDir('samsa-catalogue-');
  try {
    writeFileSync(join(tmp.dir, 'topics.json'), '{"not": "a list"');
    assert.throws(() => new TopicStore(tmp.dir), /topics\.json is damaged \(not a JSON array of topics\)/);
  } finally {
    tmp.remove();
  }
});

for (const mode of [[], ['--fsync']]) {
  test(`kill -9 right after CreateTopics is answered${mode.length ? ' (--fsync)' : ''}: a restart has every topic; a clean stop leaves topics.json alone`, async () => {
    const tmp = tempDir('samsa-catalogue-');
    let broker = await startCli(tmp.dir, mode);
    try {
      const created: string[] = [];
      for (let i = 0; i < 20; i++) {
        const name = `crash-${i}`;
        const res = await callApi(broker.port, CreateTopicsApi, 4, { topics: [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
        assert.equal(res.topics[0].errorCode, ErrorCode.NONE);
        created.push(name);
      }
      await kill9(broker);
      broker = await startCli(tmp.dir, mode);
      const res = await callApi(broker.port, MetadataApi, 8, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const partitions = new Map(res.topics.map((t) => [t.name, t.partitions.length]));
      for (const name of created) assert.equal(partitions.get(name), 2, name);
      await stopCli(broker);
      assert.deepEqual(files(tmp.dir), ['topics.json']);
    } finally {
      broker.child.kill('SIGKILL');
      tmp.remove();
    }
  });
}
