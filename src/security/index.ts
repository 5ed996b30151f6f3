/**
 * The broker's security state: users (SCRAM credentials over `__samsa_users`), the OAUTHBEARER validator, the TLS
 * material of the SSL listeners and the principal mapping, and a count of failed logins.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TlsOptions } from 'node:tls';
import { ConfigError, type BrokerConfig } from '../config.js';
import { SASL_MECHANISMS } from '../server/sasl.js';
import type { KeyValueLog } from '../log/key-value-log.js';
import type { Clock } from '../clock.js';
import { UserStore, parseUserList } from './users.js';
import type { TokenValidator, UnsecuredValidatorOptions } from './oauthbearer.js';
import { ensureAutoTls, issueClientCertificate, serverTlsOptions, type AutoTls, type ClientCertificate } from './tls.js';
import { parsePrincipalRules, type PrincipalRule } from './principal.js';
import { parseSuperUsers } from './authorizer.js';
import { clientInput } from '../protocol/client-input.js';

export { issueClientCertificate } from './tls.js';
export { unsecuredJws, type TokenValidator, type ValidatedToken } from './oauthbearer.js';

export class Security {
  readonly users: UserStore;
  /** A validator for real OAUTHBEARER tokens (startBroker's `validateToken`); absent: Kafka's unsecured-JWS one. */
  validateToken: TokenValidator | null = null;
  /** Failed SASL logins since start. */
  failedLogins = 0;
  /** The `--tls auto` directory, once created. */
  autoTls: AutoTls | null = null;
  principalRules: PrincipalRule[] = [{ kind: 'default' }];
  private tempTlsDir: string | null = null;
  private tlsOptions: TlsOptions | null = null;

  constructor(private readonly config: BrokerConfig, usersLog: KeyValueLog, private readonly logger: Logger,
    private readonly clock: Clock, private readonly dataDir: string | null) {
    this.users = new UserStore(usersLog);
  }

  /**
   * Checks the security settings and writes the bootstrap users of `sasl.users` and `sasl.plain.users` (only those
   * whose password changed). Runs before any listener accepts a client; throws ConfigError.
   */
  async start(): Promise<void> {
    const unknown = this.config.get('sasl.enabled.mechanisms').split(',').map((m) => m.trim().toUpperCase())
      .filter((m) => m !== '' && !(SASL_MECHANISMS as readonly string[]).includes(m));
    if (unknown.length > 0) throw new ConfigError(`sasl.enabled.mechanisms: ${unknown.join(', ')} not supported (${SASL_MECHANISMS.join(', ')})`);
    this.principalRules = parsePrincipalRules(this.config.get('ssl.principal.mapping.rules'));
    await this.users.bootstrap([
      ...parseUserList(this.config.get('sasl.plain.users'), 'sasl.plain.users'),
      ...parseUserList(this.config.get('sasl.users'), 'sasl.users'),
    ]);
  }

  /** node:tls options for the SSL listeners, creating the `--tls auto` CA and certificate on first use. */
  serverTlsOptions(): TlsOptions {
    if (this.tlsOptions) return this.tlsOptions;
    if (this.config.bool('ssl.auto')) {
      // node:os only here: loading it costs every broker ~0.1 MiB of RSS.
      const dir = this.dataDir ? join(this.dataDir, 'tls') : (this.tempTlsDir = mkdtempSync(join(process.getBuiltinModule('node:os').tmpdir(), 'samsa-tls-')));
      this.autoTls = ensureAutoTls(dir);
      this.logger.info({ ca: this.autoTls.caPath }, 'TLS: development CA (trust this file in clients: ssl.ca.location)');
    }
    return this.tlsOptions = serverTlsOptions(this.config, this.autoTls);
  }

  /**
   * The registry's and admin port's HTTPS options when TLS is on (`ssl.auto`, or a certificate and key): the
   * listeners' certificate, no client certificate asked for; undefined keeps them on plain HTTP.
   */
  httpTlsOptions(): TlsOptions | undefined {
    if (!this.config.bool('ssl.auto') && !(this.config.get('ssl.certificate.location') && this.config.get('ssl.key.location'))) return undefined;
    return { ...this.serverTlsOptions(), requestCert: false, rejectUnauthorized: false };
  }

  /** A client certificate from the `--tls auto` CA, for mTLS. */
  issueClientCertificate(name: string, options?: { ou?: string; days?: number }): ClientCertificate {
    if (!this.autoTls) throw new Error('issueClientCertificate needs ssl.auto=true (--tls auto) and an SSL listener');
    return issueClientCertificate(this.autoTls.dir, name, options);
  }

  /** HTTP Basic credentials (`Authorization: Basic base64(user:password)`) checked against the SASL users: the user, or null. */
  checkBasicAuth(header: string | undefined): Promise<string | null> {
    return this.basicAuthUser(header, 'registry');
  }

  /**
   * The admin port's HTTP Basic check (`admin.auth=basic`): a SASL user; with the authorizer on, one of `super.users`
   * (the admin port reads every topic and steers the broker, as Redpanda's admin API wants a superuser).
   */
  async checkAdminAuth(header: string | undefined): Promise<string | null> {
    const user = await this.basicAuthUser(header, 'admin');
    if (user === null) return null;
    return !this.config.bool('authorizer.enabled') || parseSuperUsers(this.config.get('super.users')).has(`User:${user}`) ? user : null;
  }

  /** The user whose password the header carries, or null (a failure is logged with the user name only). */
  private async basicAuthUser(header: string | undefined, surface: 'registry' | 'admin'): Promise<string | null> {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    const user = decoded.slice(0, colon);
    if (await this.users.checkPassword(user, decoded.slice(colon + 1))) return user;
    this.logger.info({ user: clientInput(user), component: 'http' }, `failed ${surface} authentication`);
    return null;
  }

  unsecuredValidatorOptions(): UnsecuredValidatorOptions {
    return {
      subClaim: this.config.get('sasl.oauthbearer.sub.claim.name'),
      scopeClaim: this.config.get('sasl.oauthbearer.scope.claim.name'),
      requiredScopes: this.config.get('sasl.oauthbearer.expected.scope').split(',').map((s) => s.trim()).filter(Boolean),
      clockSkewMs: this.config.int('sasl.oauthbearer.clock.skew.seconds') * 1000,
      nowMs: this.clock.now(),
    };
  }

  /** Logs a failed login with the client's address (Kafka logs "Failed authentication with /host"), never a secret. */
  recordFailedLogin(details: { client: string; mechanism: string; user?: string; reason: string }): void {
    this.failedLogins++;
    this.logger.info(details, 'failed authentication');
  }

  private readonly warned = new Set<string>();

  /** A warning logged once in the broker's life (`key` names it). */
  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }

  close(): void {
    if (this.tempTlsDir) rmSync(this.tempTlsDir, { recursive: true, force: true });
  }
}
