/**
 * Requests pipelined on one connection are answered in order, and an asynchronous handler that has finished lets
 * the next request in at once: not one request per turn of the event loop. A turn can be long (a cleaner slice, a
 * retention pass), and a producer sending every few milliseconds would otherwise see its requests queue up behind
 * one another for as long as the broker stays busy (#16's produce p99 while compacting and trimming).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { CreateTopicsApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

let broker: RunningBroker;
before(async () => {
  broker = await startTestBroker();
  const created = await callApi(broker.port, CreateTopicsApi, 4, {
    topics: [{ name: 'pipelined', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
  });
  assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
});
after(async () => { await broker.close(); });

function produceFrame(correlationId: number): Buffer {
  const w = new Writer();
  w.int32(0).int16(ProduceApi.key).int16(7).int32(correlationId).nullableString('pipelining-test', false);
  ProduceApi.writeRequest(w, 7, {
    transactionalId: null, acks: 1, timeoutMs: 1000,
    topicData: [{ name: 'pipelined', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from(`m${correlationId}`) }]) }] }],
  });
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

test('64 pipelined acks=1 produces are answered in order, within a few turns of the event loop', async () => {
  const count = 64;
  const sock = new Socket();
  sock.connect(broker.port, '127.0.0.1');
  await once(sock, 'connect');
  // Turns of this process's event loop (the broker runs in it too) while the requests are answered.
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  sock.write(Buffer.concat(Array.from({ length: count }, (_, i) => produceFrame(i + 1))));
  setImmediate(tick);
  const answers: Array<{ correlationId: number; errorCode: number; baseOffset: number }> = [];
  let buf = Buffer.alloc(0);
  for await (const chunk of sock) {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const r = new Reader(buf.subarray(4, 4 + buf.readInt32BE(0)));
      const correlationId = r.int32();
      const p = ProduceApi.readResponse(r, 7).responses[0].partitionResponses[0];
      answers.push({ correlationId, errorCode: p.errorCode, baseOffset: Number(p.baseOffset) });
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
    if (answers.length === count) break;
  }
  counting = false;
  sock.destroy();
  assert.deepEqual(answers.map((a) => a.correlationId), Array.from({ length: count }, (_, i) => i + 1), 'answered in request order');
  assert.deepEqual(answers.map((a) => [a.errorCode, a.baseOffset]), Array.from({ length: count }, (_, i) => [ErrorCode.NONE, i]), 'appended in request order');
  assert.ok(turns <= 16, `${turns} turns of the event loop for ${count} pipelined produces (one per request before)`);
});
