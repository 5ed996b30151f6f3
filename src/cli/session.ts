/**
 * What every command shares: its connection options (-b, --registry-url, --timeout, --format), the clients made from
 * them on first use, and the parsers of option values (numbers, key=value pairs, times).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KafkaClient, parseBootstrap, type TlsOptions } from './kafka-client.js';
import { SASL_MECHANISMS, type SaslCredentials, type SaslMechanism } from './sasl-client.js';
import { RegistryClient } from './schemas.js';
import { CliError, type Format } from './output.js';
import { MAX_TIMER_MS } from '../clock.js';

export interface CommonOptions {
  bootstrapServer?: string;
  registryUrl?: string;
  timeout?: number;
  format?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPasswordFile?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export class Session {
  private kafkaClient: KafkaClient | null = null;
  private registryClient: RegistryClient | null = null;
  readonly timeoutMs: number;

  constructor(readonly options: CommonOptions) {
    this.timeoutMs = options.timeout ?? 5000;
  }

  /** `text` or `json` (consume has templates too, and reads `options.format` itself). */
  get format(): Format {
    const f = this.options.format ?? 'text';
    if (f !== 'text' && f !== 'json') throw new CliError(`--format expects text or json, got '${f}'`, 2);
    return f;
  }

  kafka(): KafkaClient {
    this.kafkaClient ??= new KafkaClient({
      bootstrap: parseBootstrap(this.options.bootstrapServer ?? process.env.SAMSA_BOOTSTRAP ?? 'localhost:9092'),
      timeoutMs: this.timeoutMs,
      tls: this.tls(),
      sasl: this.sasl(),
    });
    return this.kafkaClient;
  }

  /** --sasl-*: the password from SAMSA_SASL_PASSWORD or --sasl-password-file, never from the command line. */
  private sasl(): SaslCredentials | undefined {
    const o = this.options;
    const mechanism = (o.saslMechanism ?? process.env.SAMSA_SASL_MECHANISM)?.toUpperCase();
    if (mechanism === undefined) {
      if (o.saslUsername !== undefined || o.saslPasswordFile !== undefined) throw new CliError('--sasl-username and --sasl-password-file need --sasl-mechanism', 2);
      return undefined;
    }
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) throw new CliError(`--sasl-mechanism expects ${SASL_MECHANISMS.join(', ')}, got '${mechanism}'`, 2);
    const username = o.saslUsername ?? process.env.SAMSA_SASL_USERNAME;
    if (!username) throw new CliError(`SASL ${mechanism} needs --sasl-username (or SAMSA_SASL_USERNAME)`, 2);
    let password = process.env.SAMSA_SASL_PASSWORD;
    if (o.saslPasswordFile !== undefined) password = readOption(o.saslPasswordFile, '--sasl-password-file').toString('utf8').replace(/\r?\n$/, '');
    if (password === undefined) throw new CliError(`SASL ${mechanism} needs a password: SAMSA_SASL_PASSWORD or --sasl-password-file`, 2);
    return { mechanism: mechanism as SaslMechanism, username, password };
  }

  /** --tls, --tls-ca, --tls-cert and --tls-key (any of them turns TLS on). */
  private tls(): TlsOptions | undefined {
    const o = this.options;
    const ca = o.tlsCa ?? process.env.SAMSA_TLS_CA;
    if (!o.tls && ca === undefined && o.tlsCert === undefined && o.tlsKey === undefined) return undefined;
    if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together', 2);
    return {
      ca: ca === undefined ? undefined : readOption(ca, '--tls-ca'),
      cert: o.tlsCert === undefined ? undefined : readOption(o.tlsCert, '--tls-cert'),
      key: o.tlsKey === undefined ? undefined : readOption(o.tlsKey, '--tls-key'),
    };
  }

  registry(): RegistryClient {
    this.registryClient ??= new RegistryClient(this.options.registryUrl ?? process.env.SAMSA_REGISTRY_URL ?? 'http://localhost:8081', this.timeoutMs);
    return this.registryClient;
  }

  close(): void {
    this.kafkaClient?.close();
  }
}

/** A file an option names (a CA, a key, a password), read; one line if it cannot be. */
function readOption(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
}

/** Adds the connection options a command needs: the Kafka bootstrap (and its security), the registry URL, or both. */
export function connectionOptions(cmd: Command, needs: { kafka?: boolean; registry?: boolean }): Command {
  if (needs.kafka) {
    cmd.option('-b, --bootstrap-server <host:port>', 'a broker to start from (env SAMSA_BOOTSTRAP; default localhost:9092)')
      .option('--sasl-mechanism <mechanism>', `SASL: ${SASL_MECHANISMS.join(', ')} (env SAMSA_SASL_MECHANISM)`)
      .option('--sasl-username <name>', 'SASL user (env SAMSA_SASL_USERNAME)')
      .option('--sasl-password-file <path>', 'a file holding the SASL password (or env SAMSA_SASL_PASSWORD; never on the command line)')
      .option('--tls', 'connect with TLS (implied by --tls-ca and --tls-cert)')
      .option('--tls-ca <path>', 'PEM CA certificates to trust (env SAMSA_TLS_CA), e.g. <data-dir>/tls/ca.pem of samsa --tls auto')
      .option('--tls-cert <path>', 'PEM client certificate for mTLS (with --tls-key)')
      .option('--tls-key <path>', 'PEM key of --tls-cert');
  }
  if (needs.registry) cmd.option('--registry-url <url>', 'Schema Registry URL (env SAMSA_REGISTRY_URL; default http://localhost:8081)');
  return cmd.option('--timeout <ms>', 'connect and request timeout in ms', integer('--timeout', 1, MAX_TIMER_MS), 5000);
}

export function formatOption(cmd: Command): Command {
  return cmd.addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
}

/** Kafka's int32 and int16 fields. */
export const INT32_MAX = 2 ** 31 - 1;
export const INT16_MAX = 2 ** 15 - 1;

/** A whole-number option parser with bounds (by default those of a Kafka int32 field from `min`). */
export function integer(name: string, min = 0, max = INT32_MAX): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} expects a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

/** A repeatable option's collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** "key=value" split at the first '='. */
export function keyValue(pair: string, option: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new CliError(`${option} expects key=value, got '${pair}'`, 2);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** A time as milliseconds since the epoch, or an ISO-8601 date-time ("2024-05-01T12:00:00Z"). */
export function parseTime(text: string, option: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  // Date.parse moves a day the month lacks into the next month (2024-02-30 is March 1): such a date is refused.
  const real = date && new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))).toISOString().startsWith(date[0]);
  const ms = real ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new CliError(`${option} expects milliseconds since the epoch or an ISO-8601 date-time, got '${text}'`, 2);
  return ms;
}
