/**
 * The HTTP host on its own, with small routers mounted on it: routing (params, mounts, 404/405), JSON bodies
 * (415, 400, 413 and the host still serving), handlers that throw (500, logged once, still serving), CORS, the
 * access log, and listening on both loopback addresses when no host is given.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { HttpError, Reply, Router, startHttpHost, type HttpHost } from '../../src/http/index.js';

interface LogLine { level: number; msg: string; [key: string]: unknown }

let host: HttpHost;
const logs: LogLine[] = [];
const LIMIT = 64 * 1024;

before(async () => {
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line) as LogLine); } });
  host = await startHttpHost({ port: 0, logger });
  const api = new Router({ maxBodyBytes: LIMIT })
    .route('/echo', { POST: async (req) => ({ got: await req.body() }) })
    .route('/items/:id/parts/:part', { GET: (req) => req.params, DELETE: () => undefined })
    .route('/boom', { GET: () => { throw new Error('secret detail'); }, POST: async () => Promise.reject(new TypeError('async boom')) })
    .route('/teapot', { GET: () => { throw new HttpError(418, 41801, 'short and stout'); } })
    .route('/text', { GET: () => new Reply('a 1\n', 200, 'text/plain; version=0.0.4') });
  host.mount('/api', api);
  host.mount('/', new Router({ contentType: 'application/vnd.schemaregistry.v1+json' }).route('/', { GET: () => ({}) }));
});
after(() => host.close());

async function call(path: string, init: RequestInit = {}, base = host.url) {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* raw text */ }
  return { status: res.status, body, headers: res.headers };
}
const post = (path: string, body: string, contentType = 'application/json') =>
  call(path, { method: 'POST', headers: { 'Content-Type': contentType }, body });

describe('routing', () => {
  test('path parameters are decoded segments (an encoded / stays inside one)', async () => {
    const r = await call(`/api/items/${encodeURIComponent('a/b:c')}/parts/7`);
    assert.deepEqual([r.status, r.body], [200, { id: 'a/b:c', part: '7' }]);
  });

  test('an unknown path is a JSON 404, in the content type of the router that owns the prefix', async () => {
    const r = await call('/api/nope');
    assert.deepEqual([r.status, r.body, r.headers.get('content-type')],
      [404, { error_code: 404, message: 'HTTP 404 Not Found' }, 'application/json']);
    const root = await call('/elsewhere/deep');
    assert.deepEqual([root.status, root.body, root.headers.get('content-type')],
      [404, { error_code: 404, message: 'HTTP 404 Not Found' }, 'application/vnd.schemaregistry.v1+json']);
    assert.equal((await call('/api/items/%E0%A4%A/parts/1')).status, 404, 'bad percent-encoding');
    // '//x/...' is a path with an empty first segment, not a URL naming a host 'x' (whose path would be routed).
    assert.equal((await call('//anything/api/items/a/parts/7')).status, 404);
  });

  test('a known path with another method is 405; HEAD is GET without a body', async () => {
    const r = await call('/api/echo', { method: 'PUT' });
    assert.deepEqual([r.status, r.body], [405, { error_code: 405, message: 'HTTP 405 Method Not Allowed' }]);
    const head = await call('/api/items/a/parts/1', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body, head.headers.get('content-type')], [200, '', 'application/json']);
    assert.equal((await call('/api/echo', { method: 'HEAD' })).status, 405, 'no GET, no HEAD');
  });

  test('the longest mounted prefix wins; the root router still serves its own paths', async () => {
    assert.deepEqual((await call('/')).body, {});
    assert.equal((await call('/api/items/1/parts/2')).status, 200);
  });

  test('a Reply sets status and content type; undefined is 204', async () => {
    const r = await call('/api/text');
    assert.deepEqual([r.status, r.body, r.headers.get('content-type')], [200, 'a 1\n', 'text/plain; version=0.0.4']);
    assert.equal((await call('/api/items/1/parts/2', { method: 'DELETE' })).status, 204);
  });

  test('a thrown HttpError is answered with its status and body', async () => {
    const r = await call('/api/teapot');
    assert.deepEqual([r.status, r.body], [418, { error_code: 41801, message: 'short and stout' }]);
  });
});

describe('JSON bodies', () => {
  test('every content type Confluent accepts is read as JSON', async () => {
    for (const type of ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream']) {
      const r = await post('/api/echo', '{"a":1}', type);
      assert.deepEqual([r.status, r.body], [200, { got: { a: 1 } }], type);
    }
  });

  test('another content type is 415', async () => {
    const r = await post('/api/echo', '{"a":1}', 'text/plain');
    assert.deepEqual([r.status, r.body], [415, { error_code: 415, message: 'HTTP 415 Unsupported Media Type' }]);
  });

  test('malformed JSON is a 400 with the parser message', async () => {
    const r = await post('/api/echo', '{"a": ');
    assert.equal(r.status, 400);
    assert.equal((r.body as { error_code: number }).error_code, 400);
    assert.match((r.body as { message: string }).message, /^Unexpected JSON body: /);
  });

  test('a body over the limit is 413 with a JSON error, and the host keeps serving', async () => {
    const r = await post('/api/echo', JSON.stringify({ big: 'x'.repeat(4 * LIMIT) }));
    assert.deepEqual([r.status, r.body], [413, { error_code: 413, message: `Request body larger than ${LIMIT} bytes` }]);
    const justUnder = JSON.stringify({ big: 'x'.repeat(LIMIT - 20) });
    assert.equal((await post('/api/echo', justUnder)).status, 200);
  });
});

describe('failures', () => {
  test('a handler that throws gets a generic 500, logged once; the host keeps serving', async () => {
    logs.length = 0;
    for (const method of ['GET', 'POST']) {
      const r = await call('/api/boom', { method });
      assert.deepEqual([r.status, r.body], [500, { error_code: 500, message: 'Internal Server Error' }], method);
    }
    assert.equal(logs.filter((l) => l.level >= 50).length, 2, 'one error line per failed request');
    assert.ok(!JSON.stringify((await call('/api/boom')).body).includes('secret'), 'the error detail stays in the log');
    assert.equal((await call('/api/items/1/parts/2')).status, 200);
  });
});

describe('CORS', () => {
  test('a preflight is answered 204 with the allowed methods and the requested headers', async () => {
    const r = await call('/api/echo', {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /\bDELETE\b/);
    assert.equal(r.headers.get('access-control-allow-headers'), 'content-type');
  });

  test('every reply, errors included, carries Access-Control-Allow-Origin', async () => {
    for (const path of ['/', '/api/nope']) {
      const r = await call(path, { headers: { Origin: 'http://localhost:3000' } });
      assert.equal(r.headers.get('access-control-allow-origin'), '*', path);
    }
  });
});

describe('listening and logging', () => {
  test('with no host configured, both 127.0.0.1 and ::1 answer on the same port', async () => {
    assert.match(host.url, /^http:\/\/localhost:\d+$/);
    for (const base of [`http://127.0.0.1:${host.port}`, `http://[::1]:${host.port}`]) {
      assert.deepEqual((await call('/', {}, base)).body, {}, base);
    }
  });

  test('the access log has method, path, status and ms at debug level, never the body or query', async () => {
    logs.length = 0;
    await post('/api/echo?token=abc', '{"password":"hunter2"}');
    const access = logs.filter((l) => l.msg === 'http request');
    assert.equal(access.length, 1);
    assert.deepEqual([access[0]!.level, access[0]!.method, access[0]!.path, access[0]!.status], [20, 'POST', '/api/echo', 200]);
    assert.equal(typeof access[0]!.ms, 'number');
    assert.ok(!JSON.stringify(logs).includes('hunter2') && !JSON.stringify(logs).includes('abc'));
  });

  test('a given host is the only address; a mount twice at one prefix is refused', async () => {
    const only4 = await startHttpHost({ host: '127.0.0.1', port: 0 });
    try {
      assert.equal(only4.url, `http://127.0.0.1:${only4.port}`);
      await assert.rejects(fetch(`http://[::1]:${only4.port}/`));
      assert.throws(() => { only4.mount('/x', new Router()); only4.mount('x/', new Router()); }, /already mounted/);
    } finally {
      await only4.close();
    }
  });
});

describe('clients that go away', () => {
  test('a body cut short by the client is no failure of ours: no error line, and the host still serves', async () => {
    const { connect } = await import('node:net');
    const before = logs.length;
    const url = new URL(host.url);
    for (let i = 0; i < 5; i++) {
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      // Expect: 100-continue: the host answers once it has the request's head, and then the client goes.
      socket.write('POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      socket.write('{"half":');
      socket.destroy();
    }
    for (let i = 0; i < 50 && logs.slice(before).filter((l) => l.msg === 'http: request refused').length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = logs.slice(before);
    assert.deepEqual(lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error-level line');
    assert.equal(lines.filter((l) => l.msg === 'http: request refused').length, 5, JSON.stringify(lines));
    assert.equal((await post('/api/echo', '{"whole":true}')).status, 200);
  });
});
