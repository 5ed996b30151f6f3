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
import avro from 'avsc';
import { SchemaParseError } from '../errors.js';
import type { Dependency, Incompatibility, ParsedSchema, SchemaFormat } from './format.js';

type AvroType = avro.Type;

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
        const missing = (writer as avro.types.EnumType).symbols.filter((s) => !r.symbols.includes(s));
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
    reader.fields.forEach((field, i) => {
      const names = [field.name, ...field.aliases];
      const source = writer.fields.find((w) => names.includes(w.name));
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
    return JSON.parse(text);
  } catch (err) {
    throw new SchemaParseError(`${what}: ${(err as Error).message}`);
  }
}

export const avroFormat: SchemaFormat = {
  type: 'AVRO',
  parse(text: string, dependencies: Dependency[]): ParsedSchema {
    // Referenced named types are parsed first into a shared registry, so the schema can use them by full name.
    const registry: Record<string, AvroType> = {};
    try {
      for (const dep of dependencies) avro.Type.forSchema(parseJson(dep.schema, `reference ${dep.name}`) as avro.Schema, { registry });
    } catch (err) {
      if (err instanceof SchemaParseError) throw err;
      throw new SchemaParseError((err as Error).message);
    }
    const json = parseJson(text, 'Invalid JSON');
    let avroType: AvroType;
    try {
      avroType = avro.Type.forSchema(json as avro.Schema, { registry });
    } catch (err) {
      throw new SchemaParseError((err as Error).message);
    }
    return new AvroSchema(JSON.stringify(json), avroType);
  },
  // Compact JSON: whitespace never makes two schemas differ (Confluent compares Avro's own compact rendering).
  canonical: (text) => JSON.stringify(JSON.parse(text)),
};
