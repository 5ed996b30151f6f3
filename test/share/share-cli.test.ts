/** `samsa group describe` on a share group (the bundled CLI as a child process, as users run it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, startTestBroker } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';
import { ACCEPT, ShareConsumer, produce } from './share-consumer.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');

test('samsa group describe shows a share group: members, assignments, start offset, end and lag', async () => {
  const broker = await startTestBroker();
  try {
    const topic = broker.broker.createTopic('work', 1);
    const a = new ShareConsumer(broker.port, 'sg', topic.id, 'work');
    await a.heartbeat(0);
    await a.fetch();
    for (let i = 0; i < 5; i++) await produce(broker, 'work', [`r${i}`]);
    const got = await a.fetch([], { maxRecords: 2 });
    await a.acknowledge(got.map((r) => ({ offset: r.offset, type: ACCEPT })));
    const b = ['--bootstrap-server', broker.bootstrap];
    const json = await run(process.execPath, [cli, 'group', 'describe', 'sg', ...b, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const d = JSON.parse(json.stdout);
    assert.deepEqual([d.type, d.state, d.members.length, d.members[0].assignment], ['share', 'Stable', 1, { work: [0] }]);
    assert.deepEqual(d.partitions.map((p: { partition: number; startOffset: number; endOffset: number; lag: number }) => [p.partition, p.startOffset, p.endOffset, p.lag]), [[0, 2, 5, 3]]);
    const text = await run(process.execPath, [cli, 'group', 'describe', 'sg', ...b]);
    assert.match(text.stdout, /^work\s+0\s+2\s+5\s+3\s+1$/m);
    // group list: the type, state and members ListGroups v5 and ShareGroupDescribe tell.
    const listed = await run(process.execPath, [cli, 'group', 'list', ...b, '--format', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((g: { group: string; type: string; state: string; members: number }) => [g.group, g.type, g.state, g.members]), [['sg', 'share', 'Stable', 1]]);
  } finally {
    await broker.close();
  }
});
