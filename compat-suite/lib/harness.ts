/**
 * The child side of a scenario run: every node client module ends with `runIfMain(import.meta.url, SCENARIOS)`.
 * `node <module> --list` prints the client's version and scenario table (a Listing); `node <module> <scenario>` runs one scenario with its
 * settings from the environment (see childEnv in runner.ts) and prints one RESULT_MARKER line as its last output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type ScenarioName, type ScenarioResult } from './scenarios.js';

export interface Ctx {
  bootstrap: string;
  /** Schema Registry URL, or null when the run has none. */
  registry: string | null;
  /** Unique per scenario run: topic and group names start with it, so runs never collide. */
  prefix: string;
  /** The security column's settings (COMPAT_SECURE), or null when the run has none. */
  secure: SecureSettings | null;
  /** Set by overSaslSsl(): clients built from this ctx connect over SASL_SSL with these settings. */
  saslSsl?: SecureSettings;
  log(...parts: unknown[]): void;
}

/**
 * The security column: a SASL_SSL listener, the CA its certificate chains to, a SCRAM-SHA-512 user, and a topic
 * that user may describe but not write (one ACL denial).
 */
export interface SecureSettings {
  bootstrap: string;
  caPath: string;
  user: string;
  password: string;
  deniedTopic: string;
}

export type Scenario = (ctx: Ctx) => Promise<void | { data?: unknown; detail?: string }>;
/** A function runs the scenario; a string declares it not supported and says why. */
export type ScenarioTable = Partial<Record<ScenarioName, Scenario | string>>;

/** Thrown (or use notSupported()) when a capability turns out to be missing at run time. */
export class NotSupported extends Error {}
export function notSupported(reason: string): never {
  throw new NotSupported(reason);
}

/**
 * The registry URL, or why there is none: not supported when the run has no registry, a failure when the broker
 * under test was supposed to serve one (Samsa started by the runner).
 */
export function requireRegistry(ctx: Ctx): string {
  if (ctx.registry) return ctx.registry;
  if (process.env.COMPAT_REGISTRY_EXPECTED) throw new Error('the broker under test was started with a Schema Registry but gave no URL');
  notSupported('no Schema Registry URL for this run');
}

/** The security settings, or not supported when the run was given none (`--security` with `--bootstrap`). */
export function requireSecure(ctx: Ctx): SecureSettings {
  if (ctx.secure) return ctx.secure;
  notSupported('no SASL_SSL settings for this run (with --bootstrap, pass --security bootstrap=host:port,ca=file,user=u,password=p,denied-topic=t)');
}

/** The ctx of the security column: clients built from it connect to the SASL_SSL listener with the user and CA. */
export function overSaslSsl(ctx: Ctx): Ctx & { saslSsl: SecureSettings } {
  const s = requireSecure(ctx);
  return { ...ctx, bootstrap: s.bootstrap, saslSsl: s };
}

/**
 * The security column: `roundTrip` over SASL_SSL + SCRAM-SHA-512 (clients built from the ctx it gets connect
 * securely), then `write` of one message to the denied topic, which must fail with the topic authorization error.
 */
export function securityScenario(roundTrip: (ctx: Ctx) => Promise<void>, write: (ctx: Ctx, topic: string) => Promise<unknown>): Scenario {
  return async (ctx) => {
    const secure = overSaslSsl(ctx);
    await roundTrip(secure);
    const topic = secure.saslSsl.deniedTopic;
    const refused = await write(secure, topic).then(() => null, (err: unknown) => err ?? 'rejected');
    if (refused === null) throw new Error(`a write to ${topic} was accepted`);
    checkTopicAuthorizationError(refused);
  };
}

/** The text of an error and of its causes (kafkajs and others wrap the broker's error). */
function errorText(err: unknown, depth = 0): string {
  if (!(err instanceof Error) || depth > 4) return String(err);
  const e = err as Error & { type?: unknown; code?: unknown; apiCode?: unknown; errors?: unknown[]; cause?: unknown };
  const own = [e.name, e.type, e.code, e.apiCode, e.message].filter((x) => x !== undefined).join(' ');
  const nested = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])].filter(Boolean).map((c) => errorText(c, depth + 1));
  return [own, ...nested].join(' <- ');
}

/** Throws unless `err` is the client's own topic authorization error (TOPIC_AUTHORIZATION_FAILED, code 29). */
export function checkTopicAuthorizationError(err: unknown): void {
  const text = errorText(err);
  if (!/TOPIC_AUTHORIZATION_FAILED|TopicAuthorizationFailed|topic authorization failed|Not authorized to access topics/i.test(text)) {
    throw new Error(`expected a topic authorization error, got: ${text.slice(0, 300)}`);
  }
}

export function ctxFromEnv(): Ctx {
  const started = Date.now();
  return {
    bootstrap: required('COMPAT_BOOTSTRAP'),
    registry: process.env.COMPAT_REGISTRY || null,
    prefix: required('COMPAT_PREFIX'),
    secure: process.env.COMPAT_SECURE ? JSON.parse(process.env.COMPAT_SECURE) as SecureSettings : null,
    log: (...parts) => console.log(`[+${((Date.now() - started) / 1000).toFixed(2)}s]`, ...parts),
  };
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (scenario modules are started by compat-suite/run.js)`);
  return v;
}

export function printResult(result: ScenarioResult): void {
  console.log(RESULT_MARKER + JSON.stringify(result));
}

/** What `--list` prints: the client's version and, per scenario, true (runnable) or why it is not supported. */
export interface Listing {
  version: string;
  scenarios: Record<string, true | string>;
}

export function runIfMain(moduleUrl: string, table: ScenarioTable, version: () => string): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const arg = process.argv[2];
  if (arg === '--list') {
    const scenarios: Listing['scenarios'] = {};
    for (const [k, v] of Object.entries(table)) scenarios[k] = typeof v === 'string' ? v : true;
    console.log(JSON.stringify({ version: version(), scenarios } satisfies Listing));
    return;
  }
  void runScenario(table, arg as ScenarioName).then((result) => {
    printResult(result);
    // Clients may leave sockets/timers behind after close(); the result is printed, so leave now.
    process.exit(result.status === 'fail' ? 1 : 0);
  });
}

async function runScenario(table: ScenarioTable, name: ScenarioName): Promise<ScenarioResult> {
  const scenario = table[name];
  if (scenario === undefined) return { status: 'fail', detail: `unknown scenario ${name}` };
  if (typeof scenario === 'string') return { status: 'not-supported', detail: scenario };
  try {
    const out = await scenario(ctxFromEnv());
    return { status: 'pass', ...(out ?? {}) };
  } catch (err) {
    if (err instanceof NotSupported) return { status: 'not-supported', detail: err.message };
    console.log(err instanceof Error ? err.stack ?? err.message : String(err));
    return { status: 'fail', detail: describeError(err) };
  }
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const type = (err as { type?: string }).type ?? (err as { code?: string | number }).code;
  return `${err.name}${type !== undefined ? ` (${type})` : ''}: ${err.message}`.slice(0, 400);
}

/** The installed version of package `name`, resolved from `fromFile` (works when the package hides package.json). */
export function packageVersion(name: string, fromFile: string): string {
  let dir = dirname(createRequire(fromFile).resolve(name));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const meta = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (meta.name === name) return meta.version ?? '?';
    }
    if (dirname(dir) === dir) return '?';
    dir = dirname(dir);
  }
}
