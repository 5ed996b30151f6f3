/**
 * Users: SCRAM credentials kept as records in the compacted internal topic `__samsa_users` (key: user and
 * mechanism; value: salt, StoredKey, ServerKey, iterations as JSON; a tombstone deletes) and replayed on start, as
 * Kafka keeps them in its metadata log. Never a password: SASL/PLAIN logins are checked against a SCRAM credential.
 *
 * Bootstrap users come from `sasl.users` (alias `sasl.plain.users`): `alice:secret,bob:pw` gives each both SCRAM
 * credentials, `carol:pw:SCRAM-SHA-512` only the one named. A bootstrap user whose stored credential already
 * matches its password is left as it is, so restarts write nothing.
 */
import type { KeyValueLog } from '../log/key-value-log.js';
import { ConfigError } from '../config.js';
import { isScramMechanism, newCredential, passwordMatches, SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram.js';

export interface BootstrapUser {
  name: string;
  password: string;
  mechanisms: ScramMechanism[];
}

const ALL_SCRAM = Object.keys(SCRAM_MECHANISMS) as ScramMechanism[];

/** Parses `alice:secret,bob:pw:SCRAM-SHA-512`; a password may hold ':' when no mechanism follows it. */
export function parseUserList(setting: string, settingName: string): BootstrapUser[] {
  return setting.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new ConfigError(`${settingName}: each user is name:password or name:password:MECHANISM`);
    const name = entry.slice(0, colon);
    let password = entry.slice(colon + 1);
    let mechanisms = ALL_SCRAM;
    const last = password.lastIndexOf(':');
    if (last >= 0 && isScramMechanism(password.slice(last + 1).toUpperCase())) {
      mechanisms = [password.slice(last + 1).toUpperCase() as ScramMechanism];
      password = password.slice(0, last);
    }
    // The message names the user, never the password.
    if (password === '') throw new ConfigError(`${settingName}: user ${name} has an empty password`);
    return { name, password, mechanisms };
  });
}

interface StoredCredential { salt: string; storedKey: string; serverKey: string; iterations: number }

export class UserStore {
  private readonly credentials = new Map<string, Map<ScramMechanism, ScramCredential>>();

  constructor(private readonly log: KeyValueLog) {
    for (const { key, value } of log.replay()) {
      let parsed: { user: string; mechanism: string };
      try {
        parsed = JSON.parse(key.toString('utf8'));
      } catch {
        continue; // not ours
      }
      if (!isScramMechanism(parsed.mechanism)) continue;
      if (value === null) this.forget(parsed.user, parsed.mechanism);
      else this.remember(parsed.user, parsed.mechanism, decodeCredential(JSON.parse(value.toString('utf8'))));
    }
  }

  get isEmpty(): boolean { return this.credentials.size === 0; }

  names(): string[] { return [...this.credentials.keys()].sort(); }

  has(user: string): boolean { return this.credentials.has(user); }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.credentials.get(user)?.get(mechanism);
  }

  /** The user's credentials by mechanism (DescribeUserScramCredentials). */
  mechanismsOf(user: string): Array<{ mechanism: ScramMechanism; iterations: number }> {
    return [...(this.credentials.get(user) ?? [])].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  /** Applies upserts and deletions as one batch of records. */
  async apply(changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential | null }>): Promise<void> {
    if (changes.length === 0) return;
    await this.log.append(changes.map(({ user, mechanism, credential }) => ({
      key: Buffer.from(JSON.stringify({ user, mechanism })),
      value: credential && Buffer.from(JSON.stringify(encodeCredential(credential))),
    })));
    for (const { user, mechanism, credential } of changes) {
      if (credential) this.remember(user, mechanism, credential);
      else this.forget(user, mechanism);
    }
  }

  /** Creates or updates the bootstrap users whose stored credential does not match their password. */
  async bootstrap(users: BootstrapUser[]): Promise<void> {
    const changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential }> = [];
    for (const { name, password, mechanisms } of users) {
      for (const mechanism of mechanisms) {
        const current = this.get(name, mechanism);
        if (current && await passwordMatches(mechanism, current, password)) continue;
        changes.push({ user: name, mechanism, credential: await newCredential(mechanism, password) });
      }
    }
    await this.apply(changes);
  }

  /**
   * SASL/PLAIN and HTTP Basic: whether the password matches the user's SCRAM credential set last, the password it
   * was last given (a credential replaced for one mechanism only must not leave the old password good here).
   */
  async checkPassword(user: string, password: string): Promise<boolean> {
    const own = this.credentials.get(user);
    if (!own) return false;
    const [mechanism, credential] = [...own].at(-1)!;
    return passwordMatches(mechanism, credential, password);
  }

  private remember(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let own = this.credentials.get(user);
    if (!own) this.credentials.set(user, own = new Map());
    own.delete(mechanism); // set last: see checkPassword
    own.set(mechanism, credential);
  }

  private forget(user: string, mechanism: ScramMechanism): void {
    const own = this.credentials.get(user);
    own?.delete(mechanism);
    if (own?.size === 0) this.credentials.delete(user);
  }
}

function encodeCredential(c: ScramCredential): StoredCredential {
  return { salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations };
}

function decodeCredential(s: StoredCredential): ScramCredential {
  return { salt: Buffer.from(s.salt, 'base64'), storedKey: Buffer.from(s.storedKey, 'base64'), serverKey: Buffer.from(s.serverKey, 'base64'), iterations: s.iterations };
}
