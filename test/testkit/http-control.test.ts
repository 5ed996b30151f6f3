/**
 * The test kit over HTTP on the admin port, driven from Python (urllib, as a pytest suite would): a fault posted
 * there is seen by kcat and kafkajs, listed with its hit count and deleted; nodes stop and start; leaders move.
 * Bad input is answered 400/404/409 in Confluent's error shape and changes nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, kafkaClient, run } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;

before(async () => {
  broker = await startTestBroker({ nodes: 2, adminPort: -1 });
  broker.broker.createTopic('http', 1, {}, false, 2);
});

after(async () => {
  await broker.close();
});

/** Runs Python with a `call(method, path, body)` helper bound to the admin URL; returns what it printed as JSON. */
async function python(body: string, ...args: string[]): Promise<any> {
  const script = String.raw`
import json, sys, subprocess, urllib.request, urllib.error
admin, bootstrap = sys.argv[1:3]
def call(method, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(admin + path, data=data, method=method, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req) as res:
            text = res.read().decode()
            return res.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode())
` + body;
  const res = await run('/usr/bin/python3', ['-c', script, broker.adminUrl!, broker.bootstrap, ...args], { timeoutMs: 60_000 });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout);
}

test('a fault posted from Python is seen by kcat and by kafkajs, listed with its hits, and deleted', async () => {
  const out = await python(String.raw`
status, fault = call('POST', '/v1/faults', {'type': 'inject', 'api': 'Produce', 'error': 'NOT_LEADER_OR_FOLLOWER', 'topic': 'http', 'times': 2})
kcat = subprocess.run(['kcat', '-b', bootstrap, '-P', '-t', 'http', '-p', '0', '-X', 'retry.backoff.ms=20'], input=b'x\ny\n', capture_output=True)
_, listed = call('GET', '/v1/faults')
_, one = call('GET', '/v1/faults/%d' % fault['id'])
print(json.dumps({'status': status, 'fault': fault, 'kcat': kcat.returncode, 'listed': listed, 'one': one}))
`);
  assert.equal(out.status, 200);
  assert.equal(typeof out.fault.id, 'number');
  assert.deepEqual({ ...out.fault, id: 0 }, { id: 0, type: 'inject', api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', topic: 'http', times: 2, hits: 0, active: true });
  assert.equal(out.kcat, 0);
  assert.deepEqual(out.listed.map((f: { id: number; hits: number; active: boolean }) => [f.id, f.hits, f.active]), [[out.fault.id, 2, false]]);
  assert.deepEqual(out.one, out.listed[0]);
  assert.equal(broker.broker.partition('http', 0)!.logEndOffset, 2);

  const second = await python(String.raw`
_, fault = call('POST', '/v1/faults', {'type': 'inject', 'api': 0, 'error': 'REQUEST_TIMED_OUT', 'times': 1})
print(json.dumps(fault))
`);
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'http', messages: [{ value: 'z' }] });
  await producer.disconnect();
  assert.equal(broker.faults.get(second.id)!.hits, 1);
  assert.equal(broker.broker.partition('http', 0)!.logEndOffset, 3);

  const cleared = await python(String.raw`
one = call('DELETE', '/v1/faults/%d' % int(sys.argv[3]))
_, left = call('GET', '/v1/faults')
call('POST', '/v1/faults', {'type': 'delay', 'api': 'Fetch', 'ms': 5})
call('POST', '/v1/faults', {'type': 'drop', 'api': 'Produce', 'when': 'after', 'node': 1})
_, three = call('GET', '/v1/faults')
everything = call('DELETE', '/v1/faults')
_, none = call('GET', '/v1/faults')
print(json.dumps({'one': one[0], 'left': [f['id'] for f in left], 'three': [f['type'] for f in three], 'all': everything[0], 'none': none}))
`, String(out.fault.id));
  assert.deepEqual(cleared, { one: 204, left: [second.id], three: ['inject', 'delay', 'drop'], all: 204, none: [] });
});

test('nodes stop and start, leaders move, from Python', async () => {
  const out = await python(String.raw`
_, stopped = call('POST', '/v1/nodes/1/stop')
_, moved = call('POST', '/v1/partitions/http/0/leader', {'node': 0})
meta = subprocess.run(['kcat', '-b', bootstrap, '-L', '-J', '-t', 'http'], capture_output=True)
_, started = call('POST', '/v1/nodes/1/start')
_, moved_back = call('POST', '/v1/partitions/http/0/leader', {'node': 1})
print(json.dumps({'stopped': stopped, 'moved': moved, 'meta': json.loads(meta.stdout), 'started': started, 'movedBack': moved_back}))
`);
  assert.deepEqual(out.stopped, [{ id: 0, live: true }, { id: 1, live: false }]);
  assert.equal(out.moved.leader, 0);
  assert.deepEqual(out.meta.brokers.map((b: { id: number }) => b.id), [0]);
  assert.equal(out.meta.topics[0].partitions[0].leader, 0);
  assert.deepEqual(out.started, [{ id: 0, live: true }, { id: 1, live: true }]);
  assert.equal(out.movedBack.leader, 1);
  assert.equal(out.movedBack.leaderEpoch, out.moved.leaderEpoch + 1);
});

test('bad input: 400/404/409 in Confluent\'s error shape, nothing changed', async () => {
  const out = await python(String.raw`
cases = [
  ('POST', '/v1/faults', {'type': 'inject', 'api': 'Produse', 'error': 'NOT_LEADER_OR_FOLLOWER'}),
  ('POST', '/v1/faults', {'type': 'inject', 'api': 'GetTelemetrySubscriptions', 'error': 'NOT_LEADER_OR_FOLLOWER'}),
  ('POST', '/v1/faults', {'type': 'inject', 'api': 'Produce', 'error': 'NOT_A_LEADER'}),
  ('POST', '/v1/faults', {'type': 'inject', 'api': 'Produce', 'error': 6, 'node': 9}),
  ('POST', '/v1/faults', {'type': 'inject', 'api': 'Produce', 'error': 6, 'tims': 2}),
  ('POST', '/v1/faults', {'type': 'explode', 'api': 'Produce'}),
  ('POST', '/v1/faults', {'type': '__proto__', 'api': 'Produce'}),
  ('POST', '/v1/faults', {'type': 'constructor', 'api': 'Produce'}),
  ('POST', '/v1/faults', {'type': 'delay', 'api': 'Produce', 'ms': 'soon'}),
  ('POST', '/v1/faults', [1, 2]),
  ('DELETE', '/v1/faults/999', None),
  ('POST', '/v1/nodes/9/stop', None),
  ('POST', '/v1/nodes/one/stop', None),
  ('POST', '/v1/partitions/http/0/leader', {'node': 9}),
  ('POST', '/v1/partitions/nope/0/leader', {'node': 0}),
  ('POST', '/v1/partitions/http/0/leader', {}),
  ('POST', '/v1/nodes/01/stop', None),
  ('POST', '/v1/partitions/http/0/leader', {'node': 0, 'epoch': 2}),
  ('POST', '/v1/coordinators/g', {'node': 0, 'x': 1}),
]
results = [[path, call(method, path, body)] for method, path, body in cases]
results.append(['not json', call('POST', '/v1/faults', raw=b'{nope')])
call('POST', '/v1/nodes/1/stop')
results.append(['last live node', call('POST', '/v1/nodes/0/stop')])
results.append(['leader to a stopped node', call('POST', '/v1/partitions/http/0/leader', {'node': 1})])
call('POST', '/v1/nodes/1/start')
_, faults = call('GET', '/v1/faults')
_, nodes = call('GET', '/v1/nodes')
print(json.dumps({'results': [[what, status, body] for what, (status, body) in results], 'faults': faults, 'nodes': nodes}))
`);
  const statuses = out.results.map(([what, status]: [string, number]) => `${what} ${status}`);
  assert.deepEqual(statuses, [
    '/v1/faults 400', '/v1/faults 400', '/v1/faults 400', '/v1/faults 400', '/v1/faults 400', '/v1/faults 400', '/v1/faults 400', '/v1/faults 400',
    '/v1/faults 400', '/v1/faults 400', '/v1/faults/999 404', '/v1/nodes/9/stop 400', '/v1/nodes/one/stop 400', '/v1/partitions/http/0/leader 400',
    '/v1/partitions/nope/0/leader 404', '/v1/partitions/http/0/leader 400', '/v1/nodes/01/stop 400', '/v1/partitions/http/0/leader 400',
    '/v1/coordinators/g 400', 'not json 400', 'last live node 409', 'leader to a stopped node 409',
  ]);
  for (const [what, status, body] of out.results as Array<[string, number, { error_code: number; message: string }]>) {
    assert.equal(Math.floor(body.error_code / 100) === status || body.error_code === status, true, `${what}: ${JSON.stringify(body)}`);
    assert.equal(typeof body.message, 'string');
  }
  assert.match(out.results[0][2].message, /Produse/);
  assert.deepEqual(out.faults, []);
  assert.deepEqual(out.nodes, [{ id: 0, live: true }, { id: 1, live: true }]);
  assert.equal(broker.broker.placement.leaderOf('http', 0), 0, 'moved off node 1 when it stopped, not back by the refused move');
});
