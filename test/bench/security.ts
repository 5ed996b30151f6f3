/**
 * Security figures for `npm run bench`: kcat produce and consume over SSL next to plaintext on the same broker
 * (`--tls auto` certificates, ECDSA P-256), and SASL logins per second (SCRAM-SHA-256 and -512, PLAIN) over raw
 * connections, one at a time and 8 at once. A SCRAM login's client side (PBKDF2, 4096 iterations) runs in this
 * process too, so the figure is what one client process can do, not the broker's ceiling alone.
 */
import { join } from 'node:path';
import { startBroker } from '../../src/index.js';
import { SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/generated/index.js';
import { RawSession, scramClient } from '../security/raw-session.js';

export interface SecurityBenchContext {
  dir: string;
  file: string;
  count: number;
  report(name: string, value: string): void;
  kcatProduce(port: number, topic: string, file: string, extra?: string[]): Promise<number>;
  kcatConsume(port: number, topic: string, expected: number, extra?: string[]): Promise<number>;
}

const MiB = 1024 * 1024;
const mibps = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

async function login(port: number, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN'): Promise<void> {
  const session = await RawSession.open(port);
  try {
    await session.call(SaslHandshakeApi, 1, { mechanism });
    if (mechanism === 'PLAIN') {
      const done = await session.call(SaslAuthenticateApi, 1, { authBytes: Buffer.from('\u0000bench\u0000bench-pw') });
      if (done?.errorCode !== 0) throw new Error(`PLAIN login failed: ${done?.errorMessage}`);
      return;
    }
    const client = scramClient(mechanism, 'bench', 'bench-pw');
    const first = await session.call(SaslAuthenticateApi, 1, { authBytes: client.first });
    const done = await session.call(SaslAuthenticateApi, 1, { authBytes: client.final(first!.authBytes).message });
    if (done?.errorCode !== 0) throw new Error(`SCRAM login failed: ${done?.errorMessage}`);
  } finally {
    session.close();
  }
}

export async function securityBenchmarks({ dir, file, count, report, kcatProduce, kcatConsume }: SecurityBenchContext): Promise<void> {
  const broker = await startBroker({
    port: 0, dataDir: join(dir, 'security'), logLevel: 'warn', useEnvironment: false,
    config: { 'ssl.auto': true, 'sasl.users': 'bench:bench-pw', 'listeners': 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0' },
  });
  try {
    const port = (name: string) => Number(broker.nodes[0].listeners[name].split(':').pop());
    const ssl = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${broker.tls!.caPath}`];
    const bytes = count * 1024;
    report(`kcat produce ${count} x 1 KiB, plaintext (embedded broker)`, mibps(bytes, await kcatProduce(port('PLAINTEXT'), 'plain', file)));
    report(`kcat produce ${count} x 1 KiB, SSL`, mibps(bytes, await kcatProduce(port('SSL'), 'tls', file, ssl)));
    report(`kcat consume ${count} x 1 KiB (first output to exit), plaintext`, mibps(bytes, await kcatConsume(port('PLAINTEXT'), 'plain', count)));
    report(`kcat consume ${count} x 1 KiB (first output to exit), SSL`, mibps(bytes, await kcatConsume(port('SSL'), 'tls', count, ssl)));
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const) {
      const n = 300;
      let start = performance.now();
      for (let i = 0; i < n; i++) await login(port('SASL_PLAINTEXT'), mechanism);
      report(`${mechanism} logins, one at a time (${n})`, `${(n / ((performance.now() - start) / 1000)).toFixed(0)}/s`);
      start = performance.now();
      await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < n / 8; i++) await login(port('SASL_PLAINTEXT'), mechanism); }));
      report(`${mechanism} logins, 8 at once (${Math.floor(n / 8) * 8})`, `${((Math.floor(n / 8) * 8) / ((performance.now() - start) / 1000)).toFixed(0)}/s`);
    }
  } finally {
    await broker.close();
  }
}
