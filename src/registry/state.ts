/**
 * The registry's state, kept only as records in a KeyValueLog (the broker's `_schemas` topic) and rebuilt by
 * replaying them. Every change is: validate against the current state → append records → apply the same records
 * with the same `apply` replay uses. Changes run one at a time; reads are synchronous over the in-memory maps.
 *
 * Records (JSON, keys written with a fixed field order so a key's bytes are stable for compaction):
 *   {"keytype":"SCHEMA","subject":s,"version":v}  → SchemaVersion, or null once permanently deleted
 *   {"keytype":"CONFIG","subject":s|null}         → {"compatibilityLevel"?:…, "normalize"?:…}, or null when removed
 *   {"keytype":"MODE","subject":s|null}           → {"mode":…}, or null when removed
 *   {"keytype":"ID"}                              → {"maxId":n}, the highest id ever assigned, so ids are never
 *                                                   reused even after compaction drops hard-deleted schemas
 * A soft delete rewrites a version's record with `deleted: true`; a subject delete does so for each version.
 */
import type { Logger } from 'pino';
import type { KeyValueLog, KeyValueRecord } from '../log/key-value-log.js';
import { BATCH_HEADER_SIZE } from '../protocol/record-batch.js';
import { checkCompatibility, DEFAULT_COMPATIBILITY, type CompatibilityLevel, type PreviousSchema } from './compatibility.js';
import { Errors, SchemaParseError } from './errors.js';
import { FORMATS, type Dependency, type ParsedSchema, type SchemaType } from './formats/index.js';

export const MODES = ['READWRITE', 'READONLY', 'IMPORT'] as const;
export type Mode = typeof MODES[number];

export interface Reference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: Reference[];
  deleted: boolean;
}

export interface RegisterRequest {
  schema: string;
  schemaType: string;
  /** A reference's version may be -1 for the subject's latest; it is stored resolved. */
  references: Reference[];
  /** IMPORT mode only: keep this id and version. */
  id?: number;
  version?: number;
  /** Confluent's normalize=true: store and compare the normalized text, references sorted by subject and version. */
  normalize?: boolean;
}

/**
 * A subject's (or the global) config as stored: each setting may be unset. Confluent's getConfig fills an unset
 * level with the built-in default (BACKWARD, not the global level), and getConfigInScope merges a subject's unset
 * normalize from the global config but keeps that filled-in level: a subject config with only `normalize` thus
 * registers under BACKWARD even when the global level differs, as Confluent does.
 */
export interface RegistryConfig {
  compatibilityLevel?: CompatibilityLevel;
  normalize?: boolean;
}

/** Which versions a listing shows (Confluent's LookupFilter). */
export type LookupFilter = 'live' | 'includeDeleted' | 'deletedOnly';

const asFilter = (f: LookupFilter | boolean): LookupFilter => (typeof f === 'string' ? f : f ? 'includeDeleted' : 'live');
const includes = (f: LookupFilter, deleted: boolean) => (f === 'includeDeleted' || (f === 'deletedOnly') === deleted);

/** A version number, or the subject's latest. */
export type VersionSpec = number | 'latest';

const schemaKey = (subject: string, version: number) => ({ keytype: 'SCHEMA', subject, version });
const configKey = (subject: string | null) => ({ keytype: 'CONFIG', subject });
const modeKey = (subject: string | null) => ({ keytype: 'MODE', subject });
const ID_KEY = { keytype: 'ID' };

/** normalize=true orders references by subject, then version, and drops repeated ones (Confluent's SchemaReference order). */
function normalizedReferences(references: Reference[]): Reference[] {
  const sorted = [...references].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  return sorted.filter((r, i) => !sorted.slice(0, i).some((o) => o.name === r.name && o.subject === r.subject && o.version === r.version));
}

/**
 * Confluent keeps a schema as one record in `_schemas`; a record over its producer's max.request.size (1 MiB,
 * counted as Kafka's upper bound: batch header, record overhead, key and value) fails, and the register answers 42209.
 */
export const MAX_SCHEMA_RECORD_BYTES = 1024 * 1024;
/** Kafka's DefaultRecord.MAX_RECORD_OVERHEAD: length, attributes, timestamp and offset deltas at their widest. */
const MAX_RECORD_OVERHEAD = 21;
const varintSize = (n: number) => { let size = 1; for (let v = (n << 1) ^ (n >> 31); v >>> 7 !== 0; v >>>= 7) size++; return size; };

function recordSizeUpperBound(r: KeyValueRecord): number {
  const key = r.key.length;
  const value = r.value?.length ?? -1;
  return BATCH_HEADER_SIZE + MAX_RECORD_OVERHEAD + varintSize(key) + key + varintSize(value) + Math.max(value, 0) + varintSize(0);
}

function record(key: object, value: object | null): KeyValueRecord {
  return { key: Buffer.from(JSON.stringify(key)), value: value === null ? null : Buffer.from(JSON.stringify(value)) };
}

export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  /** Every stored version (soft-deleted ones too) using an id; the id exists while this is non-empty. */
  private readonly byId = new Map<number, SchemaVersion[]>();
  /** Schema identity (type, canonical text, references) → id, so the same schema gets the same id everywhere. */
  private readonly idByContent = new Map<string, number>();
  private readonly parsed = new Map<number, ParsedSchema>();
  private readonly contentKeys = new WeakMap<object, string>();
  private readonly configs = new Map<string | null, RegistryConfig>();
  private readonly modes = new Map<string | null, Mode>();
  private maxId = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: KeyValueLog, private readonly logger?: Logger) {
    let count = 0;
    for (const r of log.replay()) {
      this.apply(r);
      count++;
    }
    logger?.debug({ records: count, subjects: this.subjects.size, maxId: this.maxId }, 'schema registry state replayed');
  }

  // ---- reads ----

  /**
   * Subjects starting with `prefix`, sorted. A subject counts as deleted when all its versions are soft-deleted
   * (Confluent's rule), so `deletedOnly` lists the soft-deleted subjects and `live` the others.
   */
  listSubjects(filter: LookupFilter | boolean, prefix = ''): string[] {
    const f = asFilter(filter);
    return [...this.subjects.keys()].filter((s) => {
      if (!s.startsWith(prefix)) return false;
      const versions = this.versionsOf(s, true);
      return versions.length > 0 && includes(f, versions.every((v) => v.deleted));
    }).sort();
  }

  /**
   * Versions of a subject, ascending (soft-deleted ones negated with `deletedAsNegative`); 40401 when it has none
   * (a subject whose versions are all soft-deleted exists for `includeDeleted` and `deletedOnly`).
   */
  listVersions(subject: string, filter: LookupFilter | boolean, deletedAsNegative = false): number[] {
    const f = asFilter(filter);
    if (this.versionsOf(subject, f !== 'live').length === 0) throw Errors.subjectNotFound(subject);
    const all = this.versionsOf(subject, true);
    if (deletedAsNegative) return all.map((v) => (v.deleted ? -v.version : v.version));
    return all.filter((v) => includes(f, v.deleted)).map((v) => v.version);
  }

  /** Every version of the subjects starting with `prefix` (the latest shown one per subject with `latestOnly`), by subject then version. */
  listSchemas(prefix: string, includeDeleted: boolean, latestOnly: boolean): SchemaVersion[] {
    const out: SchemaVersion[] = [];
    for (const subject of [...this.subjects.keys()].filter((s) => s.startsWith(prefix)).sort()) {
      const versions = this.versionsOf(subject, includeDeleted);
      out.push(...(latestOnly ? versions.slice(-1) : versions));
    }
    return out;
  }

  getVersion(subject: string, spec: VersionSpec, includeDeleted: boolean): SchemaVersion {
    const versions = this.versionsOf(subject, includeDeleted);
    const found = spec === 'latest' ? versions[versions.length - 1] : versions.find((v) => v.version === spec);
    if (found) return found;
    if (versions.length === 0) throw Errors.subjectNotFound(subject);
    throw Errors.versionNotFound(spec === 'latest' ? -1 : spec);
  }

  getSchemaById(id: number): SchemaVersion {
    const uses = this.byId.get(id);
    if (!uses?.length) throw Errors.schemaIdNotFound(id);
    return uses[0]!;
  }

  /** Subject/version pairs using an id, ascending. */
  usesOfId(id: number, includeDeleted: boolean): SchemaVersion[] {
    this.getSchemaById(id);
    return this.byId.get(id)!.filter((v) => includeDeleted || !v.deleted)
      .sort((a, b) => a.subject.localeCompare(b.subject) || a.version - b.version);
  }

  /** The version of `subject` holding this schema: 40401 without the subject, 40403 if it holds no such schema. */
  lookup(subject: string, request: RegisterRequest, includeDeleted: boolean): SchemaVersion {
    const versions = this.versionsOf(subject, includeDeleted);
    if (versions.length === 0) throw Errors.subjectNotFound(subject);
    const { contentKey } = this.parseRequest({ ...request, normalize: this.normalizes(subject, request) });
    const found = [...versions].reverse().find((v) => this.contentKeyOf(v) === contentKey);
    if (!found) throw Errors.schemaNotFound();
    return found;
  }

  /** Ids of schemas whose references point at subject/version. */
  referencedBy(subject: string, version: number, includeDeleted: boolean): number[] {
    return [...new Set(this.referencingVersions(subject, version, includeDeleted).map((v) => v.id))].sort((a, b) => a - b);
  }

  /** Confluent's getConfig: the subject's config (undefined when it has none) or the global one, level filled in. */
  configEntry(subject: string | null): RegistryConfig | undefined {
    const stored = this.configs.get(subject);
    if (!stored && subject !== null) return undefined;
    return { ...stored, compatibilityLevel: stored?.compatibilityLevel ?? DEFAULT_COMPATIBILITY };
  }

  /** Confluent's getConfigInScope: the subject's config with the global normalize under it, else the global config. */
  configInScope(subject: string): RegistryConfig {
    const global = this.configEntry(null)!;
    const own = this.configEntry(subject);
    if (!own) return global;
    const normalize = own.normalize ?? global.normalize;
    return { ...own, ...(normalize === undefined ? {} : { normalize }) };
  }

  /** Subject-level compatibility, or undefined when the subject has no config. null: the global level. */
  configOf(subject: string | null): CompatibilityLevel | undefined {
    return this.configEntry(subject)?.compatibilityLevel;
  }

  effectiveConfig(subject: string): CompatibilityLevel {
    return this.configInScope(subject).compatibilityLevel!;
  }

  /** Confluent's rule: normalize=true on the request, or a `normalize: true` config in scope. */
  private normalizes(subject: string, request: RegisterRequest): boolean {
    return request.normalize === true || this.configInScope(subject).normalize === true;
  }

  modeOf(subject: string | null): Mode | undefined {
    return this.modes.get(subject) ?? (subject === null ? 'READWRITE' : undefined);
  }

  effectiveMode(subject: string): Mode {
    return this.modes.get(subject) ?? this.modeOf(null)!;
  }

  /** Whether `id` is the id of a live version of `subject`: the broker's produce-side schema validation. */
  isRegistered(subject: string, id: number): boolean {
    return this.byId.get(id)?.some((v) => v.subject === subject && !v.deleted) ?? false;
  }

  /** Messages saying why the request's schema is incompatible with `against` (or all live versions) under the subject's level. */
  checkCompatibility(subject: string, request: RegisterRequest, against: VersionSpec | 'all'): string[] {
    const { parsed } = this.parseRequest({ ...request, normalize: this.normalizes(subject, request) });
    const live = this.versionsOf(subject, false);
    let previous: SchemaVersion[];
    if (against === 'all') previous = live;
    else if (against === 'latest') previous = live.slice(-1);
    else {
      const v = live.find((x) => x.version === against);
      if (!v) throw Errors.versionNotFound(against);
      previous = [v];
    }
    // One named version (or the latest) is compared as such; "all" follows the level's own transitivity.
    const level = this.effectiveConfig(subject);
    const effective = against === 'all' ? level : (level.replace('_TRANSITIVE', '') as CompatibilityLevel);
    return checkCompatibility(effective, parsed, previous.map((v) => this.previous(v)));
  }

  // ---- changes ----

  register(subject: string, request: RegisterRequest): Promise<{ id: number; version: number }> {
    return this.exclusive(async () => {
      const mode = this.effectiveMode(subject);
      const importing = request.id !== undefined && request.id >= 0;
      if (mode === 'READONLY') throw Errors.readOnly(subject);
      if (importing && mode !== 'IMPORT') throw Errors.notImportMode(subject);
      if (!importing && mode !== 'READWRITE') throw Errors.notReadWriteMode(subject);

      // IMPORT stores schemas as given: normalize is skipped there, as Confluent does.
      const { parsed, references, contentKey } = this.parseRequest({ ...request, normalize: this.normalizes(subject, request) && mode !== 'IMPORT' });
      const all = this.versionsOf(subject, true);
      const live = all.filter((v) => !v.deleted);
      const existingId = this.idByContent.get(contentKey);
      if (!request.version && (!importing || request.id === existingId)) {
        const same = live.find((v) => this.contentKeyOf(v) === contentKey);
        if (same) return { id: same.id, version: same.version };
      }

      if (mode !== 'IMPORT') {
        const messages = checkCompatibility(this.effectiveConfig(subject), parsed, live.map((v) => this.previous(v)));
        if (messages.length > 0) throw Errors.incompatibleSchema(subject, messages);
      }

      const nextVersion = (all[all.length - 1]?.version ?? 0) + 1;
      const version = request.version || nextVersion;
      if (mode !== 'IMPORT' && version !== nextVersion) throw Errors.invalidSchema('Version is not one more than previous version');
      let id: number;
      if (importing) {
        id = request.id!;
        const holder = this.byId.get(id)?.[0];
        if (holder && this.contentKeyOf(holder) !== contentKey) throw Errors.idOverwrite(id);
        // A version stored under another id is not replaced (as Confluent): its id's readers would lose their schema,
        // and a schema referencing its own subject's version could take its place.
        const taken = all.find((v) => v.version === version);
        if (taken && taken.id !== id) throw Errors.versionOverwrite(version);
      } else {
        id = existingId ?? this.maxId + 1;
      }

      const value: SchemaVersion = {
        subject, version, id, schemaType: parsed.type, schema: parsed.text, references, deleted: false,
      };
      const records = [record(schemaKey(subject, version), value)];
      if (recordSizeUpperBound(records[0]!) > MAX_SCHEMA_RECORD_BYTES) throw Errors.schemaTooLarge();
      if (id > this.maxId) records.push(record(ID_KEY, { maxId: id }));
      await this.commit(records);
      this.parsed.set(id, parsed);
      return { id, version };
    });
  }

  /** Soft-deletes a version, or permanently deletes a soft-deleted one; resolves to its number. */
  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.exclusive(async () => {
      // 'latest' means the latest live version for a soft delete, the latest stored one for a permanent delete.
      const target = this.getVersion(subject, spec, permanent || spec !== 'latest');
      if (!permanent && target.deleted) throw Errors.versionSoftDeleted(subject, target.version);
      if (this.effectiveMode(subject) === 'READONLY') throw Errors.readOnly(subject);
      if (this.referencedBy(subject, target.version, permanent).length > 0) throw Errors.referenceExists(subject, target.version);
      if (permanent && !target.deleted) throw Errors.versionNotSoftDeleted(subject, target.version);
      const key = schemaKey(subject, target.version);
      const records = [permanent ? record(key, null) : record(key, { ...target, deleted: true })];
      if (permanent && this.versionsOf(subject, true).length === 1) records.push(...this.subjectSettingsTombstones(subject));
      await this.commit(records);
      return target.version;
    });
  }

  /** Soft-deletes every live version, or permanently deletes a soft-deleted subject; resolves to the versions. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.exclusive(async () => {
      const all = this.versionsOf(subject, true);
      if (all.length === 0) throw Errors.subjectNotFound(subject);
      const targets = permanent ? all : all.filter((v) => !v.deleted);
      if (targets.length === 0) throw Errors.subjectSoftDeleted(subject);
      if (this.effectiveMode(subject) === 'READONLY') throw Errors.readOnly(subject);
      for (const v of targets) {
        const others = this.referencingVersions(subject, v.version, permanent).filter((r) => r.subject !== subject);
        if (others.length > 0) throw Errors.referenceExists(subject, v.version);
      }
      if (permanent && targets.some((v) => !v.deleted)) throw Errors.subjectNotSoftDeleted(subject);
      const records = permanent
        // Newest first, so references between versions of the subject never dangle mid-way.
        ? [...targets].reverse().map((v) => record(schemaKey(subject, v.version), null)).concat(this.subjectSettingsTombstones(subject))
        : targets.map((v) => record(schemaKey(subject, v.version), { ...v, deleted: true }));
      await this.commit(records);
      return targets.map((v) => v.version);
    });
  }

  /**
   * Confluent's ConfigValue.update: the settings present in `update` replace the stored ones (an explicit null
   * unsets one), the others are kept; resolves to the stored config (unset settings left out).
   */
  setConfig(subject: string | null, update: { [K in keyof RegistryConfig]?: RegistryConfig[K] | null }): Promise<RegistryConfig> {
    return this.exclusive(async () => {
      const merged: RegistryConfig = { ...this.configs.get(subject) };
      for (const key of ['compatibilityLevel', 'normalize'] as const) {
        if (!(key in update)) continue;
        if (update[key] === null || update[key] === undefined) delete merged[key];
        else (merged as Record<string, unknown>)[key] = update[key];
      }
      await this.commit([record(configKey(subject), merged)]);
      return merged;
    });
  }

  /** Removes a subject's config (40401 when it has none) or resets the global one; resolves to the config removed. */
  deleteConfig(subject: string | null): Promise<RegistryConfig> {
    return this.exclusive(async () => {
      const old = this.configEntry(subject);
      if (old === undefined) throw Errors.subjectNotFound(subject!);
      await this.commit([record(configKey(subject), null)]);
      return old;
    });
  }

  setMode(subject: string | null, mode: Mode, force: boolean): Promise<void> {
    return this.exclusive(async () => {
      const current = subject === null ? this.modeOf(null) : this.effectiveMode(subject);
      if (mode === 'IMPORT' && current !== 'IMPORT' && !force) {
        const existing = subject === null ? this.listSubjects(false).length > 0 : this.versionsOf(subject, false).length > 0;
        if (existing) throw Errors.importWithSubjects();
      }
      await this.commit([record(modeKey(subject), { mode })]);
    });
  }

  deleteMode(subject: string | null): Promise<Mode> {
    return this.exclusive(async () => {
      const old = this.modeOf(subject);
      if (old === undefined) throw Errors.subjectNotFound(subject!);
      await this.commit([record(modeKey(subject), null)]);
      return old;
    });
  }

  // ---- internals ----

  private versionsOf(subject: string, includeDeleted: boolean): SchemaVersion[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  private referencingVersions(subject: string, version: number, includeDeleted: boolean): SchemaVersion[] {
    const out: SchemaVersion[] = [];
    for (const versions of this.subjects.values()) {
      for (const v of versions.values()) {
        if ((includeDeleted || !v.deleted) && v.references.some((r) => r.subject === subject && r.version === version)) out.push(v);
      }
    }
    return out;
  }

  private subjectSettingsTombstones(subject: string): KeyValueRecord[] {
    const out: KeyValueRecord[] = [];
    if (this.configs.has(subject)) out.push(record(configKey(subject), null));
    if (this.modes.has(subject)) out.push(record(modeKey(subject), null));
    return out;
  }

  /**
   * The test kit's reset: every subject, schema, compatibility and mode setting is forgotten and the log emptied, after
   * the changes under way. Ids keep counting up (recorded again), so an id a client cached never names another schema.
   */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      this.log.clear?.();
      for (const map of [this.subjects, this.byId, this.idByContent, this.parsed, this.configs, this.modes]) map.clear();
      if (this.maxId > 0) await this.commit([record(ID_KEY, { maxId: this.maxId })]);
    });
  }

  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = this.queue.then(change, change);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends, then applies: a change is visible only once it is stored. */
  private async commit(records: KeyValueRecord[]): Promise<void> {
    try {
      await this.log.append(records);
    } catch (err) {
      this.logger?.error({ err }, 'schema registry: append to the log failed');
      throw Errors.store('Error while writing to the Kafka store');
    }
    for (const r of records) this.apply(r);
  }

  private apply(r: KeyValueRecord): void {
    let key: { keytype?: string; subject?: string | null; version?: number };
    let value: Record<string, unknown> | null;
    try {
      key = JSON.parse(r.key.toString('utf8'));
      value = r.value === null ? null : JSON.parse(r.value.toString('utf8'));
    } catch (err) {
      this.logger?.warn({ err }, 'schema registry: skipping an unreadable record');
      return;
    }
    switch (key.keytype) {
      case 'SCHEMA':
        this.applySchema(key.subject as string, key.version as number, value as SchemaVersion | null);
        break;
      case 'CONFIG':
        if (value === null) this.configs.delete(key.subject ?? null);
        else {
          const config: RegistryConfig = {};
          if (typeof value.compatibilityLevel === 'string') config.compatibilityLevel = value.compatibilityLevel as CompatibilityLevel;
          if (typeof value.normalize === 'boolean') config.normalize = value.normalize;
          this.configs.set(key.subject ?? null, config);
        }
        break;
      case 'MODE':
        if (value === null) this.modes.delete(key.subject ?? null);
        else this.modes.set(key.subject ?? null, value.mode as Mode);
        break;
      case 'ID':
        if (value !== null) this.maxId = Math.max(this.maxId, value.maxId as number);
        break;
      default:
        this.logger?.debug({ keytype: key.keytype }, 'schema registry: ignoring a record of unknown type');
    }
  }

  private applySchema(subject: string, version: number, value: SchemaVersion | null): void {
    let versions = this.subjects.get(subject);
    const old = versions?.get(version);
    if (old) {
      const uses = this.byId.get(old.id)!.filter((v) => v !== old);
      if (uses.length > 0) this.byId.set(old.id, uses);
      else {
        this.byId.delete(old.id);
        this.parsed.delete(old.id);
        if (this.idByContent.get(this.contentKeyOf(old)) === old.id) this.idByContent.delete(this.contentKeyOf(old));
      }
      versions!.delete(version);
    }
    if (value === null) {
      if (versions?.size === 0) this.subjects.delete(subject);
      return;
    }
    if (!versions) this.subjects.set(subject, versions = new Map());
    versions.set(version, value);
    const uses = this.byId.get(value.id);
    if (uses) uses.push(value);
    else this.byId.set(value.id, [value]);
    const contentKey = this.contentKeyOf(value);
    if (!this.idByContent.has(contentKey)) this.idByContent.set(contentKey, value.id);
    this.maxId = Math.max(this.maxId, value.id);
  }

  private contentKeyOf(v: { schemaType: string; schema: string; references: Reference[] }): string {
    // Stored versions are immutable objects (a change stores a new one): their key is computed once.
    const stored = this.contentKeys.get(v);
    if (stored !== undefined) return stored;
    const key = this.computeContentKey(v);
    this.contentKeys.set(v, key);
    return key;
  }

  private computeContentKey(v: { schemaType: string; schema: string; references: Reference[] }): string {
    let canonical = v.schema;
    try {
      canonical = FORMATS[v.schemaType]?.canonical(v.schema) ?? v.schema;
    } catch {
      // An unparsable stored text is its own identity.
    }
    return JSON.stringify([v.schemaType, canonical, v.references.map((r) => [r.name, r.subject, r.version])]);
  }

  /** The parsed form of a stored version, cached by id. */
  private parsedOf(v: SchemaVersion): ParsedSchema {
    let parsed = this.parsed.get(v.id);
    if (!parsed) {
      try {
        const format = FORMATS[v.schemaType];
        if (!format) throw new Error(`unknown schema type ${v.schemaType}`);
        parsed = format.parse(v.schema, this.dependencies(v.references, new Set()));
      } catch (err) {
        throw Errors.store(`Stored schema ${v.id} cannot be parsed: ${(err as Error).message}`);
      }
      this.parsed.set(v.id, parsed);
    }
    return parsed;
  }

  private previous(v: SchemaVersion): PreviousSchema {
    return { version: v.version, schema: this.parsedOf(v) };
  }

  /** Parses a submitted schema with its references resolved; 42201 when it is invalid. */
  private parseRequest(request: RegisterRequest): { parsed: ParsedSchema; references: Reference[]; contentKey: string } {
    const type = request.schemaType;
    const format = FORMATS[type];
    if (!format) throw Errors.invalidSchema(`Invalid schema type ${type}`);
    try {
      let references = request.references.map((r) => this.resolveReference(r));
      if (request.normalize) references = normalizedReferences(references);
      const parsed = format.parse(request.schema, this.dependencies(references, new Set()), request.normalize);
      return { parsed, references, contentKey: this.contentKeyOf({ schemaType: type, schema: parsed.text, references }) };
    } catch (err) {
      if (err instanceof SchemaParseError) throw Errors.invalidSchema(`Invalid schema of type ${type}, details: ${err.message}`);
      throw err;
    }
  }

  private resolveReference(r: Reference): Reference {
    const versions = this.versionsOf(r.subject, true);
    const target = r.version === -1 ? versions.filter((v) => !v.deleted).pop() : versions.find((v) => v.version === r.version);
    if (!target) throw new SchemaParseError(`Reference '${r.name}' to subject '${r.subject}' version ${r.version} not found`);
    return { name: r.name, subject: r.subject, version: target.version };
  }

  /** Referenced schemas, depth first (a schema after the ones it references), each once. */
  private dependencies(references: Reference[], seen: Set<string>): Dependency[] {
    const out: Dependency[] = [];
    for (const r of references) {
      const key = `${r.subject}\u0000${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = this.subjects.get(r.subject)?.get(r.version);
      if (!target) throw new SchemaParseError(`Reference '${r.name}' to subject '${r.subject}' version ${r.version} not found`);
      out.push(...this.dependencies(target.references, seen), { name: r.name, type: target.schemaType, schema: target.schema });
    }
    return out;
  }
}

