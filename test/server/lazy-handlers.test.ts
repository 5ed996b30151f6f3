/**
 * The handlers load after the broker listens (src/index.ts): a connection accepted before they are in waits, and its
 * requests are answered in order once they are; a Router given its handlers as a promise routes nothing before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { Broker } from '../../src/broker.js';
import { buildConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { Listener } from '../../src/server/listener.js';
import { listenerSpecs } from '../../src/server/endpoints.js';
import { Router } from '../../src/server/router.js';
import { requestPipeline } from '../../src/server/pipeline.js';
import { HANDLERS } from '../../src/handlers/index.js';
import type { Handler } from '../../src/handlers/handler.js';
import { ApiVersionsApi } from '../../src/protocol/generated/18-api-versions.js';
import { MetadataApi } from '../../src/protocol/generated/03-metadata.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';

function request(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.int32(0).int16(apiKey).int16(version).int32(correlationId).nullableString('lazy-test', false);
  body(w);
  const frame = Buffer.concat(w.finish());
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

test('a Router given a promise routes nothing until its handlers are in', async () => {
  let give!: (handlers: readonly Handler[]) => void;
  const router = new Router(new Promise<readonly Handler[]>((resolve) => { give = resolve; }));
  assert.equal(router.loaded, false);
  assert.equal(router.route(ApiVersionsApi.key, 0).kind, 'unknown-api');
  give(HANDLERS);
  await router.ready;
  assert.equal(router.loaded, true);
  assert.equal(router.route(ApiVersionsApi.key, 0).kind, 'ok');
  assert.deepEqual(router.served(), new Router(HANDLERS).served());
});

test('a connection accepted before the handlers load is answered, in order, once they have', async () => {
  const config = buildConfig({ 'in.memory': true, 'log.level': 'warn', 'listeners': 'PLAINTEXT://127.0.0.1:0', 'registry.port': 0, 'admin.port': 0 });
  const broker = new Broker(config, createLogger(config));
  let give!: (handlers: readonly Handler[]) => void;
  const router = new Router(new Promise<readonly Handler[]>((resolve) => { give = resolve; }));
  const [spec] = listenerSpecs(config);
  const listener = new Listener(broker, 0, spec, { router, run: requestPipeline(broker) });
  const port = await listener.listen('127.0.0.1', 0);
  broker.nodes.push({ id: 0, endpoints: [{ listener: spec.name, host: '127.0.0.1', port }] });
  const socket = new Socket();
  try {
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const closed = once(socket, 'close');
    socket.write(Buffer.concat([
      request(ApiVersionsApi.key, 0, 1, (w) => ApiVersionsApi.writeRequest(w, 0, { clientSoftwareName: '', clientSoftwareVersion: '' })),
      request(MetadataApi.key, 1, 2, (w) => MetadataApi.writeRequest(w, 1, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })),
    ]));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => { received = Buffer.concat([received, chunk]); });
    // Socket I/O, not clock time: long enough for the requests to reach the broker (were they served, the unknown
    // API would close the connection); were they slower, the test would pass without testing the wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received.length, 0, 'nothing is answered before the handlers are in');
    assert.equal(socket.destroyed, false, 'the connection waits, open');
    give(HANDLERS);
    const ids: number[] = [];
    while (ids.length < 2) {
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        const size = received.readInt32BE(0);
        const r = new Reader(received.subarray(4, 4 + size));
        ids.push(r.int32());
        if (ids.length === 1) assert.equal(ApiVersionsApi.readResponse(r, 0).errorCode, 0);
        received = received.subarray(4 + size);
      } else {
        await Promise.race([once(socket, 'data'), closed]);
        assert.equal(socket.destroyed, false, `the broker closed the connection after ${ids.length} answers`);
      }
    }
    assert.deepEqual(ids, [1, 2]);
  } finally {
    socket.destroy();
    await listener.close();
    await broker.close();
  }
});
