/**
 * TLS set-ups as operators run them: `samsa --tls auto` (an SSL listener next to PLAINTEXT, the CA kept across
 * restarts), a cluster whose every node has its own SSL port, and PEM files with an encrypted key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { tempDir, run, startTestBroker } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';
import { issueCertificate } from '../../src/security/x509.js';
import { CA_SUBJECT } from '../../src/security/tls.js';
import { ManualClock } from '../../src/clock.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');

async function startCli(args: string[]) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--registry-port', '0', '--admin-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = await new Promise<Record<string, number>>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /"nodes":\["0: ([^"]*)"\][^\n]*samsa is ready/.exec(out);
      if (m) resolve(Object.fromEntries(m[1].split(', ').map((e) => [e.split(':')[0], Number(e.split(':').pop())])));
    });
  });
  return { child, listeners, log: () => out };
}

test('samsa --tls auto: an SSL listener next to PLAINTEXT, the CA logged and kept across restarts', async () => {
  const tmp = tempDir();
  try {
    const first = await startCli(['--tls', 'auto', '--data-dir', tmp.dir, '--log-level', 'info']);
    const caPath = join(tmp.dir, 'tls', 'ca.pem');
    assert.ok(first.log().includes(caPath), 'the CA path is logged');
    const ssl = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${caPath}`];
    const produced = await run('kcat', ['-P', '-b', `localhost:${first.listeners.SSL}`, '-t', 'tls-cli', ...ssl], { input: 'over tls\n' });
    assert.equal(produced.code, 0, produced.stderr);
    const plain = await run('kcat', ['-C', '-b', `127.0.0.1:${first.listeners.PLAINTEXT}`, '-t', 'tls-cli', '-o', 'beginning', '-e', '-q']);
    assert.equal(plain.stdout.trim(), 'over tls');
    const ca = readFileSync(caPath, 'utf8');
    first.child.kill('SIGTERM');
    assert.deepEqual(await once(first.child, 'exit'), [0, null]);

    const second = await startCli(['--tls', 'auto', '--data-dir', tmp.dir]);
    assert.equal(readFileSync(caPath, 'utf8'), ca, 'the same CA after a restart, so clients keep trusting it');
    const again = await run('kcat', ['-C', '-b', `localhost:${second.listeners.SSL}`, '-t', 'tls-cli', '-o', 'beginning', '-e', '-q', ...ssl]);
    assert.equal(again.stdout.trim(), 'over tls', again.stderr);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  } finally {
    tmp.remove();
  }
});

test('--nodes 2 with SSL: each node has its own TLS port and Metadata gives the SSL addresses', async () => {
  const broker = await startTestBroker({ nodes: 2, config: { 'ssl.auto': true, 'listeners': 'SSL://127.0.0.1:0' } });
  try {
    assert.notEqual(broker.nodes[0].listeners.SSL, broker.nodes[1].listeners.SSL);
    const kafka = new Kafka({ brokers: [broker.nodes[1].listeners.SSL], ssl: { ca: [broker.tls!.ca] }, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster.brokers.map((b) => `${b.host}:${b.port}`).sort(), broker.nodes.map((n) => n.listeners.SSL).sort());
    await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'spread', messages: [0, 1, 2, 3].map((p) => ({ partition: p, value: `p${p}` })) });
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await broker.close();
  }
});

test('PEM files with an encrypted key: ssl.key.password opens it; a wrong one is a config error that does not echo it', async () => {
  const tmp = tempDir();
  try {
    const ca = issueCertificate({ subject: CA_SUBJECT, isCA: true, days: 30 });
    const leaf = issueCertificate({ subject: [['CN', 'localhost']], altNames: ['localhost', '127.0.0.1'], days: 30, issuer: { subject: CA_SUBJECT, key: ca.keyObject, publicKeyDer: ca.publicKeyDer } });
    const files = { cert: join(tmp.dir, 'cert.pem'), key: join(tmp.dir, 'key.pem'), ca: join(tmp.dir, 'ca.pem') };
    writeFileSync(files.cert, leaf.cert);
    writeFileSync(files.key, leaf.keyObject.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open-sesame' }));
    writeFileSync(files.ca, ca.cert);
    const config = { 'listeners': 'SSL://127.0.0.1:0', 'ssl.certificate.location': files.cert, 'ssl.key.location': files.key, 'ssl.ca.location': files.ca };
    const broker = await startTestBroker({ config: { ...config, 'ssl.key.password': 'open-sesame' } });
    try {
      const meta = await run('kcat', ['-L', '-b', broker.nodes[0].listeners.SSL, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${files.ca}`]);
      assert.match(meta.stdout, /1 brokers/, meta.stderr);
    } finally {
      await broker.close();
    }
    await assert.rejects(startTestBroker({ config: { ...config, 'ssl.key.password': 'not-it' } }), (err: Error) => {
      assert.equal((err as { code?: string }).code, 'SAMSA_CONFIG_ERROR');
      assert.ok(!err.message.includes('not-it'));
      return true;
    });
    await assert.rejects(startTestBroker({ config: { 'listeners': 'SSL://127.0.0.1:0' } }), /ssl.certificate.location and ssl.key.location, or ssl.auto/);
  } finally {
    tmp.remove();
  }
});

test('TLS connections count against max.connections.per.ip from accept, and a handshake left unfinished is closed after connections.max.idle.ms', async () => {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock, config: { 'ssl.auto': true, 'listeners': 'SSL://127.0.0.1:0', 'max.connections.per.ip': 3, 'connections.max.idle.ms': 5000 } });
  try {
    const port = Number(broker.nodes[0].listeners.SSL.split(':').pop());
    const open = async () => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(Buffer.from([0x16, 0x03, 0x01])); // the first bytes of a ClientHello, never the rest
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      return { socket, closed };
    };
    const stalled = [await open(), await open(), await open()];
    const fourth = await open();
    await fourth.closed; // refused: three from this address already
    let settled = false;
    void Promise.all(stalled.map((s) => s.closed)).then(() => { settled = true; });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'the three within the limit wait for their handshake');
    await clock.advance(5000);
    await Promise.all(stalled.map((s) => s.closed)); // closed at the handshake deadline
    // Places are free again: a real client gets in.
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], ssl: { ca: [broker.tls!.ca] }, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
    const admin = kafka.admin();
    await admin.connect();
    assert.ok(Array.isArray(await admin.listTopics()));
    await admin.disconnect();
  } finally {
    await broker.close();
  }
});
