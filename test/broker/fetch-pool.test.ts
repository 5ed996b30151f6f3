/**
 * Fetch responses lend pooled read space to the socket: a slab must not be reused while a response still waits in
 * the socket. Pipelined Fetches of different offsets to a client that reads slowly come back intact (every batch's
 * CRC checked), and the pool stops allocating once responses have been written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { startTestBroker, tempDir } from '../helpers.js';
import { ManualClock } from '../../src/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { FetchApi, type FetchRequest } from '../../src/protocol/generated/index.js';
import { BatchError, checkBatchAt, encodeBatch } from '../../src/protocol/record-batch.js';

const MiB = 1024 * 1024;

function fetchFrame(correlationId: number, topic: string, fetchOffset: number, maxBytes: number): Buffer {
  const body: FetchRequest = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  };
  const w = new Writer();
  w.int32(0).int16(FetchApi.key).int16(11).int32(correlationId).nullableString('pool-test', false);
  FetchApi.writeRequest(w, 11, body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** Reads `count` Fetch response frames; their record sets by correlation id. */
function responses(sock: Socket, count: number): Promise<Map<number, Buffer>> {
  const answers = new Map<number, Buffer>();
  let buf = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const r = new Reader(frame);
        const id = r.int32();
        answers.set(id, FetchApi.readResponse(r, 11).responses[0].partitions[0].records as Buffer);
      }
      if (answers.size < count) return;
      sock.off('data', onData);
      resolve(answers);
    };
    sock.on('data', onData);
    sock.once('close', () => reject(new Error(`connection closed after ${answers.size} of ${count} responses`)));
  });
}

test('pipelined Fetches to a slow reader come back intact, and their slabs are reused afterwards', async () => {
  const tmp = tempDir();
  // A ManualClock: no maintenance tick trims the pool between the two rounds.
  const running = await startTestBroker({ dataDir: tmp.dir, clock: new ManualClock() });
  const sock = new Socket();
  try {
    const { broker } = running;
    broker.createTopic('pooled', 1);
    // 300 batches of ~20 KiB, each byte pattern distinct (mod 256), ~6 MiB in all.
    for (let i = 0; i < 300; i++) {
      const out = await broker.appendRecords('pooled', 0, encodeBatch([{ key: null, value: Buffer.alloc(20_000, i % 256), timestamp: Date.now() }]), false);
      assert.equal(out.errorCode, 0);
    }
    sock.connect(running.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.pause(); // the responses pile up in the socket while later requests are read
    const offsets = [0, 50, 100, 150, 10, 60, 110, 160];
    for (const [i, offset] of offsets.entries()) sock.write(fetchFrame(i, 'pooled', offset, 2 * MiB));
    await new Promise((r) => setTimeout(r, 300));
    sock.resume();
    const answers = await responses(sock, offsets.length);
    for (const [id, records] of answers) {
      assert.ok(records.length > MiB, `response ${id}: ${records.length} bytes`);
      let expected = offsets[id];
      for (let pos = 0; pos < records.length;) {
        const h = checkBatchAt(records, pos, records.length, true);
        assert.ok(!(h instanceof BatchError), `response ${id}, batch at ${pos}: ${h instanceof BatchError ? h.message : ''}`);
        assert.equal(h.baseOffset, expected++);
        pos += h.size;
      }
    }
    // Every response was written: their slabs are back in the pool, so the same reads allocate nothing more.
    const allocated = broker.logs.readPool.allocated;
    for (const [i, offset] of offsets.entries()) sock.write(fetchFrame(i, 'pooled', offset, 2 * MiB));
    await responses(sock, offsets.length);
    assert.ok(broker.logs.readPool.allocated <= allocated + 2, `${broker.logs.readPool.allocated} slabs allocated, ${allocated} before`);
  } finally {
    sock.destroy();
    await running.close();
    tmp.remove();
  }
});
