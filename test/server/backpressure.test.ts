/**
 * A client that pipelines Fetches and never reads its responses must not grow the broker's memory: the broker
 * stops reading that connection while its unsent responses exceed queued.max.response.bytes, and keeps serving
 * everyone else. The broker runs in a child process with a capped heap, watched and killed past 1.5 GB RSS, so a
 * regression cannot take the machine down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { tempDir, kafkaClient, callApi } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';
import { Writer } from '../../src/protocol/writer.js';
import { ApiVersionsApi, FetchApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

const WATCHDOG_BYTES = 1536 * 1024 * 1024;
const PIPELINED_FETCHES = 400;
const PARTITION_BYTES = 4 * 1024 * 1024;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function fetchFrame(correlationId: number): Buffer {
  const w = new Writer();
  w.int32(0).int16(FetchApi.key).int16(4).int32(correlationId).nullableString('no-reader', false);
  FetchApi.writeRequest(w, 4, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 64 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'big', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 64 * 1024 * 1024 }] }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  });
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

test('pipelined Fetches never read: broker RSS stays bounded and other clients are served', { timeout: 120_000 }, async () => {
  const data = tempDir();
  const main = join(repositoryRoot(), 'dist', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, ['--max-old-space-size=512', main, '--port', '0', '--registry-port', '0', '--admin-port', '0', '--data-dir', data.dir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = 0;
  let killed = false;
  const watchdog = setInterval(() => {
    try { peak = Math.max(peak, rssBytes(child.pid!)); } catch { return; }
    if (peak > WATCHDOG_BYTES && !killed) { killed = true; child.kill('SIGKILL'); }
  }, 20);
  const hostile: Socket[] = [];
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`broker exited with ${code}: ${out}`)));
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = /"port":(\d+)[^\n]*samsa is ready/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    });
    const producer = kafkaClient({ bootstrap: `127.0.0.1:${port}` }).producer();
    await producer.connect();
    for (let sent = 0; sent < PARTITION_BYTES; sent += 512 * 1024) {
      await producer.send({ topic: 'big', acks: 1, messages: [{ value: Buffer.alloc(512 * 1024, sent & 0xff) }] });
    }
    await producer.disconnect();
    const baseline = rssBytes(child.pid!);
    peak = baseline;

    // Four clients, each sending its Fetches in one go and never reading a byte of the answers.
    const requests = Buffer.concat(Array.from({ length: PIPELINED_FETCHES }, (_, i) => fetchFrame(i)));
    for (let i = 0; i < 4; i++) {
      const sock = new Socket();
      sock.on('error', () => {});
      sock.connect(port, '127.0.0.1');
      await once(sock, 'connect');
      sock.pause();
      sock.write(requests);
      hostile.push(sock);
    }
    // Old code wrote every response into the socket buffer: 400 × 4 MB per client.
    const until = Date.now() + 4000;
    while (Date.now() < until && !killed) await new Promise((r) => setTimeout(r, 50));
    assert.equal(killed, false, `broker RSS passed ${WATCHDOG_BYTES >> 20} MB`);

    const killedMeanwhile = (err: Error) => {
      throw killed ? new Error(`broker RSS passed ${WATCHDOG_BYTES >> 20} MB (${err.message})`) : err;
    };
    const versions = await callApi(port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }).catch(killedMeanwhile);
    assert.equal(versions.errorCode, ErrorCode.NONE, 'another client is served');
    const fetched = await callApi(port, FetchApi, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'big', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }] }],
      forgottenTopicsData: [], rackId: '', clusterId: null,
    }).catch(killedMeanwhile);
    assert.equal(fetched.responses[0].partitions[0].errorCode, ErrorCode.NONE, 'another client fetches');
    const growth = peak - baseline;
    console.log(`broker RSS: baseline ${baseline >> 20} MB, peak ${peak >> 20} MB (+${growth >> 20} MB) with ${hostile.length} clients not reading`);
    // 4 clients × (16 MB queued.max.response.bytes + the one 4 MB Fetch being read + socket buffers): ~60 MB measured.
    // When each pipelined Fetch was dispatched before the previous one's read finished, it was 140-180 MB (528 MB on a
    // busy CI machine).
    assert.ok(growth < 128 * 1024 * 1024, `RSS grew by ${growth >> 20} MB`);
  } finally {
    clearInterval(watchdog);
    for (const sock of hostile) sock.destroy();
    if (child.exitCode === null && !killed) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    data.remove();
  }
});
