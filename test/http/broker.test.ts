/**
 * The broker's HTTP host: the registry is mounted on it, it answers on ::1 as well as 127.0.0.1, other surfaces can
 * mount beside the registry, and bad requests (too big, malformed, unknown, failing) leave the broker serving.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Router } from '../../src/http/index.js';
import type { RunningBroker } from '../../src/index.js';
import { startTestBroker } from '../helpers.js';

let broker: RunningBroker;
let port: number;
const json = 'application/vnd.schemaregistry.v1+json';

before(async () => {
  broker = await startTestBroker({ registryPort: -1 });
  port = broker.broker.http!.port;
});
after(() => broker.close());

const at = (base: string, path: string, init: RequestInit = {}) => fetch(base + path, init).then(async (r) => ({ status: r.status, body: await r.json() }));
const local = (path: string, init?: RequestInit) => at(`http://127.0.0.1:${port}`, path, init);

test('registryUrl is the host the registry is mounted on', () => {
  assert.equal(broker.registryUrl, `http://localhost:${port}`);
});

test('the registry answers on ::1 as on 127.0.0.1 (localhost may resolve to either)', async () => {
  await local('/subjects/six-value/versions', { method: 'POST', headers: { 'Content-Type': json }, body: JSON.stringify({ schema: '"string"' }) });
  for (const base of [`http://[::1]:${port}`, `http://127.0.0.1:${port}`]) {
    assert.deepEqual(await at(base, '/subjects'), { status: 200, body: ['six-value'] }, base);
  }
});

test('another surface mounts beside the registry; its failures are 500s and both keep serving', async () => {
  const extra = new Router()
    .route('/', { GET: () => ({ ok: true }) })
    .route('/fail', { GET: () => { throw new Error('bug'); } });
  broker.broker.http!.mount('/extra', extra);
  try {
    assert.deepEqual(await local('/extra'), { status: 200, body: { ok: true } });
    assert.deepEqual(await local('/extra/fail'), { status: 500, body: { error_code: 500, message: 'Internal Server Error' } });
    assert.equal((await local('/subjects')).status, 200);
  } finally {
    broker.broker.http!.unmount(extra);
  }
  assert.equal((await local('/extra')).status, 404);
});

test('a body over the registry limit is 413, malformed JSON 400, an unknown path 404; the broker keeps serving', async () => {
  const big = JSON.stringify({ schema: 'x'.repeat(17 * 1024 * 1024) });
  const tooBig = await local('/subjects/six-value', { method: 'POST', headers: { 'Content-Type': json }, body: big });
  assert.deepEqual([tooBig.status, tooBig.body.error_code], [413, 413]);
  const malformed = await local('/subjects/six-value', { method: 'POST', headers: { 'Content-Type': json }, body: '{"schema":' });
  assert.deepEqual([malformed.status, malformed.body.error_code], [400, 400]);
  assert.deepEqual(await local('/no/such/path'), { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
  assert.deepEqual(await at(`http://[::1]:${port}`, '/subjects'), { status: 200, body: ['six-value'] });
});

test('by default, as Confluent\'s, the registry sends no CORS headers and refuses writes from other sites\' pages', async () => {
  const preflight = await fetch(`http://[::1]:${port}/subjects/x/versions`, {
    method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  const write = await local('/subjects/planted-value/versions', { method: 'POST', headers: { 'Content-Type': json, Origin: 'http://evil.test' }, body: JSON.stringify({ schema: '"string"' }) });
  assert.equal(write.status, 403);
  assert.deepEqual((await local('/subjects')).body.includes('planted-value'), false);
});

test('access.control.allow.origin lets the pages of that origin (or any, with *) call the registry', async () => {
  const open = await startTestBroker({ registryPort: -1, config: { 'access.control.allow.origin': 'http://localhost:5173' } });
  try {
    const base = open.registryUrl!;
    const preflight = await fetch(`${base}/subjects/x/versions`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const mine = await fetch(`${base}/subjects/ui-value/versions`, { method: 'POST', headers: { 'Content-Type': json, Origin: 'http://localhost:5173' }, body: JSON.stringify({ schema: '"string"' }) });
    assert.equal(mine.status, 200);
    const other = await fetch(`${base}/subjects/evil-value/versions`, { method: 'POST', headers: { 'Content-Type': json, Origin: 'http://evil.test' }, body: JSON.stringify({ schema: '"string"' }) });
    assert.equal(other.status, 403);
  } finally {
    await open.close();
  }
});

test('a browser that reaches the registry by a name pointed at 127.0.0.1 (DNS rebinding) is refused; clients by any name are not', async () => {
  const { request } = await import('node:http');
  const call = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/subjects', headers }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await call({ Host: `rebind.evil.test:${port}`, 'Sec-Fetch-Site': 'same-origin' }), 403);
  assert.equal(await call({ Host: `rebind.evil.test:${port}`, Origin: `http://rebind.evil.test:${port}` }), 403);
  assert.equal(await call({ Host: `schema-registry:${port}` }), 200, 'another container, by its service name');
  assert.equal(await call({ Host: `localhost:${port}`, 'Sec-Fetch-Site': 'same-origin' }), 200);
  assert.equal(await call({ Host: `127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' }), 200);
});
