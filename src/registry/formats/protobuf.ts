/**
 * PROTOBUF: parsed with protobufjs; every `import` must be a reference (or one of Google's well-known types), and
 * every type must resolve. Compatibility compares the messages of the two files by field number with Confluent's
 * rules (wire compatibility): fields, messages' nested types, enums and enum constants may come and go, and names
 * may change; a field may not change kind (scalar/message/map), scalar wire kind (varint, zigzag, fixed32,
 * fixed64, float, double, length-delimited), message type, or numeric repeated-ness; the package and top-level
 * messages must stay; proto2 required fields may be neither added nor removed; fields may not move into oneofs.
 */
import type protobuf from 'protobufjs';
import { SchemaParseError } from '../errors.js';
import { onFirstUse, type Dependency, type Incompatibility, type ParsedSchema, type SchemaFormat } from './format.js';
import { nameErrorClasses } from '../../error-names.js';

/** protobufjs, with the first Protobuf schema. */
export const protobufjs = onFirstUse<typeof protobuf>('protobufjs');

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
  const kind = (f: protobuf.Field) => (f instanceof protobufjs().MapField ? 'MAP' : f.resolvedType instanceof protobufjs().Type ? 'MESSAGE' : 'SCALAR');
  const wk = kind(wf);
  if (wk !== kind(rf)) return fail('FIELD_KIND_CHANGED', at);
  if (wf instanceof protobufjs().MapField && rf instanceof protobufjs().MapField && SCALAR_KIND[wf.keyType] !== SCALAR_KIND[rf.keyType]) {
    return fail('FIELD_SCALAR_KIND_CHANGED', at);
  }
  if (wk === 'MESSAGE' || (wk === 'MAP' && wf.resolvedType instanceof protobufjs().Type)) {
    const wt = wf.resolvedType as protobuf.Type | null;
    const rt = rf.resolvedType as protobuf.Type | null;
    if (!(rt instanceof protobufjs().Type) || !(wt instanceof protobufjs().Type)) return fail('FIELD_KIND_CHANGED', at);
    if (localName(wt, wPkg) !== localName(rt, rPkg)) fail('FIELD_NAMED_TYPE_CHANGED', at);
    return;
  }
  // Scalars and enums (an enum is a varint on the wire).
  const scalar = (f: protobuf.Field) => (f.resolvedType instanceof protobufjs().Enum ? 'GENERAL_NUMBER' : SCALAR_KIND[f.type]);
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
    if (o instanceof protobufjs().Type || o instanceof protobufjs().Enum) out.add(o);
    if (o instanceof protobufjs().Namespace || o instanceof protobufjs().Type) allTypes(o as protobuf.NamespaceBase, out);
  }
  return out;
}

/** protoc's checks of a field number (protobufjs takes any). */
function fieldNumberProblem(id: number): string | null {
  if (!Number.isInteger(id) || id < 1) return 'Field numbers must be positive integers.';
  if (id > 536_870_911) return 'Field numbers cannot be greater than 536870911.';
  if (id >= 19_000 && id <= 19_999) return 'Field numbers 19000 through 19999 are reserved for the protocol buffer library implementation.';
  return null;
}

/** Every reflection object under `ns`, so the main file's own ones can be told from its references'. */
function everything(ns: protobuf.NamespaceBase, out = new Set<protobuf.ReflectionObject>()): Set<protobuf.ReflectionObject> {
  for (const o of ns.nestedArray) {
    out.add(o);
    if (o instanceof protobufjs().Namespace || o instanceof protobufjs().Type || o instanceof protobufjs().Service) everything(o as protobuf.NamespaceBase, out);
  }
  return out;
}

/** Confluent's canonical (or normalized) text, or the text as sent when it uses what the printer does not reproduce. */
function printedOrAsSent(text: string, main: protobuf.IParserResult, root: protobuf.Root, beforeAll: Set<protobuf.ReflectionObject>, normalize: boolean): string {
  const ns = (main.package ? root.lookup(main.package) : root) as protobuf.Namespace | null;
  if (!ns) return text;
  try {
    // File options live on the package's namespace, which a reference with the same package shares.
    if (beforeAll.has(ns) && Object.keys(ns.options ?? {}).length) throw new NotNormalizable('shared package options');
    return printedText(text, main, ns.nestedArray.filter((o) => !beforeAll.has(o)), ns.options, normalize);
  } catch {
    // NotNormalizable, or a construct the printer trips on: the schema is valid, so it is kept as sent.
    return text;
  }
}

const WELL_KNOWN = /^google\/protobuf\/[a-z_]+\.proto$/;

/**
 * protobufjs adds a message's fields in time growing with the square of their count (it indexes them anew for each
 * one: 2,000 fields 0.2 s, 8,000 30 s, all on the event loop), and parsing and printing grow faster than linearly
 * with the number of types: a block of more than MAX_BLOCK_ENTRIES numbered entries (fields, enum values), or more
 * than MAX_TYPES messages, enums and services, is refused. Read off the text before parsing; counts what options
 * and comments add too, which only errs on the safe side.
 */
const MAX_BLOCK_ENTRIES = 2_000;
const MAX_TYPES = 5_000;

function sizeProblem(text: string, what: string): string | null {
  const entries: number[] = [0];
  let types = 0;
  for (const [token] of text.matchAll(/[{}]|=\s*-?\d|\b(?:message|enum|service)\s+\w/g)) {
    if (token === '{') entries.push(0);
    else if (token === '}') entries.pop();
    else if (token.startsWith('=')) {
      if (entries.length === 0) entries.push(0);
      if (++entries[entries.length - 1]! > MAX_BLOCK_ENTRIES) return `${what}: a block of more than ${MAX_BLOCK_ENTRIES} numbered entries (Samsa's limit)`;
    } else if (++types > MAX_TYPES) return `${what}: more than ${MAX_TYPES} messages, enums and services (Samsa's limit)`;
  }
  return null;
}

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',
  parse(text: string, dependencies: Dependency[], normalize = false): ParsedSchema {
    const root = new (protobufjs().Root)();
    const known = new Set(dependencies.map((d) => d.name));
    const loaded = new Set<string>();
    const load = (source: string, what: string): protobuf.IParserResult => {
      let result: protobuf.IParserResult;
      // protobufjs keeps names as keys of plain objects: a message or field named __proto__ would vanish or change
      // what is stored, so such a schema is refused rather than stored otherwise than sent.
      if (/\b__proto__\b/.test(source)) throw new SchemaParseError(`${what}: the name __proto__ is not supported`);
      const tooBig = sizeProblem(source, what);
      if (tooBig) throw new SchemaParseError(tooBig);
      try {
        result = protobufjs().parse(source, root, { keepCase: true });
      } catch (err) {
        throw new SchemaParseError(`${what}: ${(err as Error).message}`);
      }
      for (const imp of [...(result.imports ?? []), ...(result.weakImports ?? [])]) {
        if (known.has(imp) || loaded.has(imp)) continue;
        const common = WELL_KNOWN.test(imp) ? protobufjs().common.get(imp) : null;
        if (!common) throw new SchemaParseError(`${what}: import "${imp}" is not a schema reference`);
        root.addJSON(common.nested!);
        loaded.add(imp);
      }
      return result;
    };
    for (const dep of dependencies) load(dep.schema, `reference ${dep.name}`);
    const before = allTypes(root);
    const beforeAll = everything(root);
    const main = load(text, 'Invalid schema');
    try {
      root.resolveAll();
    } catch (err) {
      throw new SchemaParseError((err as Error).message);
    }
    const pkg = main.package ?? '';
    const messages = new Map<string, protobuf.Type>();
    for (const t of allTypes(root)) {
      if (before.has(t) || !(t instanceof protobufjs().Type)) continue;
      for (const f of t.fieldsArray) {
        const problem = fieldNumberProblem(f.id);
        if (problem) throw new SchemaParseError(`Invalid schema: ${t.name}.${f.name}: ${problem}`);
      }
      messages.set(localName(t, pkg), t);
    }
    return new ProtobufSchema(printedOrAsSent(text, main, root, beforeAll, normalize), { pkg, messages });
  },
  canonical: identity,
};

/**
 * A schema's identity: its canonical text (parsed alone: printing it needs no references) without comments and
 * spaces, so a schema stored as sent before the registry stored canonical texts is the same schema as its
 * canonical text.
 */
function identity(text: string): string {
  if (sizeProblem(text, '')) return canonical(text); // (refused when registered; stored before the limit: as sent)
  const root = new (protobufjs().Root)();
  let printed = text;
  try {
    printed = printedOrAsSent(text, protobufjs().parse(text, root, { keepCase: true }), root, new Set(), false);
  } catch {
    // Unparsable alone: the text is its own identity.
  }
  return canonical(printed);
}

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

// ---- Confluent's printer (ProtobufSchemaUtils.toString): its canonical text, and with `normalize` its normalized text ----

/**
 * The canonical text (what Confluent stores without normalize) drops comments and reformats, keeping the declared
 * order: fields, then oneofs, then nested messages, then nested enums; field options before `default` and
 * `json_name` (Wire keeps those apart). Normalized (`n`): imports, options, fields, oneofs, constants and reserved
 * ranges sorted, type names fully qualified.
 */
/** A construct the printer does not reproduce; the schema is then stored as sent. */
class NotNormalizable extends Error {}

const MAX_TAG = 536870911;
const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64',
  'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);
/** Built-in options whose value is a string (quoted when printed); enum-valued ones are printed bare. */
const STRING_OPTIONS = new Set(['java_package', 'java_outer_classname', 'go_package', 'objc_class_prefix', 'csharp_namespace',
  'swift_prefix', 'php_class_prefix', 'php_namespace', 'php_metadata_namespace', 'ruby_package', 'json_name']);
const ENUM_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'idempotency_level']);

/** Wire's appendIndented: every line (blank ones too) two spaces in. */
const indent = (text: string) => text.replace(/\n+$/, '').split('\n').map((l) => `  ${l}\n`).join('');

/** Confluent's escapeChars for string option values. */
const escapeChars = (s: string) => s.replace(/[\x07\b\f\n\r\t\v\\'"]/g, (c) =>
  ({ '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', "'": "\\'", '"': '\\"' })[c]!);

function optionText(name: string, value: unknown, kind: 'string' | 'bare'): string {
  if (name.startsWith('(')) throw new NotNormalizable('custom option');
  if (typeof value === 'boolean') return `${name} = ${value}`;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new NotNormalizable('non-integer number'); // DecimalFormat rounding
    return `${name} = ${value}`;
  }
  if (typeof value !== 'string') throw new NotNormalizable('aggregate option value');
  return kind === 'string' ? `${name} = "${escapeChars(value)}"` : `${name} = ${value}`;
}

/**
 * Options as `name = value` texts: sorted by name when normalizing, else as declared with a field's `default` and
 * `json_name` last; protobufjs's proto3_optional marker is not one.
 */
function optionTexts(options: Record<string, unknown> | undefined, kindOf: (name: string) => 'string' | 'bare', n: boolean): string[] {
  const special = (k: string) => (k === 'default' ? 1 : k === 'json_name' ? 2 : 0);
  const entries = Object.entries(options ?? {}).filter(([k]) => k !== 'proto3_optional');
  if (n) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  else entries.sort(([a], [b]) => special(a) - special(b));
  return entries
    .map(([k, v]) => {
      if (typeof v === 'string' && !STRING_OPTIONS.has(k) && !ENUM_OPTIONS.has(k) && kindOf(k) === 'bare' && k !== 'default') {
        throw new NotNormalizable(`option ${k}: string or enum?`);
      }
      return optionText(k, v, kindOf(k));
    });
}

const builtinKind = (name: string): 'string' | 'bare' => (STRING_OPTIONS.has(name) ? 'string' : 'bare');

/** Wire's appendOptions: one option inline, several one per line. */
const bracketed = (texts: string[]) => (texts.length === 1 ? ` [${texts[0]}]` : ` [\n${texts.map((t, i) => indent(t + (i < texts.length - 1 ? ',' : ''))).join('')}]`);

function fieldType(f: protobuf.Field, n: boolean): string {
  const resolved = (type: string, t: protobuf.ReflectionObject | null) => (SCALARS.has(type) || !n ? type : t ? t.fullName : type);
  if (f instanceof protobufjs().MapField) return `map<${f.keyType}, ${resolved(f.type, f.resolvedType)}>`;
  return resolved(f.type, f.resolvedType);
}

function fieldText(f: protobuf.Field, proto3: boolean, inOneof: boolean, n: boolean): string {
  if ((f as { group?: boolean }).group || f.extend) throw new NotNormalizable('group or extension field');
  let label = '';
  if (!inOneof && !(f instanceof protobufjs().MapField)) {
    if (f.repeated) label = 'repeated ';
    else if (f.required) label = 'required ';
    else if (!proto3 || f.options?.proto3_optional) label = 'optional ';
  }
  if (f.type === 'bytes' && f.options?.default !== undefined) throw new NotNormalizable('bytes default');
  // A default is printed as its field's kind: quoted for a string, bare for an enum constant, a number or a bool.
  const options = optionTexts(f.options, (k) => (k === 'default' && f.type === 'string' ? 'string' : builtinKind(k)), n);
  return `${label}${fieldType(f, n)} ${f.name} = ${f.id}${options.length ? bracketed(options) : ''};\n`;
}

function reservedText(reserved: Array<number[] | string> | undefined, n: boolean): string {
  // protobufjs keeps each value, not the statements: `reserved 1, 3;` and two statements read the same.
  if (!n && (reserved?.length ?? 0) > 1) throw new NotNormalizable('reserved statements');
  const items = [...(reserved ?? [])].sort((a, b) => {
    const ka = typeof a === 'string' ? MAX_TAG + 1 : a[0]!;
    const kb = typeof b === 'string' ? MAX_TAG + 1 : b[0]!;
    return ka - kb || (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  });
  return items.map((r) => {
    if (typeof r === 'string') return indent(`reserved "${r}";`);
    const [start, end] = r as [number, number];
    return indent(`reserved ${start === end ? start : `${start} to ${end >= MAX_TAG ? 'max' : end}`};`);
  }).join('');
}

function enumText(e: protobuf.Enum, n: boolean): string {
  const reserved = reservedText(e.reserved as Array<number[] | string> | undefined, n);
  const options = optionTexts(e.options, builtinKind, n);
  const entries = Object.entries(e.values);
  if (n) entries.sort(([an, a], [bn, b]) => a - b || (an < bn ? -1 : an > bn ? 1 : 0));
  const constants = entries.map(([name, tag]) => {
    const o = optionTexts(e.valuesOptions?.[name], builtinKind, n);
    return indent(`${name} = ${tag}${o.length ? ` ${bracketed(o).trimStart()}` : ''};`);
  });
  let out = `enum ${e.name} {`;
  if (reserved) out += `\n${reserved}`;
  else if (options.length || constants.length) out += '\n';
  return `${out}${options.map((o) => indent(`option ${o};`)).join('')}${constants.join('')}}\n`;
}

function messageText(t: protobuf.Type, proto3: boolean, n: boolean): string {
  if (t.extensions?.length) throw new NotNormalizable('extensions');
  const sections: string[] = [];
  const reserved = reservedText(t.reserved as Array<number[] | string> | undefined, n);
  if (reserved) sections.push(reserved);
  const options = optionTexts(t.options, builtinKind, n);
  if (options.length) sections.push(options.map((o) => indent(`option ${o};`)).join(''));
  // protobufjs makes a one-field oneof "_x" for a proto3 `optional x`: not a oneof in the file.
  const synthetic = (o: protobuf.OneOf) => o.fieldsArray.length === 1 && o.fieldsArray[0]!.options?.proto3_optional === true;
  const byId = (a: protobuf.Field, b: protobuf.Field) => (n ? a.id - b.id : 0);
  const plain = t.fieldsArray.filter((f) => !f.partOf || synthetic(f.partOf)).sort(byId);
  if (plain.length) sections.push(plain.map((f) => indent(fieldText(f, proto3, false, n))).join(''));
  const oneofs = t.oneofsArray.filter((o) => !synthetic(o) && (!n || o.fieldsArray.length > 0))
    .map((o) => ({ o, fields: [...o.fieldsArray].sort(byId) }));
  if (n) oneofs.sort((a, b) => a.fields[0]!.id - b.fields[0]!.id);
  if (oneofs.length) {
    sections.push(oneofs.map(({ o, fields }) => {
      if (Object.keys(o.options ?? {}).length) throw new NotNormalizable('oneof options');
      const body = fields.length ? `\n${fields.map((f) => indent(fieldText(f, proto3, true, n))).join('')}` : '';
      return indent(`oneof ${o.name} {${body}}`);
    }).join(''));
  }
  const nested = t.nestedArray;
  if (nested.some((n) => !(n instanceof protobufjs().Type) && !(n instanceof protobufjs().Enum))) throw new NotNormalizable('nested extension or service');
  const types = [...nested.filter((n) => n instanceof protobufjs().Type), ...nested.filter((n) => n instanceof protobufjs().Enum)];
  if (types.length) sections.push(types.map((o) => indent(o instanceof protobufjs().Type ? messageText(o, proto3, n) : enumText(o as protobuf.Enum, n))).join(''));
  return `message ${t.name} {${sections.map((s) => `\n${s}`).join('')}}\n`;
}

function serviceText(s: protobuf.Service, n: boolean): string {
  const options = optionTexts(s.options, builtinKind, n);
  let out = `service ${s.name} {`;
  if (options.length) out += `\n${options.map((o) => indent(`option ${o};`)).join('')}`;
  if (s.methodsArray.length) {
    out += `\n${s.methodsArray.map((m) => {
      if (n) m.resolve();
      const req = `${m.requestStream ? 'stream ' : ''}${(n && m.resolvedRequestType?.fullName) || m.requestType}`;
      const res = `${m.responseStream ? 'stream ' : ''}${(n && m.resolvedResponseType?.fullName) || m.responseType}`;
      const mo = optionTexts(m.options, builtinKind, n);
      return indent(`rpc ${m.name} (${req}) returns (${res})${mo.length ? ` {\n${mo.map((o) => indent(`option ${o};`)).join('')}}` : ''};`);
    }).join('')}`;
  }
  return `${out}}\n`;
}

/**
 * The main file as Confluent prints it: the syntax line (proto3's only when normalizing), package, imports, options,
 * messages then enums in file order, services. Throws NotNormalizable for what it does not reproduce (custom
 * options, groups, extensions, aggregate or fractional option values, several reserved values).
 */
function printedText(text: string, main: protobuf.IParserResult, own: protobuf.ReflectionObject[], fileOptions: Record<string, unknown> | undefined, n: boolean): string {
  const stripped = canonical(text);
  const syntax = /^syntax=(["'])(proto[23])\1;/.exec(stripped)?.[2];
  if (/^edition\b/.test(stripped)) throw new NotNormalizable('edition');
  const proto3 = syntax === 'proto3';
  if ((main.weakImports ?? []).length || /(^|[;{}])import public\b/.test(stripped)) throw new NotNormalizable('weak or public import');
  let out = syntax && (proto3 || !n) ? `syntax = "${syntax}";\n` : '';
  if (main.package) out += `package ${main.package};\n`;
  const imports = n ? [...new Set(main.imports ?? [])].sort() : main.imports ?? [];
  if (imports.length) out += `\n${imports.map((i) => `import "${i}";\n`).join('')}`;
  const options = optionTexts(fileOptions, builtinKind, n);
  if (options.length) out += `\n${options.map((o) => `option ${o};\n`).join('')}`;
  const types = [...own.filter((o) => o instanceof protobufjs().Type), ...own.filter((o) => o instanceof protobufjs().Enum)];
  if (types.length) out += `\n${types.map((t) => (t instanceof protobufjs().Type ? messageText(t, proto3, n) : enumText(t as protobuf.Enum, n))).join('')}`;
  const services = own.filter((o) => o instanceof protobufjs().Service) as protobuf.Service[];
  if (own.some((o) => o instanceof protobufjs().Field)) throw new NotNormalizable('extend');
  if (services.length) out += `\n${services.map((x) => serviceText(x, n)).join('')}`;
  return out;
}

nameErrorClasses({ NotNormalizable });
