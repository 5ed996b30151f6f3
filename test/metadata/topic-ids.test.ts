import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopicStore, newTopicId } from '../../src/metadata/topics.js';

test('topic ids survive a restart and find their topic; a deleted or recreated topic loses its old id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-topic-ids-'));
  try {
    const first = new TopicStore(dir);
    const kept = first.create('kept', 3, {});
    const dropped = first.create('dropped', 1, {});
    const recreatedOld = first.create('recreated', 1, {});
    const recreatedNew = first.create('recreated', 2, {});
    first.delete('dropped');
    assert.notDeepEqual(recreatedOld.id, recreatedNew.id);

    const reopened = new TopicStore(dir);
    assert.equal(reopened.getById(kept.id)?.name, 'kept');
    assert.deepEqual(reopened.get('kept')?.id, kept.id);
    assert.equal(reopened.getById(dropped.id), undefined);
    assert.equal(reopened.getById(recreatedOld.id), undefined);
    assert.equal(reopened.getById(recreatedNew.id)?.partitions, 2);
    assert.equal(reopened.getById(Buffer.alloc(16)), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('new topic ids are never reserved and never start with "-" in base64', () => {
  for (let i = 0; i < 2000; i++) {
    const id = newTopicId();
    assert.equal(id.length, 16);
    assert.ok(!id.toString('base64url').startsWith('-'));
    assert.ok(!id.subarray(0, 15).every((b) => b === 0));
  }
});
