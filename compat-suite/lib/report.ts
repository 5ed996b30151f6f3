/** The matrix for the terminal and compat-suite/FINDINGS.md. */
import { countStatuses, type CellResult, type SuiteResult } from './runner.js';
import { SCENARIOS, SCENARIO_NAMES, type Status } from './scenarios.js';

const MARK: Record<Status, string> = { 'pass': 'pass', 'fail': 'FAIL', 'not-supported': 'n/s' };

function columns(result: SuiteResult): string[] {
  const used = new Set(result.rows.flatMap((r) => r.cells.map((c) => c.scenario)));
  return SCENARIO_NAMES.filter((s) => used.has(s));
}

function grid(result: SuiteResult): string[][] {
  const cols = columns(result);
  return result.rows.map((row) => [
    row.client,
    ...cols.map((col) => {
      if (row.unavailable) return 'n/s';
      const cell = row.cells.find((c) => c.scenario === col);
      return cell ? MARK[cell.status] : '—';
    }),
  ]);
}

export function matrixText(result: SuiteResult): string {
  const header = ['client', ...columns(result)];
  const rows = [header, ...grid(result)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

/** The last lines of a child's log that explain a failure (the result line itself dropped). */
export function logExcerpt(log: string, lines = 30): string {
  const kept = log.split('\n').filter((l) => !l.startsWith('COMPAT-RESULT ') && l.trim() !== '');
  return (kept.length > lines ? ['…', ...kept.slice(-lines)] : kept).join('\n').replace(/```/g, "'''").slice(-6000);
}

export interface FindingsMeta {
  target: string;
  commit?: string;
  /** Warnings and errors the in-process broker logged during the run. */
  brokerLog?: string[];
}

/** Facts about the clients that no run shows: how they were installed and what they cannot do by design. */
const CLIENT_NOTES = [
  '**@confluentinc/kafka-javascript** cannot come from a plain `npm install` here: its install step downloads a prebuilt binary from GitHub (unreachable), then falls back to building the bundled librdkafka 2.15.1, whose default configure (`--install-deps`) downloads zlib, OpenSSL, zstd and curl sources (unreachable too). `compat-suite/setup.sh` builds it instead with `CKJS_LINKING=dynamic` against Debian\'s zlib1g-dev/libssl-dev/libzstd-dev/liblz4-dev (about 2 minutes on 2 cores) into `compat-suite/clients/confluent-js/node_modules`, together with Confluent\'s `@confluentinc/schemaregistry` (its registry column; 170 MB of cloud-KMS SDKs, hence also kept there), outside the root package.json so that `npm install` of the project never runs that build. When that build is missing the row says so.',
  '**kafkajs** and **@platformatic/kafka** have no consumer without a group: all their round trips (produce, codecs, idempotent, transactions, registry) go through FindCoordinator/JoinGroup/SyncGroup/OffsetCommit, so a group coordinator regression fails their whole rows. kcat, confluent-kafka-python and kafka-python read by explicit assignment outside the `group` column.',
  '**kafkajs codecs**: gzip is built in; snappy comes from kafkajs-snappy, lz4 and zstd use six-line adapters over lz4-napi (kafkajs-lz4 compiles a native addon at install) and over the zstd of Samsa (zlib zstd of Node, or fzstd; @kafkajs/zstd (cppzst) does not build here).',
  '**kafka-python 2.0.2** has no idempotent or transactional producer and no schema registry client; its snappy/lz4/zstd codecs need python3-snappy, python3-lz4 and python3-zstandard (setup.sh installs them).',
  '**kcat 1.7.1** has no admin operations; with `transactional.id` it wraps its whole input in one committed transaction (it cannot abort), so its transactions cell covers commit only; it cannot set record timestamps (its timestamps cell uses CreateTime a second apart); its Debian build lists no Avro/Schema Registry support (no libserdes).',
  '**confluent-kafka-python 1.7.0** (Debian): its AvroSerializer needs fastavro, which Debian does not package, so the registry scenario uses its SchemaRegistryClient for the registry calls and python3-avro for the encoding, in the Confluent wire format.',
  '**@platformatic/kafka** in a rebalance: a member\'s long-polling fetch built before the split can still return the partitions it just lost, so the other member reads those records again. Kafka promises at least once across a rebalance, so the rebalance cells check every produced record is seen, per-key order kept, duplicates allowed.',
  '**@platformatic/kafka** declares Node ≥ 22.22; on Node 20 it runs with `clients/node22-shim.ts` supplying `Promise.withResolvers`, and its zstd needs `zlib.zstdCompressSync` (Node ≥ 22.15), so its zstd cell is not supported on this Node.',
];

export function findingsMarkdown(result: SuiteResult, meta: FindingsMeta): string {
  const counts = countStatuses(result);
  const cols = columns(result);
  const out: string[] = [];
  out.push('# Compatibility findings', '');
  out.push(`Generated by \`npm run compat\` on ${result.startedAt.toISOString()} against ${meta.target}` +
    `${meta.commit ? ` (commit ${meta.commit})` : ''}, in ${(result.ms / 1000).toFixed(0)} s. ` +
    `**${counts.pass} pass, ${counts.fail} fail, ${counts['not-supported']} not supported.** This file is rewritten by every run: it is the truth as of that run.`, '');
  out.push('## Matrix', '');
  out.push(mdTable(['client', 'version', ...cols], grid(result).map((r, i) => [r[0], result.rows[i].version, ...r.slice(1)])), '');
  out.push('`pass` / `FAIL` / `n/s` = not supported by the client (or by this run, e.g. no registry); `—` = not scripted for that row (the bank is its own row; rebalance is not scripted for kcat).', '');
  out.push('| scenario | what it proves |', '|---|---|', ...cols.map((c) => `| ${c} | ${SCENARIOS[c as keyof typeof SCENARIOS]} |`), '');

  out.push('## Known gaps', '');
  const failures = result.rows.flatMap((r) => r.cells.filter((c) => c.status === 'fail'));
  out.push('### Failing (broker gaps or bugs until shown otherwise)', '');
  out.push(...(failures.length ? failures.map((c) => `- **${c.client} / ${c.scenario}**: ${c.detail ?? 'failed'}`) : ['- none']), '');
  out.push('### Not supported', '');
  const unsupported = [
    ...result.rows.filter((r) => r.unavailable).map((r) => `- **${r.client}** (whole row): ${r.unavailable}`),
    ...result.rows.flatMap((r) => r.cells.filter((c) => c.status === 'not-supported').map((c) => `- **${c.client} / ${c.scenario}**: ${c.detail ?? ''}`)),
  ];
  out.push(...(unsupported.length ? unsupported : ['- none']), '');
  out.push('### Notes on the clients', '', ...CLIENT_NOTES.map((n) => `- ${n}`), '');

  const bank = result.rows.flatMap((r) => r.cells).find((c) => c.scenario === 'bank');
  if (bank) out.push(...bankSection(bank));

  if (meta.brokerLog?.length) {
    const counts = new Map<string, number>();
    for (const l of meta.brokerLog) counts.set(l, (counts.get(l) ?? 0) + 1);
    out.push('## Broker warnings and errors during the run', '');
    out.push(...[...counts].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([l, n]) => `- ${n}× ${l.slice(0, 300)}`), '');
  }

  if (failures.length) {
    out.push('## Failure logs', '');
    for (const c of failures) {
      out.push(`### ${c.client} / ${c.scenario} (${(c.ms / 1000).toFixed(1)} s)`, '', '```', logExcerpt(c.log), '```', '');
    }
  }
  return out.join('\n');
}

interface BankStep { rate: number; transfers: number; confirmed: number; p50: number; p90: number; p99: number; max: number }
interface BankData { steps: BankStep[]; accounts?: number; transfers?: number; failedTransfers?: number; totalExpected?: number; totalSeen?: number; replicationFactor?: number }

function bankSection(cell: CellResult): string[] {
  const out = ['## Bank simulation', '', `Result: **${cell.status}**${cell.detail ? ` — ${cell.detail}` : ''}`, ''];
  const data = cell.data as BankData | undefined;
  if (data?.steps?.length) {
    out.push(`Accounts: ${data.accounts}, transfers: ${data.transfers} (${data.failedTransfers} refused for insufficient balance), ` +
      `replication factor used: ${data.replicationFactor}, money: expected ${data.totalExpected}, seen ${data.totalSeen}.`, '');
    out.push('End-to-end latency of confirmed transfers, ConfirmMoneyTransfer produced → its first BalanceChanged consumed (ms), by the step in which the command was produced (the suite runs this row alone, after the others):', '');
    out.push(mdTable(['heartbeats/s', 'transfer commands', 'confirmed', 'p50', 'p90', 'p99', 'max'],
      data.steps.map((s) => [s.rate, s.transfers, s.confirmed, s.p50, s.p90, s.p99, s.max].map(String))), '');
  }
  return out;
}
