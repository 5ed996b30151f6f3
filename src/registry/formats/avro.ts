/**
 * AVRO: parsed and validated with avsc; compatibility follows the Avro specification's schema resolution
 * (as Java's SchemaCompatibility does, whose incompatibility names and locations Confluent reports):
 *   - records match by unqualified name or a reader alias; each reader field is found in the writer by name or
 *     alias, or must have a default;
 *   - enums: every writer symbol must be a reader symbol, unless the reader declares a default;
 *   - fixed: same name and size;
 *   - promotions int→long→float→double (int→float, int→double, long→double too) and string↔bytes;
 *   - a writer union must have every branch readable; a reader union needs one branch that reads the writer.
 */
import type avro from 'avsc';
import { SchemaParseError } from '../errors.js';
import { parseJsonText } from '../../json-text.js';
import { onFirstUse, type Dependency, type Incompatibility, type ParsedSchema, type SchemaFormat } from './format.js';

type AvroType = avro.Type;

/** avsc (with its zlib and crypto), with the first Avro schema. */
const avroLibrary = onFirstUse<typeof avro>('avsc');

const PROMOTIONS: Record<string, string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

function kind(t: AvroType): string {
  const name = t.typeName;
  if (name.startsWith('union')) return 'union';
  if (name === 'error') return 'record';
  return name;
}

const unqualified = (name: string | undefined): string | undefined => name?.slice(name.lastIndexOf('.') + 1);

function mismatch(type: string, path: string, info: string, describe: Incompatibility['describe']): Incompatibility {
  return { type, path, info, describe };
}

class Checker {
  readonly found: Incompatibility[] = [];
  /**
   * Pairs under comparison, shared with the trial checkers of union branches: recursive types compare as
   * compatible on re-entry, as Java's checker does.
   */
  constructor(private readonly inProgress = new Map<AvroType, Set<AvroType>>()) {}

  check(reader: AvroType, writer: AvroType, path: string): boolean {
    let writers = this.inProgress.get(reader);
    if (writers?.has(writer)) return true;
    if (!writers) this.inProgress.set(reader, writers = new Set());
    writers.add(writer);
    try {
      return this.compare(reader, writer, path);
    } finally {
      writers.delete(writer);
    }
  }

  private fail(i: Incompatibility): false {
    this.found.push(i);
    return false;
  }

  private compare(reader: AvroType, writer: AvroType, path: string): boolean {
    const rk = kind(reader);
    const wk = kind(writer);
    if (wk === 'union') {
      // Every branch the writer may have used must be readable.
      let ok = true;
      (writer as avro.types.UnwrappedUnionType).types.forEach((branch, i) => {
        if (!this.check(reader, branch, `${path}/${i}`)) ok = false;
      });
      return ok;
    }
    if (rk === 'union') {
      const branches = (reader as avro.types.UnwrappedUnionType).types;
      // Try branches silently; the union as a whole fails with one MISSING_UNION_BRANCH.
      const probe = (b: AvroType) => new Checker(this.inProgress).check(b, writer, path);
      if (branches.some(probe)) return true;
      return this.fail(mismatch('MISSING_UNION_BRANCH', path, `reader union lacking writer type: ${wk.toUpperCase()}`,
        (r, w) => `The ${r} schema is missing a type inside a union field at path '${path}' in the ${w} schema`));
    }
    if (rk !== wk) {
      if (PROMOTIONS[rk]?.includes(wk)) return true;
      return this.typeMismatch(path, rk, wk);
    }
    switch (rk) {
      case 'record': return this.records(reader as avro.types.RecordType, writer as avro.types.RecordType, path);
      case 'enum': {
        if (!this.namesMatch(reader, writer, path)) return false;
        const r = reader as avro.types.EnumType & { default?: string };
        const symbols = new Set(r.symbols);
        const missing = (writer as avro.types.EnumType).symbols.filter((s) => !symbols.has(s));
        if (missing.length === 0 || r.default !== undefined) return true;
        return this.fail(mismatch('MISSING_ENUM_SYMBOLS', `${path}/symbols`, `[${missing.join(', ')}]`,
          (rl, wl) => `The ${rl} schema is missing enum symbols '[${missing.join(', ')}]' at path '${path}/symbols' in the ${wl} schema`));
      }
      case 'fixed': {
        if (!this.namesMatch(reader, writer, path)) return false;
        const rs = (reader as avro.types.FixedType).size;
        const ws = (writer as avro.types.FixedType).size;
        if (rs === ws) return true;
        return this.fail(mismatch('FIXED_SIZE_MISMATCH', `${path}/size`, `expected: ${ws}, found: ${rs}`,
          (rl, wl) => `The size of FIXED type field at path '${path}/size' in the ${rl} schema does not match with the ${wl} schema`));
      }
      case 'array':
        return this.check((reader as avro.types.ArrayType).itemsType, (writer as avro.types.ArrayType).itemsType, `${path}/items`);
      case 'map':
        return this.check((reader as avro.types.MapType).valuesType, (writer as avro.types.MapType).valuesType, `${path}/values`);
      default:
        return true; // identical primitives
    }
  }

  private typeMismatch(path: string, rk: string, wk: string): false {
    return this.fail(mismatch('TYPE_MISMATCH', path,
      `reader type: ${rk.toUpperCase()} not compatible with writer type: ${wk.toUpperCase()}`,
      (r, w) => `The type (path '${path}') of a field in the ${r} schema does not match with the ${w} schema`));
  }

  private namesMatch(reader: AvroType, writer: AvroType, path: string): boolean {
    if (unqualified(reader.name) === unqualified(writer.name)) return true;
    if (writer.name !== undefined && reader.aliases?.includes(writer.name)) return true;
    return this.fail(mismatch('NAME_MISMATCH', `${path}/name`, `expected: ${writer.name}`,
      () => `The name of the schema has changed (path '${path}/name')`));
  }

  private records(reader: avro.types.RecordType, writer: avro.types.RecordType, path: string): boolean {
    if (!this.namesMatch(reader, writer, path)) return false;
    let ok = true;
    // By name: a record of 15,000 fields against one of 32,000 was 24 s of comparing names.
    const writerFields = new Map(writer.fields.map((w) => [w.name, w]));
    reader.fields.forEach((field, i) => {
      const source = [field.name, ...field.aliases].map((n) => writerFields.get(n)).find((w) => w !== undefined);
      const at = `${path}/fields/${i}`;
      if (source) {
        if (!this.check(field.type, source.type, `${at}/type`)) ok = false;
      } else if (field.defaultValue() === undefined) {
        ok = this.fail(mismatch('READER_FIELD_MISSING_DEFAULT_VALUE', at, field.name,
          (r, w) => `The field '${field.name}' at path '${at}' in the ${r} schema has no default value and is missing in the ${w} schema`));
      }
    });
    return ok;
  }
}

/** Exported for the CLI, which encodes and decodes values with `avroType`. */
export class AvroSchema implements ParsedSchema {
  readonly type = 'AVRO' as const;
  constructor(readonly text: string, readonly avroType: AvroType) {}

  canRead(writer: ParsedSchema): Incompatibility[] {
    const checker = new Checker();
    checker.check(this.avroType, (writer as AvroSchema).avroType, '');
    // Java reports the root as "/"; nested paths start with "/fields/…".
    return checker.found.map((i) => (i.path === '' ? { ...i, path: '/' } : i));
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return parseJsonText(text);
  } catch (err) {
    throw new SchemaParseError(`${what}: ${(err as Error).message}`);
  }
}

export const avroFormat: SchemaFormat = {
  type: 'AVRO',
  parse(text: string, dependencies: Dependency[], normalize = false): ParsedSchema {
    // Referenced named types are parsed first into a shared registry, so the schema can use them by full name. Without
    // a prototype: avsc's own `{}` takes 'toString' or 'constructor' for names already taken, and finds a type
    // 'hasOwnProperty' that no schema defined.
    const registry: Record<string, AvroType> = Object.create(null);
    try {
      for (const dep of dependencies) avroLibrary().Type.forSchema(parseJson(dep.schema, `reference ${dep.name}`) as avro.Schema, { registry });
    } catch (err) {
      if (err instanceof SchemaParseError) throw err;
      throw new SchemaParseError((err as Error).message);
    }
    const referenced = Object.keys(registry);
    const json = parseJson(text, 'Invalid JSON');
    const badAliases = aliasProblem(json);
    if (badAliases) throw new SchemaParseError(badAliases);
    let avroType: AvroType;
    try {
      avroType = avroLibrary().Type.forSchema(json as avro.Schema, { registry });
    } catch (err) {
      throw new SchemaParseError((err as Error).message);
    }
    return new AvroSchema(avroCanonical(json, normalize, referenced), avroType);
  },
  // Stored texts written before the canonical form (compact JSON) get the same identity as their canonical text.
  canonical: (text) => avroCanonical(parseJsonText(text)),
};

/** Java Avro's checks of `aliases` (SchemaParseException), which avsc does not make: an array of strings, on named types and fields. */
function aliasProblem(schema: unknown): string | null {
  if (Array.isArray(schema)) return schema.map(aliasProblem).find((p) => p !== null) ?? null;
  if (typeof schema !== 'object' || schema === null) return null;
  const o = schema as Record<string, unknown>;
  const own = (holder: Record<string, unknown>): string | null => {
    if (holder.aliases === undefined) return null;
    if (!Array.isArray(holder.aliases)) return `aliases not an array: ${JSON.stringify(holder.aliases)}`;
    const bad = holder.aliases.find((a) => typeof a !== 'string');
    return bad === undefined ? null : `alias not a string: ${JSON.stringify(bad)}`;
  };
  const fields = Array.isArray(o.fields) ? o.fields as Array<Record<string, unknown>> : [];
  return own(o)
    ?? fields.map((f) => (typeof f === 'object' && f !== null ? own(f) ?? aliasProblem(f.type) : null)).find((p) => p !== null)
    ?? [o.items, o.values, typeof o.type === 'object' ? o.type : undefined].map(aliasProblem).find((p) => p !== null) ?? null;
}

// ---- Confluent's canonical form: the text Avro's Java Schema.toString() writes for the parsed schema ----

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
/** Avro's reserved attribute names; every other attribute is a property, kept (in input order) after the reserved ones. */
const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);
/** Type names that are always written in full, even within their own namespace (Avro's Name.shouldWriteFull). */
const TYPE_NAMES = new Set([...PRIMITIVES, 'record', 'enum', 'array', 'map', 'union', 'fixed']);

interface AvroName {
  name: string;
  space: string | null;
  full: string;
}

function avroName(name: string, space: string | null): AvroName {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { name: name.slice(dot + 1), space: name.slice(0, dot) || null, full: name };
  const s = space || null;
  return { name, space: s, full: s ? `${s}.${name}` : name };
}

/** Avro's Name.getQualified: the short name within its own namespace, else the full one. */
const qualified = (n: AvroName, space: string | null) =>
  (n.space !== null && n.space === space && !TYPE_NAMES.has(n.name) ? n.name : n.full);

/**
 * Writes a schema's JSON as Avro's Java Schema.toString() does, which Confluent stores and compares as the schema's
 * identity: attributes in Avro's fixed order (so key order never matters), a primitive without properties as its bare
 * name (`{"type":"string"}` is `"string"`), names relative to the enclosing namespace, a named type written once and
 * then referred to by name. With `normalize`, properties and aliases are sorted as Confluent's normalize=true does
 * (logicalType and a decimal's precision and scale stay first).
 */
class CanonicalWriter {
  /** Full names defined so far, and the names of referenced schemas; a name string resolves against them. */
  private readonly known: Set<string>;
  constructor(private readonly normalize: boolean, known: Iterable<string> = []) {
    this.known = new Set(known);
  }

  schema(s: JsonValue, space: string | null): string {
    if (typeof s === 'string') return PRIMITIVES.has(s) ? JSON.stringify(s) : JSON.stringify(qualified(this.resolve(s, space), space));
    if (Array.isArray(s)) return `[${s.map((b) => this.schema(b, space)).join(',')}]`;
    if (s === null || typeof s !== 'object') return JSON.stringify(s);
    const type = s.type;
    if (typeof type !== 'string') return this.schema(type ?? null, space);
    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return this.named(s, type, space);
      case 'array':
        return this.object([['type', '"array"'], ['items', this.schema(s.items ?? null, space)]], this.props(s, SCHEMA_RESERVED));
      case 'map':
        return this.object([['type', '"map"'], ['values', this.schema(s.values ?? null, space)]], this.props(s, SCHEMA_RESERVED));
      default: {
        if (!PRIMITIVES.has(type)) return this.schema(type, space); // {"type":"SomeName"}: a reference
        const props = this.props(s, SCHEMA_RESERVED);
        return props.length === 0 ? JSON.stringify(type) : this.object([['type', JSON.stringify(type)]], props);
      }
    }
  }

  private named(s: JsonObject, type: string, space: string | null): string {
    const n = avroName(String(s.name), typeof s.namespace === 'string' ? s.namespace : space);
    if (this.known.has(n.full)) return JSON.stringify(qualified(n, space));
    this.known.add(n.full);
    const out: [string, string][] = [['type', JSON.stringify(type)], ['name', JSON.stringify(n.name)]];
    if (n.space !== null && n.space !== space) out.push(['namespace', JSON.stringify(n.space)]);
    else if (n.space === null && space !== null) out.push(['namespace', '""']);
    if (typeof s.doc === 'string') out.push(['doc', JSON.stringify(s.doc)]);
    if (type === 'enum') {
      out.push(['symbols', JSON.stringify(s.symbols ?? [])]);
      if (typeof s.default === 'string') out.push(['default', JSON.stringify(s.default)]);
    } else if (type === 'fixed') {
      out.push(['size', JSON.stringify(s.size ?? null)]);
    } else {
      const fields = Array.isArray(s.fields) ? s.fields : [];
      out.push(['fields', `[${fields.map((f) => this.field(f as JsonObject, n.space)).join(',')}]`]);
    }
    const props = this.props(s, type === 'enum' ? ENUM_RESERVED : SCHEMA_RESERVED);
    const aliases = Array.isArray(s.aliases) ? s.aliases.map((a) => avroName(String(a), n.space)) : [];
    if (this.normalize) aliases.sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : 0));
    const tail: [string, string][] = aliases.length ? [['aliases', JSON.stringify(aliases.map((a) => qualified(a, n.space)))]] : [];
    return this.object(out, props, tail);
  }

  private field(f: JsonObject, space: string | null): string {
    const out: [string, string][] = [['name', JSON.stringify(f.name)], ['type', this.schema(f.type ?? null, space)]];
    if (typeof f.doc === 'string') out.push(['doc', JSON.stringify(f.doc)]);
    if (f.default !== undefined) out.push(['default', JSON.stringify(f.default)]);
    if (typeof f.order === 'string' && f.order.toLowerCase() !== 'ascending') out.push(['order', JSON.stringify(f.order.toLowerCase())]);
    if (Array.isArray(f.aliases) && f.aliases.length) {
      out.push(['aliases', JSON.stringify(this.normalize ? [...f.aliases].map(String).sort() : f.aliases)]);
    }
    return this.object(out, this.props(f, FIELD_RESERVED));
  }

  /** Properties in input order, or sorted (logical-type ones first) when normalizing. */
  private props(s: JsonObject, reserved: Set<string>): [string, string][] {
    const keys = Object.keys(s).filter((k) => !reserved.has(k));
    if (this.normalize) {
      const first = ['logicalType', 'precision', 'scale'].filter((k) => keys.includes(k));
      keys.splice(0, keys.length, ...first, ...keys.filter((k) => !first.includes(k)).sort());
    }
    return keys.map((k) => [k, JSON.stringify(s[k])]);
  }

  private object(...parts: [string, string][][]): string {
    return `{${parts.flat().map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  }

  /** Avro's Names.get: a short name is looked up in the current namespace first, then in the null namespace. */
  private resolve(name: string, space: string | null): AvroName {
    const inSpace = avroName(name, space);
    if (name.includes('.') || this.known.has(inSpace.full) || !this.known.has(name)) return inSpace;
    return avroName(name, null);
  }
}

/** Confluent's canonical text of an Avro schema's JSON; `known`: full names of the referenced schemas' types. */
export function avroCanonical(json: unknown, normalize = false, known: Iterable<string> = []): string {
  return new CanonicalWriter(normalize, known).schema(json as JsonValue, null);
}
