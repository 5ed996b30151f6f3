/** kill -9 of the broker process: every schema id, version and config of its registry survives the restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');

async function start(dataDir: string) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--registry-port=-1', '--admin-port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /"registry":"(http:\/\/[^"]+)"[^\n]*samsa is ready/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  return { child, url };
}

const json = 'application/vnd.schemaregistry.v1+json';
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': json }, body: JSON.stringify(body) }).then((r) => r.json());

test('schemas, versions, ids and configs survive kill -9', async () => {
  const tmp = tempDir();
  try {
    const first = await start(tmp.dir);
    const v1 = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'long' }] };
    const v2 = { ...v1, fields: [...v1.fields, { name: 'email', type: ['null', 'string'], default: null }] };
    const a = await post(`${first.url}/subjects/users-value/versions`, { schema: JSON.stringify(v1) });
    const b = await post(`${first.url}/subjects/users-value/versions`, { schema: JSON.stringify(v2) });
    const c = await post(`${first.url}/subjects/other-value/versions`, { schema: '"string"' });
    await fetch(`${first.url}/config/users-value`, { method: 'PUT', headers: { 'content-type': json }, body: JSON.stringify({ compatibility: 'FULL' }) });
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await start(tmp.dir);
    try {
      assert.deepEqual(await fetch(`${second.url}/subjects/users-value/versions`).then((r) => r.json()), [1, 2]);
      const latest = await fetch(`${second.url}/subjects/users-value/versions/latest`).then((r) => r.json());
      assert.equal(latest.id, b.id);
      assert.equal(JSON.parse(latest.schema).fields.length, 2);
      assert.equal((await fetch(`${second.url}/schemas/ids/${a.id}`).then((r) => r.json())).schema, JSON.stringify(v1));
      assert.equal((await fetch(`${second.url}/schemas/ids/${c.id}`).then((r) => r.json())).schema, '"string"');
      assert.deepEqual(await fetch(`${second.url}/config/users-value`).then((r) => r.json()), { compatibilityLevel: 'FULL' });
      const next = await post(`${second.url}/subjects/new-value/versions`, { schema: '"bytes"' });
      assert.ok(next.id > Math.max(a.id, b.id, c.id), 'ids are never reused after the crash');
    } finally {
      second.child.kill('SIGKILL');
      await once(second.child, 'exit');
    }
  } finally {
    tmp.remove();
  }
});
