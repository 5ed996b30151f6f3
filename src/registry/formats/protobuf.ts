/**
 * PROTOBUF: parsed with protobufjs; every `import` must be a reference (or one of Google's well-known types), and
 * every type must resolve. Compatibility compares the messages of the two files by field number with Confluent's
 * rules (wire compatibility): fields, messages' nested types, enums and enum constants may come and go, and names
 * may change; a field may not change kind (scalar/message/map), scalar wire kind (varint, zigzag, fixed32,
 * fixed64, float, double, length-delimited), message type, or numeric repeated-ness; the package and top-level
 * messages must stay; proto2 required fields may be neither added nor removed; fields may not move into oneofs.
 */
import protobuf from 'protobufjs';
import { SchemaParseError } from '../errors.js';
import type { Dependency, Incompatibility, ParsedSchema, SchemaFormat } from './format.js';

/** Scalars that share an encoding read each other's data (int32 ↔ int64 ↔ uint32 ↔ uint64 ↔ bool ↔ enum, …). */
const SCALAR_KIND: Record<string, string> = {
  int32: 'GENERAL_NUMBER', int64: 'GENERAL_NUMBER', uint32: 'GENERAL_NUMBER', uint64: 'GENERAL_NUMBER', bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER', sint64: 'SIGNED_NUMBER',
  fixed32: 'FIXED32', sfixed32: 'FIXED32', fixed64: 'FIXED64', sfixed64: 'FIXED64',
  float: 'FLOAT', double: 'DOUBLE', string: 'STRING_OR_BYTES', bytes: 'STRING_OR_BYTES',
};

const DESCRIBE: Record<string, (p: string) => (r: string, w: string) => string> = {
  PACKAGE_CHANGED: (p) => (r, w) => `The package at '${p}' in the ${r} schema does not match the package in the ${w} schema`,
  MESSAGE_REMOVED: (p) => (r, w) => `The ${r} schema is missing a MESSAGE type at path '${p}' in the ${w} schema`,
  FIELD_KIND_CHANGED: (p) => (r, w) => `The type of a field at path '${p}' in the ${r} schema does not match the ${w} schema`,
  FIELD_SCALAR_KIND_CHANGED: (p) => (r, w) => `The kind of a SCALAR field at path '${p}' in the ${r} schema does not match its kind in the ${w} schema`,
  FIELD_NAMED_TYPE_CHANGED: (p) => (r, w) => `The type of a MESSAGE field at path '${p}' in the ${r} schema does not match its type in the ${w} schema`,
  FIELD_NUMERIC_LABEL_CHANGED: (p) => (r, w) => `The label for a NUMERIC field at path '${p}' in the ${r} schema does not match its label in the ${w} schema`,
  REQUIRED_FIELD_ADDED: (p) => (r, w) => `A required field  at path '${p}' in the ${r} schema is missing in the ${w} schema`,
  REQUIRED_FIELD_REMOVED: (p) => (r, w) => `The ${r} schema is missing a required field at path: '${p}' in the ${w} schema`,
  ONEOF_FIELD_REMOVED: (p) => (r, w) => `The ${r} schema is missing a oneof field at path '${p}' in the ${w} schema`,
  MULTIPLE_FIELDS_MOVED_TO_ONEOF: (p) => (r, w) => `Multiple fields in the oneof at path '${p}' in the ${r} schema are outside a oneof in the ${w} schema`,
  FIELD_MOVED_TO_EXISTING_ONEOF: (p) => (r, w) => `A field in the oneof at path '${p}' in the ${r} schema is outside an existing oneof in the ${w} schema`,
};

export interface FileModel {
  pkg: string;
  /** The file's own messages (nested ones too), by name without the package. */
  messages: Map<string, protobuf.Type>;
}

function localName(t: protobuf.ReflectionObject, pkg: string): string {
  const full = t.fullName.replace(/^\./, '');
  return pkg && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
}

function realOneof(f: protobuf.Field): string | undefined {
  // proto3 `optional` makes a synthetic one-field oneof named "_<field>": not a real oneof.
  const o = f.partOf;
  return o && !(o.name === `_${f.name}` && o.fieldsArray.length === 1) ? o.name : undefined;
}

function compareFiles(writer: FileModel, reader: FileModel): Incompatibility[] {
  const found: Incompatibility[] = [];
  const fail = (type: string, path: string) => found.push({ type, path, describe: DESCRIBE[type]!(path) });
  if (writer.pkg !== reader.pkg) fail('PACKAGE_CHANGED', '#/');
  for (const [name, w] of writer.messages) {
    const r = reader.messages.get(name);
    if (!r) {
      fail('MESSAGE_REMOVED', `#/${name}`);
      continue;
    }
    const rFields = new Map(r.fieldsArray.map((f) => [f.id, f]));
    const wFields = new Map(w.fieldsArray.map((f) => [f.id, f]));
    for (const [id, wf] of wFields) {
      const rf = rFields.get(id);
      const at = `#/${name}/${id}`;
      if (!rf) {
        if (wf.required) fail('REQUIRED_FIELD_REMOVED', at);
        else if (realOneof(wf) && r.oneofs?.[realOneof(wf)!]) fail('ONEOF_FIELD_REMOVED', at);
        continue;
      }
      compareFieldTypes(wf, rf, writer.pkg, reader.pkg, at, fail);
    }
    for (const [id, rf] of rFields) {
      if (!wFields.has(id) && rf.required) fail('REQUIRED_FIELD_ADDED', `#/${name}/${id}`);
    }
    // Fields moving into a oneof: alone into a new oneof is fine; several, or into an existing one, are not.
    const moved = new Map<string, number>();
    for (const [id, rf] of rFields) {
      const oneof = realOneof(rf);
      const wf = wFields.get(id);
      if (!oneof || !wf || realOneof(wf)) continue;
      if (w.oneofs?.[oneof]) fail('FIELD_MOVED_TO_EXISTING_ONEOF', `#/${name}/${oneof}`);
      else moved.set(oneof, (moved.get(oneof) ?? 0) + 1);
    }
    for (const [oneof, count] of moved) if (count > 1) fail('MULTIPLE_FIELDS_MOVED_TO_ONEOF', `#/${name}/${oneof}`);
  }
  return found;
}

type Fail = (type: string, path: string) => void;

function compareFieldTypes(wf: protobuf.Field, rf: protobuf.Field, wPkg: string, rPkg: string, at: string, fail: Fail): void {
  const kind = (f: protobuf.Field) => (f instanceof protobuf.MapField ? 'MAP' : f.resolvedType instanceof protobuf.Type ? 'MESSAGE' : 'SCALAR');
  const wk = kind(wf);
  if (wk !== kind(rf)) return fail('FIELD_KIND_CHANGED', at);
  if (wf instanceof protobuf.MapField && rf instanceof protobuf.MapField && SCALAR_KIND[wf.keyType] !== SCALAR_KIND[rf.keyType]) {
    return fail('FIELD_SCALAR_KIND_CHANGED', at);
  }
  if (wk === 'MESSAGE' || (wk === 'MAP' && wf.resolvedType instanceof protobuf.Type)) {
    const wt = wf.resolvedType as protobuf.Type | null;
    const rt = rf.resolvedType as protobuf.Type | null;
    if (!(rt instanceof protobuf.Type) || !(wt instanceof protobuf.Type)) return fail('FIELD_KIND_CHANGED', at);
    if (localName(wt, wPkg) !== localName(rt, rPkg)) fail('FIELD_NAMED_TYPE_CHANGED', at);
    return;
  }
  // Scalars and enums (an enum is a varint on the wire).
  const scalar = (f: protobuf.Field) => (f.resolvedType instanceof protobuf.Enum ? 'GENERAL_NUMBER' : SCALAR_KIND[f.type]);
  const ws = scalar(wf);
  if (ws !== scalar(rf)) return fail('FIELD_SCALAR_KIND_CHANGED', at);
  if (wk === 'SCALAR' && wf.repeated !== rf.repeated && ws !== 'STRING_OR_BYTES') fail('FIELD_NUMERIC_LABEL_CHANGED', at);
}

/** Exported for the CLI, which encodes and decodes values with the file's message types. */
export class ProtobufSchema implements ParsedSchema {
  readonly type = 'PROTOBUF' as const;
  constructor(readonly text: string, readonly model: FileModel) {}

  canRead(writer: ParsedSchema): Incompatibility[] {
    return compareFiles((writer as ProtobufSchema).model, this.model);
  }
}

function allTypes(ns: protobuf.NamespaceBase, out = new Set<protobuf.ReflectionObject>()): Set<protobuf.ReflectionObject> {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type || o instanceof protobuf.Enum) out.add(o);
    if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) allTypes(o as protobuf.NamespaceBase, out);
  }
  return out;
}

const WELL_KNOWN = /^google\/protobuf\/[a-z_]+\.proto$/;

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',
  parse(text: string, dependencies: Dependency[]): ParsedSchema {
    const root = new protobuf.Root();
    const known = new Set(dependencies.map((d) => d.name));
    const loaded = new Set<string>();
    const load = (source: string, what: string): protobuf.IParserResult => {
      let result: protobuf.IParserResult;
      try {
        result = protobuf.parse(source, root, { keepCase: true });
      } catch (err) {
        throw new SchemaParseError(`${what}: ${(err as Error).message}`);
      }
      for (const imp of [...(result.imports ?? []), ...(result.weakImports ?? [])]) {
        if (known.has(imp) || loaded.has(imp)) continue;
        const common = WELL_KNOWN.test(imp) ? protobuf.common.get(imp) : null;
        if (!common) throw new SchemaParseError(`${what}: import "${imp}" is not a schema reference`);
        root.addJSON(common.nested!);
        loaded.add(imp);
      }
      return result;
    };
    for (const dep of dependencies) load(dep.schema, `reference ${dep.name}`);
    const before = allTypes(root);
    const main = load(text, 'Invalid schema');
    try {
      root.resolveAll();
    } catch (err) {
      throw new SchemaParseError((err as Error).message);
    }
    const pkg = main.package ?? '';
    const messages = new Map<string, protobuf.Type>();
    for (const t of allTypes(root)) {
      if (!before.has(t) && t instanceof protobuf.Type) messages.set(localName(t, pkg), t);
    }
    return new ProtobufSchema(text, { pkg, messages });
  },
  canonical,
};

/**
 * The text without comments and with whitespace only where two words would otherwise merge, so layout and
 * comments never make two schemas differ.
 */
function canonical(text: string): string {
  let out = '';
  let pendingSpace = false;
  const word = (c: string | undefined) => c !== undefined && /[\w.]/.test(c);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      pendingSpace = true;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      pendingSpace = true;
    } else if (/\s/.test(c)) {
      pendingSpace = true;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (pendingSpace && word(out[out.length - 1])) out += ' ';
      out += text.slice(i, j + 1);
      i = j;
      pendingSpace = false;
    } else {
      if (pendingSpace && word(out[out.length - 1]) && word(c)) out += ' ';
      out += c;
      pendingSpace = false;
    }
  }
  return out;
}
