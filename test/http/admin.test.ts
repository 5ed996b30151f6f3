/** The admin HTTP port: off when embedded unless asked; /healthz and /readyz once started (after recovery). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../helpers.js';

test('embedded brokers have no admin port unless asked', async () => {
  const broker = await startTestBroker();
  try {
    assert.equal(broker.adminUrl, null);
  } finally {
    await broker.close();
  }
});

test('adminPort -1: /healthz and /readyz answer 200 on 127.0.0.1 and ::1; other paths 404 in JSON', async () => {
  const broker = await startTestBroker({ adminPort: -1 });
  try {
    const port = new URL(broker.adminUrl!).port;
    for (const host of ['127.0.0.1', '[::1]']) {
      for (const path of ['/healthz', '/readyz']) {
        const res = await fetch(`http://${host}:${port}${path}`);
        assert.equal(res.status, 200, `${host}${path}`);
        assert.ok(((await res.json()) as { status: string }).status);
      }
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(typeof ((await missing.json()) as { error_code: number }).error_code, 'number');
  } finally {
    await broker.close();
  }
});

test('the admin port refuses writes from other sites\' pages (CSRF) and sends no CORS headers; scripts and its own console may write', async () => {
  const broker = await startTestBroker({ adminPort: -1 });
  try {
    const base = broker.adminUrl!.replace('localhost', '127.0.0.1');
    const post = (headers: Record<string, string>) => fetch(`${base}/v1/reset`, { method: 'POST', headers });
    const evil = await post({ origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    assert.equal(((await evil.json()) as { error_code: number }).error_code, 40301);
    assert.equal((await post({ origin: 'null' })).status, 403, 'sandboxed frames and files send Origin: null');
    assert.equal((await post({})).status < 300, true, 'a script (no Origin) may');
    assert.equal((await post({ origin: base })).status < 300, true, 'the console (same origin) may');
    const health = await fetch(`${base}/healthz`, { headers: { origin: 'http://evil.example' } });
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('access-control-allow-origin'), null);
  } finally {
    await broker.close();
  }
});

test('admin.auth=basic: every path but the probes wants a SASL user, a super user when the authorizer is on', async () => {
  const broker = await startTestBroker({
    adminPort: -1, logLevel: 'fatal',
    config: { 'admin.auth': 'basic', 'sasl.users': 'admin:admin-pw,alice:alice-pw', 'authorizer.enabled': 'true', 'super.users': 'User:admin' },
  });
  try {
    const get = (path: string, credentials?: string) => fetch(`${broker.adminUrl}${path}`, { headers: credentials ? { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {} });
    for (const path of ['/healthz', '/readyz']) assert.equal((await get(path)).status, 200, `${path} stays open for probes`);
    const anonymous = await get('/v1/topics');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Samsa admin"');
    assert.equal((await get('/v1/topics', 'admin:wrong')).status, 401);
    assert.equal((await get('/metrics', 'alice:alice-pw')).status, 401, 'not a super user');
    for (const path of ['/v1/topics', '/metrics', '/console/api/overview', '/']) assert.equal((await get(path, 'admin:admin-pw')).status, 200, path);
    // REST and the console act as the user logged in (a super user), not as User:ANONYMOUS, who may see nothing.
    broker.broker.createTopic('visible-to-admin', 1);
    const listed = await (await get('/v3/clusters/samsa-cluster/topics', 'admin:admin-pw')).json() as { data: Array<{ topic_name: string }> };
    assert.ok(listed.data.some((t) => t.topic_name === 'visible-to-admin'), JSON.stringify(listed));
  } finally {
    await broker.close();
  }
  const open = await startTestBroker({ adminPort: -1, config: { 'admin.auth': 'basic', 'sasl.users': 'alice:alice-pw' } });
  try {
    const res = await fetch(`${open.adminUrl}/v1/topics`, { headers: { Authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}` } });
    assert.equal(res.status, 200, 'any SASL user without the authorizer');
  } finally {
    await open.close();
  }
});
