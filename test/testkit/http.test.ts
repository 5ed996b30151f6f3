/**
 * The test kit's state routes on the admin port, driven from Python (python3's urllib, as a pytest fixture would):
 * groups with committed offsets, decoded records, the manual clock, reset, and Confluent-style errors — against an
 * embedded broker and against the CLI started with --manual-clock.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startTestBroker, kafkaClient, run } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
let real: RunningBroker;

before(async () => {
  broker = await startTestBroker({ clock: 'manual', adminPort: -1 });
  real = await startTestBroker({ adminPort: -1 });
});
after(async () => {
  await broker.close();
  await real.close();
});

const PYTHON_CLIENT = `
import json, sys, urllib.request, urllib.error

def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
`;

async function python(script: string, ...args: string[]): Promise<unknown> {
  const out = await run('python3', ['-', ...args], { input: PYTHON_CLIENT + script });
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout);
}

test('from Python: GET a group with its committed offsets, GET decoded records, advance the clock, reset', async () => {
  const kafka = kafkaClient(broker);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'py', messages: [{ key: 'k', value: 'hello', headers: { trace: 'abc' } }, { value: Buffer.from([0xff, 0x00]) }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'py-group', heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'py', fromBeginning: true });
  await consumer.run({ autoCommitInterval: 50, eachMessage: async () => {} });
  await broker.waitForCommitted('py-group', 'py', { lag: 0 });

  const result = await python(`
base = sys.argv[1]
out = {}
out["group"] = call(base, "GET", "/v1/groups/py-group")
out["missingGroup"] = call(base, "GET", "/v1/groups/nobody")
out["records"] = call(base, "GET", "/v1/topics/py/records?partition=0&offset=0&limit=10")
out["base64"] = call(base, "GET", "/v1/topics/py/records?encoding=base64&limit=1")
out["missingTopic"] = call(base, "GET", "/v1/topics/nope/records")
out["badLimit"] = call(base, "GET", "/v1/topics/py/records?limit=x")
before = call(base, "GET", "/v1/clock")[1]["now"]
out["advance"] = call(base, "POST", "/v1/clock/advance", {"ms": 60000})
out["advanced"] = out["advance"][1]["now"] - before
out["badAdvance"] = call(base, "POST", "/v1/clock/advance", {"ms": "soon"})
print(json.dumps(out))
`, broker.adminUrl!) as Record<string, [number, Record<string, unknown> & Array<Record<string, unknown>>]>;
  await consumer.disconnect();

  const [groupStatus, group] = result.group;
  assert.equal(groupStatus, 200);
  assert.equal(group.groupId, 'py-group');
  assert.ok(['Stable', 'Empty', 'PreparingRebalance'].includes(group.state as string));
  assert.ok((group.generationId as number) >= 1);
  assert.deepEqual((group.committed as Array<{ topic: string; partition: number; offset: number; lag: number }>).map((o) => [o.topic, o.partition, o.offset, o.lag]), [['py', 0, 2, 0]]);
  assert.deepEqual(result.missingGroup, [404, { error_code: 40410, message: "Group 'nobody' not found" }]);

  const [recordsStatus, records] = result.records;
  assert.equal(recordsStatus, 200);
  assert.equal(records.length, 2);
  assert.deepEqual({ ...records[0], timestamp: 0, producerId: 0, producerEpoch: 0 }, {
    partition: 0, offset: 0, timestamp: 0, timestampType: 'CreateTime', encoding: 'utf8', key: 'k', value: 'hello', headers: [{ key: 'trace', value: 'abc' }],
    producerId: 0, producerEpoch: 0, transactional: false, control: null,
  });
  assert.deepEqual([records[1].encoding, records[1].key, records[1].value], ['base64', null, '/wA='], 'bytes that are not UTF-8 come as base64');
  assert.deepEqual(result.base64[1].map((r) => [r.encoding, r.key, r.value]), [['base64', 'aw==', 'aGVsbG8=']]);
  assert.deepEqual(result.missingTopic, [404, { error_code: 40411, message: "Topic 'nope' not found" }]);
  assert.equal(result.badLimit[0], 400);
  assert.equal(result.advance[0], 200);
  assert.equal(result.advanced, 60_000);
  assert.equal(result.badAdvance[0], 400);

  const afterReset = await python(`
base = sys.argv[1]
out = {"reset": call(base, "POST", "/v1/reset"), "topics": call(base, "GET", "/v1/topics"), "groups": call(base, "GET", "/v1/groups")}
print(json.dumps(out))
`, broker.adminUrl!) as Record<string, [number, unknown]>;
  assert.equal(afterReset.reset[0], 200);
  assert.deepEqual(afterReset.topics, [200, []]);
  assert.deepEqual(afterReset.groups, [200, []]);
  assert.deepEqual(broker.topics(), []);
});

test('from Python: advancing a broker on the real clock is 409 with a Confluent-style error', async () => {
  const result = await python(`
print(json.dumps(call(sys.argv[1], "POST", "/v1/clock/advance", {"ms": 1000})))
`, real.adminUrl!) as [number, { error_code: number; message: string }];
  assert.equal(result[0], 409);
  assert.equal(result[1].error_code, 40901);
  assert.match(result[1].message, /real clock/);
});

test('from Python against the CLI started with --manual-clock: a week passes by POST, reset, groups', async () => {
  const cli = join(repositoryRoot(), 'dist', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [cli, '--in-memory', '--port', '0', '--registry-port', '0', '--admin-port=-1', '--manual-clock'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const adminUrl = await new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`the CLI exited with ${code}`)));
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /"admin":"([^"]+)"[^\n]*samsa is ready/.exec(out);
        if (m) resolve(m[1]);
      });
    });
    const result = await python(`
base = sys.argv[1]
before = call(base, "GET", "/v1/clock")[1]
after = call(base, "POST", "/v1/clock/advance", {"ms": 7 * 24 * 3600 * 1000})[1]
print(json.dumps({"manual": before["manual"], "moved": after["now"] - before["now"], "reset": call(base, "POST", "/v1/reset")[0],
                  "groups": call(base, "GET", "/v1/groups")}))
`, adminUrl) as { manual: boolean; moved: number; reset: number; groups: unknown };
    assert.deepEqual(result, { manual: true, moved: 7 * 24 * 3600_000, reset: 200, groups: [200, []] });
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});
