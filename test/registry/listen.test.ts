/**
 * The registry listens on 127.0.0.1 and on ::1 (localhost may resolve to either), through the HTTP host's
 * listenOnHost — mounted on the broker's host or on its own. On a machine without ::1 the second address is skipped
 * with a warning, which the test then asserts instead.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { MemoryKeyValueLog } from '../../src/log/key-value-log.js';
import { startRegistry } from '../../src/registry/server.js';
import { startTestBroker } from '../helpers.js';
import { client } from './helpers.js';

/** Whether this machine can listen on ::1 at all. */
function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '::1', port: 0 }, () => probe.close(() => resolve(true)));
  });
}

/** A logger whose warnings the test can read. */
function capturingLogger(): { logger: Logger; warnings: () => Array<{ host?: string; msg: string }> } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: pino({ level: 'warn' }, sink) as Logger, warnings: () => lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40) };
}

async function checkBothLoopbacks(port: number, warnings: () => Array<{ host?: string; msg: string }>, subject: string): Promise<void> {
  const schema = '{"type":"record","name":"Hello","fields":[]}';
  const v4 = client(`http://127.0.0.1:${port}`);
  const registered = await v4('POST', `/subjects/${subject}/versions`, { schema });
  assert.equal(registered.status, 200);
  const skipped = warnings().filter((w) => w.host === '::1');
  if (await hasIpv6Loopback()) {
    assert.deepEqual(skipped, [], 'no warning: ::1 is available');
    const v6 = client(`http://[::1]:${port}`);
    assert.deepEqual((await v6('GET', `/subjects/${subject}/versions`)).body, [1]);
    assert.deepEqual((await v6('POST', `/subjects/${subject}/versions`, { schema: '{"fields":[],"name":"Hello","type":"record"}' })).body, registered.body);
  } else {
    assert.deepEqual(skipped.map((w) => w.msg), ['cannot listen on this address; skipping it'], 'this machine has no ::1: the warning says so');
  }
  // A real client through the name `localhost`, whichever family it resolves to.
  const sr = new SchemaRegistry({ host: `http://localhost:${port}` });
  assert.equal(await sr.getLatestSchemaId(subject), registered.body.id);
  const { id } = await sr.register({ type: SchemaType.AVRO, schema }, { subject });
  assert.equal(id, registered.body.id);
}

test("the broker's registry answers on ::1 and 127.0.0.1, and names the broker's cluster in /v1/metadata/id", async () => {
  const { logger, warnings } = capturingLogger();
  const broker = await startTestBroker({ registryPort: -1, logger });
  try {
    const port = broker.broker.http!.port;
    assert.equal(broker.registryUrl, `http://localhost:${port}`);
    await checkBothLoopbacks(port, warnings, 'broker-value');
    assert.deepEqual((await client(`http://127.0.0.1:${port}`)('GET', '/v1/metadata/id')).body,
      { scope: { path: [], clusters: { 'kafka-cluster': broker.broker.clusterId, 'schema-registry-cluster': 'schema-registry' } } });
  } finally {
    await broker.close();
  }
});

test('a registry on its own host without a host set listens on both loopbacks too', async () => {
  const { logger, warnings } = capturingLogger();
  const registry = await startRegistry({ port: 0, store: new MemoryKeyValueLog(), logger });
  try {
    assert.equal(registry.url, `http://localhost:${registry.port}`);
    await checkBothLoopbacks(registry.port, warnings, 'own-value');
  } finally {
    await registry.close();
  }
});
