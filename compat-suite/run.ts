/**
 * `npm run compat [-- options]`: real Kafka clients against Samsa (started here, in-process, on free ports) or
 * against any Kafka given with --bootstrap. Prints the client × scenario matrix and writes compat-suite/FINDINGS.md.
 * Exit code: 0 all ran and nothing failed, 1 some scenario failed, 2 usage error or unreachable bootstrap/registry.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { deleteRunTopics } from './lib/cleanup.js';
import { findingsMarkdown, matrixText } from './lib/report.js';
import { CLIENTS, countStatuses, ROOT, runSuite } from './lib/runner.js';
import { SCENARIO_NAMES, type ScenarioName } from './lib/scenarios.js';
import type { SecureSettings } from './lib/harness.js';

const USAGE = `Usage: npm run compat -- [options]
  --bootstrap host:port   Kafka to test (default: start Samsa in-process on free ports)
  --registry URL          Schema Registry to test (default: Samsa's own, when Samsa is started here)
  --only a,b              clients to run: ${CLIENTS.map((c) => c.name).join(', ')}
  --scenarios a,b         scenarios to run: ${SCENARIO_NAMES.join(', ')}
  --timeout <s>           time bound per scenario (default 45; the bank simulation has 150)
  --concurrency <n>       scenarios run at once (default 3)
  --findings <file>       where to write the findings (default compat-suite/FINDINGS.md; "-" for none)
  --security k=v,...      with --bootstrap: the security column's SASL_SSL listener, as
                          bootstrap=host:port,ca=<CA PEM file>,user=<SCRAM-SHA-512 user>,password=<its password>,
                          denied-topic=<a topic the user may describe but not write>; without it that column is n/s
                          (the in-process Samsa gets its own SASL_SSL broker with such a user and ACL)
  --keep-topics           with --bootstrap: keep the run's topics (compat-<run>-*); by default they are deleted`;

function fail(message: string, code = 2): never {
  console.error(`compat: ${message}`);
  process.exit(code);
}

function parseList<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (!value) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !allowed.includes(s as T));
  if (bad.length) fail(`unknown ${what}: ${bad.join(', ')}\n\n${USAGE}`);
  return list as T[];
}

/** A positive number from an option, 0 when absent. */
function positive(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!(n > 0)) fail(`${flag} wants a positive number, not "${value}"\n\n${USAGE}`);
  return n;
}

function checkTcp(hostPort: string, ms = 3000): Promise<string | null> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0) return Promise.resolve(`"${hostPort}" is not host:port`);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (err: string | null) => { socket.destroy(); resolve(err); };
    socket.setTimeout(ms, () => done(`no answer within ${ms} ms`));
    socket.on('connect', () => done(null));
    socket.on('error', (err) => done((err as NodeJS.ErrnoException).code ?? err.message));
  });
}

async function checkRegistry(url: string): Promise<string | null> {
  try {
    const res = await fetch(new URL('/subjects', url), { signal: AbortSignal.timeout(3000) });
    return res.ok ? null : `GET /subjects answered ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ?? (err as Error).message;
  }
}

/** `--security bootstrap=..,ca=..,user=..,password=..,denied-topic=..` */
function parseSecurity(value: string): SecureSettings {
  const kv = new Map(value.split(',').map((pair) => {
    const i = pair.indexOf('=');
    return [pair.slice(0, i).trim(), pair.slice(i + 1)] as const;
  }));
  const get = (k: string) => kv.get(k) || fail(`--security needs ${k}=...\n\n${USAGE}`);
  return { bootstrap: get('bootstrap'), caPath: get('ca'), user: get('user'), password: get('password'), deniedTopic: get('denied-topic') };
}

/** The in-process broker's warnings and errors go into the findings, not onto the matrix output. */
function collectingLogger(into: string[]): Logger {
  return pino({ level: 'warn', base: { name: 'samsa' } }, {
    write(line: string) {
      try {
        const rec = JSON.parse(line) as { msg?: string; api?: string; err?: { message?: string }; reason?: string };
        into.push([rec.api, rec.msg, rec.reason, rec.err?.message].filter(Boolean).join(': '));
      } catch {
        into.push(line.trim());
      }
    },
  });
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        bootstrap: { type: 'string' }, registry: { type: 'string' }, only: { type: 'string' },
        scenarios: { type: 'string' }, timeout: { type: 'string' }, concurrency: { type: 'string' },
        findings: { type: 'string' }, security: { type: 'string' }, 'keep-topics': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const only = parseList(values.only, CLIENTS.map((c) => c.name), 'client');
  const scenarios = parseList(values.scenarios, SCENARIO_NAMES, 'scenario') as ScenarioName[] | undefined;
  const timeoutS = positive(values.timeout, '--timeout');
  const concurrency = positive(values.concurrency, '--concurrency');

  let bootstrap = values.bootstrap;
  let registry = values.registry ?? null;
  let target: string;
  let close = async () => {};
  const brokerLog: string[] = [];
  let secure: SecureSettings | null = values.security ? parseSecurity(values.security) : null;
  if (secure && !bootstrap) fail(`--security goes with --bootstrap (the in-process Samsa sets up its own)\n\n${USAGE}`);
  if (bootstrap) {
    const err = await checkTcp(bootstrap);
    if (err) fail(`cannot reach Kafka at ${bootstrap} (${err}); start the broker or pass the right --bootstrap`);
    if (registry) {
      const regErr = await checkRegistry(registry);
      if (regErr) fail(`cannot reach the Schema Registry at ${registry} (${regErr})`);
    }
    target = `\`${bootstrap}\`${registry ? ` with the registry at \`${registry}\`` : ' (no registry given)'}`;
  } else {
    const { startBroker } = await import('../src/index.js');
    const broker = await startBroker({ port: 0, inMemory: true, registryPort: -1, logger: collectingLogger(brokerLog) });
    bootstrap = broker.bootstrap;
    registry ??= broker.registryUrl;
    const { startSecureSamsa } = await import('./lib/secure-samsa.js');
    const secureSamsa = !scenarios || scenarios.includes('security') ? await startSecureSamsa(collectingLogger(brokerLog)) : null;
    secure = secureSamsa?.settings ?? null;
    close = async () => { await secureSamsa?.close(); await broker.close(); };
    target = `Samsa in-process, in memory${broker.registryUrl ? ', with its Schema Registry' : ' (its Schema Registry did not start)'}`;
  }
  console.log(`compat: ${bootstrap}${registry ? `, registry ${registry}` : ''}`);
  const result = await runSuite({
    bootstrap, registry, only, scenarios, secure, registryExpected: !values.bootstrap,
    timeoutMs: timeoutS * 1000 || undefined,
    concurrency: concurrency || undefined,
    onResult: (c) => console.log(`  ${c.status.padEnd(13)} ${c.client} / ${c.scenario}${c.ms ? ` (${(c.ms / 1000).toFixed(1)} s)` : ''}${c.status !== 'pass' && c.detail ? `: ${c.detail.slice(0, 160)}` : ''}`),
  });
  await close();
  if (values.bootstrap && !values['keep-topics']) console.log(await deleteRunTopics(bootstrap, result.prefix));
  console.log(`\n${matrixText(result)}\n`);
  for (const row of result.rows.filter((r) => r.unavailable)) console.log(`${row.client}: not supported: ${row.unavailable}`);
  const counts = countStatuses(result);
  console.log(`${counts.pass} passed, ${counts.fail} failed, ${counts['not-supported']} not supported (${(result.ms / 1000).toFixed(0)} s)`);
  const findings = values.findings ?? join(ROOT, 'compat-suite', 'FINDINGS.md');
  if (findings !== '-') {
    writeFileSync(findings, findingsMarkdown(result, { target, commit: gitCommit(), brokerLog }));
    console.log(`findings written to ${findings}`);
  }
  process.exit(counts.fail ? 1 : 0);
}

main().catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
