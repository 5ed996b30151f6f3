/**
 * Runs the compat-suite (every client, every scenario; the bank simulation with short load steps) against an
 * in-process Samsa and asserts that every cell expected to pass does pass; a cell outside EXPECTED may pass or be
 * not-supported but must not fail. Failures are printed with their logs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { logExcerpt, matrixText } from '../../compat-suite/lib/report.js';
import { runSuite, type SuiteResult } from '../../compat-suite/lib/runner.js';
import { startSecureSamsa } from '../../compat-suite/lib/secure-samsa.js';
import { startBroker, type RunningBroker } from '../../src/index.js';

const ALL = ['produce', 'security', 'gzip', 'snappy', 'lz4', 'zstd', 'group', 'admin', 'timestamps', 'idempotent', 'transactions'];
/** What each client must pass against Samsa; the rest is not-supported by the client (see FINDINGS.md). */
const EXPECTED: Record<string, string[]> = {
  'kafkajs': [...ALL, 'rebalance', 'registry'],
  'platformatic': [...ALL.filter((s) => s !== 'zstd'), 'rebalance', 'kip848', 'registry'],
  'confluent-js': [...ALL, 'rebalance', 'kip848', 'registry'],
  'kcat': ALL.filter((s) => s !== 'admin'),
  'confluent-kafka-python': [...ALL, 'rebalance', 'registry'],
  'kafka-python': ['produce', 'security', 'gzip', 'snappy', 'lz4', 'zstd', 'group', 'rebalance', 'admin', 'timestamps'],
  'bank': ['bank'],
};

let broker: RunningBroker;
let secure: Awaited<ReturnType<typeof startSecureSamsa>>;
let result: SuiteResult;

before(async () => {
  broker = await startBroker({ port: 0, inMemory: true, logLevel: 'silent', registryPort: -1 }); // -1: any free port
  secure = await startSecureSamsa();
  process.env.COMPAT_BANK_STEPS = '10,40';
  process.env.COMPAT_BANK_STEP_MS = '2500';
  result = await runSuite({ bootstrap: broker.bootstrap, registry: broker.registryUrl, registryExpected: true, secure: secure.settings, concurrency: 3, timeoutMs: 40_000 });
  console.log(matrixText(result));
}, { timeout: 240_000 });

after(async () => {
  await secure?.close();
  await broker?.close();
});

test('Samsa starts its Schema Registry for the registry scenarios', () => {
  assert.ok(broker.registryUrl, 'startBroker({ registryPort: -1 }) gave no registryUrl');
});

for (const [client, scenarios] of Object.entries(EXPECTED)) {
  test(`${client}: ${scenarios.join(', ')}`, () => {
    const row = result.rows.find((r) => r.client === client);
    assert.ok(row, `no row for ${client}`);
    // npm test's pretest runs compat-suite/setup.sh, which builds @confluentinc/kafka-javascript: a missing build is
    // a failure here, never a skip.
    assert.equal(row.unavailable, undefined, `${client} cannot run: ${row.unavailable}`);
    const failures = scenarios.flatMap((s) => {
      const cell = row.cells.find((c) => c.scenario === s);
      if (cell?.status === 'pass') return [];
      return [`${s}: ${cell ? `${cell.status} — ${cell.detail}` : 'did not run'}${cell?.log ? `\n${logExcerpt(cell.log, 15)}` : ''}`];
    });
    assert.deepEqual(failures, [], `${client} failed:\n${failures.join('\n\n')}`);
    const unexpected = row.cells.filter((c) => c.status === 'fail' && !scenarios.includes(c.scenario));
    assert.deepEqual(unexpected.map((c) => c.scenario), [], 'scenarios outside EXPECTED failed');
  });
}
