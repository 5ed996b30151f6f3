/**
 * Runs every client × scenario as its own child process with a hard time bound, a few at a time. A child that
 * overruns is killed with its whole process group (kcat and friends included) and reported as failed with its log.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Listing, SecureSettings } from './harness.js';
import { RESULT_MARKER, SCENARIO_NAMES, type ScenarioName, type ScenarioResult, type Status } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/compat-suite (compiled modules) and the repository root (python scripts live in the source tree). */
export const DIST_DIR = dirname(here);
export const ROOT = findRoot(here);

function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error('compat-suite: cannot find the repository root');
    dir = dirname(dir);
  }
  return dir;
}

export interface ClientDef {
  name: string;
  /** The command; the runner appends `--list` or a scenario name. */
  command: string[];
  /** Time bound per scenario. */
  timeoutMs?: number;
  /** Runs alone after everything else (it measures latency). */
  exclusive?: boolean;
}

const node = (module: string) => [process.execPath, join(DIST_DIR, module)];
const python = (script: string) => ['/usr/bin/python3', join(ROOT, 'compat-suite', script)];

export const CLIENTS: ClientDef[] = [
  { name: 'kafkajs', command: node('clients/kafkajs.js') },
  { name: 'platformatic', command: node('clients/platformatic.js') },
  { name: 'confluent-js', command: node('clients/confluent-js.js') },
  { name: 'kcat', command: node('clients/kcat.js') },
  { name: 'confluent-kafka-python', command: python('clients/confluent_kafka_client.py') },
  { name: 'kafka-python', command: python('clients/kafka_python_client.py') },
  { name: 'bank', command: node('scenarios/bank/main.js'), timeoutMs: 150_000, exclusive: true },
];

export interface RunOptions {
  bootstrap: string;
  registry: string | null;
  /** The broker under test was started to serve a registry: a missing URL is then a failure, not "not supported". */
  registryExpected?: boolean;
  /** The security column's listener, CA, user and denied topic; null: that column is not supported by the run. */
  secure?: SecureSettings | null;
  only?: string[];
  scenarios?: ScenarioName[];
  timeoutMs?: number;
  concurrency?: number;
  onResult?: (r: CellResult) => void;
}

export interface CellResult extends ScenarioResult {
  client: string;
  scenario: string;
  ms: number;
  /** Combined stdout/stderr of the child. */
  log: string;
}

export interface ClientRow {
  client: string;
  version: string;
  /** Set when the client cannot run at all (missing binary, module that does not load). */
  unavailable?: string;
  cells: CellResult[];
}

export interface SuiteResult {
  bootstrap: string;
  /** Every topic and group of this run starts with it. */
  prefix: string;
  registry: string | null;
  startedAt: Date;
  ms: number;
  rows: ClientRow[];
}

interface ChildOutcome {
  code: number | null;
  timedOut: boolean;
  log: string;
  ms: number;
}

/** Spawns `command` in its own process group; kills the group at `timeoutMs`. */
export function runChild(command: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), {
      // PYTHONUNBUFFERED: a killed python child still leaves its log behind.
      cwd: ROOT, env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    const killGroup = () => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    };
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; killGroup(); }, timeoutMs);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      killGroup(); // leftovers of a finished child (e.g. a kcat it started) go too
      resolve({ code, timedOut, log, ms: Date.now() - started });
    };
    child.on('error', (err) => { log += `\nspawn failed: ${err.message}`; finish(null); });
    child.on('close', finish);
  });
}

function parseResult(out: ChildOutcome, timeoutMs: number): ScenarioResult {
  const line = out.log.split('\n').reverse().find((l) => l.startsWith(RESULT_MARKER));
  if (out.timedOut) return { status: 'fail', detail: `hung: killed after ${timeoutMs / 1000}s` };
  if (!line) return { status: 'fail', detail: `exited with code ${out.code} without a result` };
  try {
    return JSON.parse(line.slice(RESULT_MARKER.length)) as ScenarioResult;
  } catch {
    return { status: 'fail', detail: `unreadable result line: ${line.slice(0, 200)}` };
  }
}

async function listClient(def: ClientDef): Promise<Listing | string> {
  const out = await runChild([...def.command, '--list'], {}, 20_000);
  const last = out.log.trim().split('\n').at(-1) ?? '';
  try {
    const listing = JSON.parse(last) as Listing;
    if (listing && typeof listing.scenarios === 'object') return listing;
  } catch { /* fall through */ }
  return `cannot start ${def.command.join(' ')}: ${out.log.trim().split('\n').slice(-3).join(' | ').slice(0, 300) || `exit code ${out.code}`}`;
}

/** Runs tasks with at most `limit` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export async function runSuite(opts: RunOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const prefix = `compat-${startedAt.getTime().toString(36).slice(-5)}-`;
  const defs = CLIENTS.filter((c) => !opts.only?.length || opts.only.includes(c.name));
  const listings = await Promise.all(defs.map(listClient));
  const rows: ClientRow[] = [];
  const tasks: (() => Promise<void>)[] = [];
  const exclusive: (() => Promise<void>)[] = [];
  defs.forEach((def, i) => {
    const listing = listings[i];
    const row: ClientRow = typeof listing === 'string'
      ? { client: def.name, version: '?', unavailable: listing, cells: [] }
      : { client: def.name, version: listing.version, cells: [] };
    rows.push(row);
    if (typeof listing === 'string') return;
    for (const scenario of SCENARIO_NAMES) {
      if (opts.scenarios?.length && !opts.scenarios.includes(scenario)) continue;
      const entry = listing.scenarios[scenario];
      if (entry === undefined) continue;
      const record = (r: ScenarioResult, ms: number, log: string) => {
        const cell: CellResult = { client: def.name, scenario, ms, log, ...r };
        row.cells.push(cell);
        opts.onResult?.(cell);
      };
      if (entry !== true) {
        record({ status: 'not-supported', detail: entry }, 0, '');
        continue;
      }
      (def.exclusive ? exclusive : tasks).push(async () => {
        const timeoutMs = def.timeoutMs ?? opts.timeoutMs ?? 45_000;
        const env = {
          COMPAT_BOOTSTRAP: opts.bootstrap,
          COMPAT_REGISTRY: opts.registry ?? '',
          COMPAT_PREFIX: `${prefix}${def.name}-${scenario}`,
          COMPAT_REGISTRY_EXPECTED: opts.registryExpected ? '1' : '',
          COMPAT_SECURE: opts.secure ? JSON.stringify(opts.secure) : '',
        };
        const out = await runChild([...def.command, scenario], env, timeoutMs);
        record(parseResult(out, timeoutMs), out.ms, out.log);
      });
    }
  });
  await pool(tasks, opts.concurrency ?? 3);
  await pool(exclusive, 1);
  for (const row of rows) row.cells.sort((a, b) => SCENARIO_NAMES.indexOf(a.scenario as ScenarioName) - SCENARIO_NAMES.indexOf(b.scenario as ScenarioName));
  return { bootstrap: opts.bootstrap, prefix, registry: opts.registry, startedAt, ms: Date.now() - startedAt.getTime(), rows };
}

export function countStatuses(result: SuiteResult): Record<Status, number> {
  const counts: Record<Status, number> = { 'pass': 0, 'fail': 0, 'not-supported': 0 };
  for (const row of result.rows) for (const cell of row.cells) counts[cell.status]++;
  return counts;
}
