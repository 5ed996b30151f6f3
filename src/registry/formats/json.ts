/**
 * JSON Schema: validated by compiling with ajv (drafts 7, 2019-09 and 2020-12; draft-04/06 schemas are compiled
 * as draft 7, close enough to validate them). References are other schemas, found by reference name or `$id`.
 *
 * Compatibility asks whether the reader accepts every document the writer accepts, with the rules of Confluent's
 * default (strict) policy: constraints may be relaxed, not tightened; types may widen (integer → number); enums
 * and oneOf/anyOf may grow; a property may be added only where the writer's content model is closed (or covers it),
 * and removed only where the reader's is open (or covers it); a newly required property needs a default.
 */
import type { Ajv, AnySchema, ValidateFunction } from 'ajv';
import { SchemaParseError } from '../errors.js';
import { useLinearRegexps } from '../../regexps.js';
import { parseJsonText } from '../../json-text.js';
import { clientInput } from '../../protocol/client-input.js';
import { onFirstUse, type Dependency, type Incompatibility, type ParsedSchema, type SchemaFormat } from './format.js';

/** ajv, each draft's class with the first JSON schema of that draft. */
const ajv = onFirstUse<typeof import('ajv')>('ajv');
const ajv2019 = onFirstUse<typeof import('ajv/dist/2019.js')>('ajv/dist/2019.js');
const ajv2020 = onFirstUse<typeof import('ajv/dist/2020.js')>('ajv/dist/2020.js');
/** Babel's rewriter of `u` patterns, with the first pattern that needs it. */
const regexpu = onFirstUse<typeof import('regexpu-core').default>('regexpu-core');
const regjsparser = onFirstUse<typeof import('regjsparser')>('regjsparser');

type Json = boolean | { [key: string]: unknown };

interface Doc {
  root: Json;
  /** Other documents by reference name and `$id`. */
  others: Map<string, Json>;
}

function parseJson(text: string, what: string): Json {
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (err) {
    throw new SchemaParseError(`${what}: ${(err as Error).message}`);
  }
  if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new SchemaParseError(`${what}: a JSON schema is an object or a boolean`);
  }
  return value as Json;
}

/**
 * ajv's compiler of `pattern` and `patternProperties`. ajv adds the `u` flag, which V8's linear engine does not take
 * (src/regexps.ts), so every pattern runs without it: one of ASCII without \p, \P or \u{ escapes means the same
 * as it is; any other is rewritten to its equivalent without `u` by regexpu-core (Babel's: \p{L} becomes the letters'
 * ranges, an astral character its surrogate pair). Then a pattern that backtracks too much moves to the linear engine,
 * so a schema's `^(a+)+$`, or `^(é+)+$`, cannot hold the event loop. A pattern regexpu-core cannot read is refused.
 */
const patternRegExp = Object.assign((pattern: string, flags: string): RegExp => {
  const linear = useLinearRegexps();
  const plain = /^[\x00-\x7f]*$/.test(pattern) && !/\\[pP]|\\u\{/.test(pattern);
  let source = pattern;
  if (!plain && flags.includes('u')) {
    try {
      source = regexpu()(pattern, flags, { unicodeFlag: 'transform', unicodePropertyEscapes: 'transform' });
    } catch (err) {
      throw new SyntaxError(`Invalid regular expression /${pattern}/: ${(err as Error).message}`);
    }
  }
  const regExp = new RegExp(source, flags.replace('u', ''));
  if (linear && !runsLinear(regExp) && repeatsAmbiguously(source)) {
    throw new SyntaxError(`Invalid regular expression /${pattern}/: a repetition of a repeated or alternative part next to a lookaround or backreference backtracks exponentially, and Samsa runs such patterns only in linear time`);
  }
  return regExp;
}, { code: 'new RegExp' });

/** Whether V8's linear engine takes the pattern (it takes no lookaround and no backreference). */
function runsLinear(regExp: RegExp): boolean {
  try {
    return new RegExp(regExp.source, `${regExp.flags}l`).flags.includes('l');
  } catch {
    return false;
  }
}

/**
 * Whether a repetition (+, *, {n,}, {n,m} with m > 1) holds a repetition or an alternative, as in ^(a+)+$ or
 * (a|aa)*: the shapes that backtrack exponentially. A pattern the linear engine cannot take (a lookaround or a
 * backreference: ^(?=(a+)+$) over 30 a's and a '!' held the event loop 7.6 s, each a more doubling it) is refused
 * when it has one; without, its backtracking stays polynomial.
 */
function repeatsAmbiguously(source: string): boolean {
  type Node = { type: string; body?: Node | Node[]; max?: number; min?: number };
  const repeats = (n: Node) => n.type === 'quantifier' && (n.max === undefined || n.max > 1);
  const children = (n: Node): Node[] => (Array.isArray(n.body) ? n.body : n.body ? [n.body] : []);
  const holdsAmbiguity = (n: Node): boolean => repeats(n) || n.type === 'disjunction' || children(n).some(holdsAmbiguity);
  const walk = (n: Node): boolean => (repeats(n) && children(n).some(holdsAmbiguity)) || children(n).some(walk);
  try {
    return walk(regjsparser().parse(source, '', { lookbehind: true, namedGroups: true }) as unknown as Node);
  } catch {
    return true; // a pattern V8 compiles but the parser does not read: not risked
  }
}

type Draft = '2020-12' | '2019-09' | '07';

/** A schema's draft, by its `$schema` (draft 7 when it names none, or one ajv does not have). */
function draftOf(schema: unknown): Draft {
  const dialect = typeof schema === 'object' && schema !== null && typeof (schema as { $schema?: unknown }).$schema === 'string' ? (schema as { $schema: string }).$schema : '';
  return dialect.includes('2020-12') ? '2020-12' : dialect.includes('2019-09') ? '2019-09' : '07';
}

/** An ajv for a schema's draft (its `$schema`), with our pattern compiler. */
export function ajvFor(root: Json): Ajv {
  // Big enums and required lists as loops: 15,000 values compiled to one expression took 1.6 s.
  // The meta-schema check is metaChecked's.
  const options = { strict: false, validateFormats: false, validateSchema: false, logger: false as const, loopEnum: 200, loopRequired: 200, code: { regExp: patternRegExp } };
  const draft = draftOf(root);
  if (draft === '2020-12') return new (ajv2020().Ajv2020)(options);
  if (draft === '2019-09') return new (ajv2019().Ajv2019)(options);
  return new (ajv().Ajv)(options);
}

/**
 * One ajv per draft that only checks schemas against the draft's meta-schema, kept: compiling a meta-schema took
 * ~11 ms, which every parse (each a fresh ajv, as references differ) paid — most of a REST produce's CPU.
 */
const metaCheckers = new Map<Draft, Ajv>();
function metaCheckerFor(schema: unknown): Ajv {
  const draft = draftOf(schema);
  let checker = metaCheckers.get(draft);
  if (!checker) metaCheckers.set(draft, checker = ajvFor(schema as Json));
  return checker;
}

/**
 * ajv compiles a schema to JavaScript in time that grows faster than its size (anyOf of 1,000 small branches: 1.1 s,
 * of 2,000: 4.6 s, all of it on the event loop): a schema of more than MAX_SUBSCHEMAS objects, or a combinator of
 * more than MAX_BRANCHES branches, is refused. Confluent's registry (an interpreter) has no such limits.
 */
const MAX_SUBSCHEMAS = 10_000;
const MAX_BRANCHES = 500;

function complexityProblem(root: Json): string | null {
  let objects = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (!Array.isArray(node) && ++objects > MAX_SUBSCHEMAS) return `Invalid schema: more than ${MAX_SUBSCHEMAS} schema objects (Samsa's limit)`;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value) && value.length > MAX_BRANCHES) {
        return `Invalid schema: ${key} of ${value.length} branches, more than ${MAX_BRANCHES} (Samsa's limit)`;
      }
      stack.push(value);
    }
  }
  return null;
}

/** ajv knows no draft-04/06 meta-schema: compile those without `$schema`. */
export function forAjv(schema: Json): AnySchema {
  if (typeof schema === 'object' && typeof schema.$schema === 'string' && /draft-0[46]/.test(schema.$schema)) {
    const { $schema: _dropped, ...rest } = schema;
    return rest;
  }
  return schema;
}

// ---- compatibility ----

const isObject = (s: Json): s is Record<string, unknown> => typeof s === 'object';
/** A schema object's own member: a property named 'constructor' or 'toString' is not Object.prototype's. */
const own = <T>(o: Record<string, T>, key: string): T | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);
const isEmptySchema = (s: Json) => s === true || (isObject(s) && Object.keys(s).every((k) => ANNOTATIONS.has(k)));
const ANNOTATIONS = new Set(['$schema', '$id', 'id', 'title', 'description', 'default', 'examples', '$comment', 'definitions', '$defs']);
const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const describeType: Record<string, (p: string) => (r: string, w: string) => string> = {
  added: (p) => (r, w) => `The keyword at path '${p}' in the ${r} schema is not present in the ${w} schema`,
  more: (p) => (r, w) => `The value at path '${p}' in the ${r} schema is more than its value in the ${w} schema`,
  less: (p) => (r, w) => `The value at path '${p}' in the ${r} schema is less than its value in the ${w} schema`,
  changed: (p) => (r, w) => `The value at path '${p}' is different between the ${r} and ${w} schema`,
  narrowed: (p) => (r, w) => `An array or combined type at path '${p}' has fewer elements in the ${r} schema than the ${w} schema`,
  type: (p) => (r, w) => `A type at path '${p}' is different between the ${r} schema and the ${w} schema`,
  openAdded: (p) => (r, w) => `The ${r} schema has an open content model and has a property or item at path '${p}' which is missing in the ${w} schema`,
  closedRemoved: (p) => (r, w) => `The ${r} has a closed content model and is missing a property or item present at path '${p}' in the ${w} schema`,
  partialRemoved: (p) => (r, w) => `A property or item is missing in the ${r} schema but present at path '${p}' in the ${w} schema and is not covered by its partially open content model`,
  partialAdded: (p) => (r, w) => `The ${r} schema has a property or item at path '${p}' which is missing in the ${w} schema and is not covered by its partially open content model`,
  required: (p) => (r, w) => `The ${r} schema has a required property at path '${p}' which is missing or optional in the ${w} schema`,
};

const BOUNDS: Array<[keyword: string, upper: boolean, name: string]> = [
  ['maximum', true, 'MAXIMUM'], ['exclusiveMaximum', true, 'EXCLUSIVE_MAXIMUM'],
  ['minimum', false, 'MINIMUM'], ['exclusiveMinimum', false, 'EXCLUSIVE_MINIMUM'],
  ['maxLength', true, 'MAX_LENGTH'], ['minLength', false, 'MIN_LENGTH'],
  ['maxItems', true, 'MAX_ITEMS'], ['minItems', false, 'MIN_ITEMS'],
  ['maxProperties', true, 'MAX_PROPERTIES'], ['minProperties', false, 'MIN_PROPERTIES'],
  ['maxContains', true, 'MAX_CONTAINS'], ['minContains', false, 'MIN_CONTAINS'],
];

interface Node {
  schema: Json;
  doc: Doc;
}

/** Shared by a comparer and the trial comparers it spawns, so recursive schemas terminate across both. */
interface Visits {
  inProgress: Set<string>;
  ids: WeakMap<object, number>;
  /**
   * Trial verdicts by pair: alternatives that share definitions meet the same pairs again and again (20 levels of
   * `oneOf` over `$ref`s were 4^20 trials, 29 s, before).
   */
  verdicts: Map<string, boolean>;
  /** Pairs compared so far, against MAX_COMPARISONS. */
  comparisons: number;
}

/** Beyond this many pair comparisons a check gives up (the schemas are refused as too complex to compare). */
const MAX_COMPARISONS = 200_000;

let nextId = 1;

class Comparer {
  readonly found: Incompatibility[] = [];
  constructor(private readonly visits: Visits = { inProgress: new Set(), ids: new WeakMap(), verdicts: new Map(), comparisons: 0 }) {}

  private fail(type: string, path: string, kind: keyof typeof describeType): void {
    this.found.push({ type, path, describe: describeType[kind]!(path) });
  }

  /** Follows $ref to a local pointer, another document (by name or $id), or a pointer inside one. */
  private deref(node: Node, depth = 0): Node {
    const s = node.schema;
    if (!isObject(s) || typeof s.$ref !== 'string' || depth > 32) return node;
    const [target, pointer = ''] = s.$ref.split('#', 2) as [string, string?];
    let doc = node.doc;
    let root = doc.root;
    if (target !== '') {
      const other = doc.others.get(target) ?? [...doc.others.entries()].find(([k]) => k.endsWith(`/${target}`))?.[1];
      if (other === undefined) return { schema: true, doc };
      root = other;
      doc = { root: other, others: doc.others };
    }
    let at: unknown = root;
    for (const part of pointer.split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      at = typeof at === 'object' && at !== null ? own(at as Record<string, unknown>, key) : undefined;
    }
    if (at === undefined) return { schema: true, doc };
    return this.deref({ schema: at as Json, doc }, depth + 1);
  }

  private idOf(o: unknown): number {
    if (typeof o !== 'object' || o === null) return -1;
    let id = this.visits.ids.get(o);
    if (id === undefined) this.visits.ids.set(o, id = nextId++);
    return id;
  }

  /** Records why `reader` does not accept every document `writer` accepts. */
  check(readerNode: Node, writerNode: Node, path: string): void {
    const reader = this.deref(readerNode);
    const writer = this.deref(writerNode);
    const key = `${this.idOf(reader.schema)}|${this.idOf(writer.schema)}`;
    // Recursive schemas: a pair met again while under comparison is assumed to hold. Merged parts are new objects
    // each time, so a depth bound backs this up.
    if (this.visits.inProgress.has(key) || this.visits.inProgress.size > 256) return;
    if (++this.visits.comparisons > MAX_COMPARISONS) throw new SchemaParseError(`the schemas are too complex to compare (over ${MAX_COMPARISONS} comparisons)`);
    this.visits.inProgress.add(key);
    try {
      this.compare(reader, writer, path);
    } finally {
      this.visits.inProgress.delete(key);
    }
  }

  private accepts(readerNode: Node, writerNode: Node, path: string): boolean {
    const key = `${this.idOf(this.deref(readerNode).schema)}|${this.idOf(this.deref(writerNode).schema)}`;
    const known = this.visits.verdicts.get(key);
    if (known !== undefined) return known;
    const sub = new Comparer(this.visits);
    sub.check(readerNode, writerNode, path);
    const verdict = sub.found.length === 0;
    // Kept even when reached with a pair under comparison assumed to hold (recursive schemas), as check() assumes.
    this.visits.verdicts.set(key, verdict);
    return verdict;
  }

  private compare(reader: Node, writer: Node, path: string): void {
    const r = reader.schema;
    const w = writer.schema;
    if (w === false || isEmptySchema(r)) return;
    if (r === false) return this.fail('TYPE_NARROWED', path, 'type');
    const ro = r as Record<string, unknown>;
    const wo = (w === true ? {} : w) as Record<string, unknown>;
    const sub = (s: unknown, doc: Doc): Node => ({ schema: s as Json, doc });

    // Combined types: each writer alternative must be accepted; the reader needs one alternative that accepts.
    const wSum = (wo.oneOf ?? wo.anyOf) as Json[] | undefined;
    const rSum = (ro.oneOf ?? ro.anyOf) as Json[] | undefined;
    if (wSum && rSum) {
      const missing = wSum.filter((b) => !rSum.some((rb) => this.accepts(sub(rb, reader.doc), sub(b, writer.doc), path)));
      if (missing.length > 0) this.fail(rSum.length < wSum.length ? 'SUM_TYPE_NARROWED' : 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', path, 'narrowed');
      return this.compare({ schema: without(ro, 'oneOf', 'anyOf'), doc: reader.doc }, { schema: without(wo, 'oneOf', 'anyOf'), doc: writer.doc }, path);
    }
    if (wSum) {
      const rest = without(wo, 'oneOf', 'anyOf');
      const plain = Object.keys(rest).length === 0;
      for (const b of wSum) this.check(reader, sub(isObject(b) && !plain ? { ...rest, ...b } : b, writer.doc), path);
      return;
    }
    if (rSum) {
      if (!rSum.some((rb) => this.accepts(sub(rb, reader.doc), writer, path))) this.fail('COMBINED_TYPE_CHANGED', path, 'type');
      return this.compare({ schema: without(ro, 'oneOf', 'anyOf'), doc: reader.doc }, writer, path);
    }
    if (Array.isArray(ro.allOf)) {
      for (const b of ro.allOf) this.check(sub(b, reader.doc), writer, path);
      return this.compare({ schema: without(ro, 'allOf'), doc: reader.doc }, writer, path);
    }
    if (Array.isArray(wo.allOf)) {
      // The writer's documents satisfy every part: reading with the parts merged is a fair approximation.
      const merged = (wo.allOf as Json[]).reduce<Record<string, unknown>>((acc, b) => mergeSchemas(acc, this.deref(sub(b, writer.doc)).schema), without(wo, 'allOf'));
      return this.compare(reader, { schema: merged, doc: writer.doc }, path);
    }
    if (ro.not !== undefined && !equal(ro.not, wo.not)) this.fail('NOT_TYPE_EXTENDED', `${path}/not`, 'type');

    // Types: the reader's must include the writer's (an absent type is every type; integer is a number).
    const rTypes = typesOf(ro);
    const wTypes = typesOf(wo);
    if (rTypes) {
      const lost = (wTypes ?? ['null', 'boolean', 'object', 'array', 'number', 'string']).filter(
        (t) => !rTypes.includes(t) && !(t === 'integer' && rTypes.includes('number')));
      if (lost.length > 0) return this.fail(wTypes ? (rTypes.length < wTypes.length ? 'TYPE_NARROWED' : 'TYPE_CHANGED') : 'TYPE_NARROWED', path, 'type');
    }

    // Enumerations: the reader's must hold every writer value.
    const rEnum = ro.const !== undefined ? [ro.const] : (ro.enum as unknown[] | undefined);
    const wEnum = wo.const !== undefined ? [wo.const] : (wo.enum as unknown[] | undefined);
    const rValues = rEnum && new Set(rEnum.map((x) => JSON.stringify(x)));
    if (rValues && (!wEnum || wEnum.some((v) => !rValues.has(JSON.stringify(v))))) {
      this.fail(wEnum && rEnum.length < wEnum.length ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED', `${path}/enum`, wEnum ? 'narrowed' : 'type');
    }

    // Bounds may be relaxed or removed, never added or tightened.
    for (const [keyword, upper, name] of BOUNDS) {
      const rv = ro[keyword];
      const wv = wo[keyword];
      if (typeof rv !== 'number') continue;
      const at = `${path}/${keyword}`;
      if (typeof wv !== 'number') this.fail(`${name}_ADDED`, at, 'added');
      else if (upper && rv < wv) this.fail(`${name}_DECREASED`, at, 'less');
      else if (!upper && rv > wv) this.fail(`${name}_INCREASED`, at, 'more');
    }
    if (typeof ro.multipleOf === 'number') {
      const wm = wo.multipleOf;
      if (typeof wm !== 'number') this.fail('MULTIPLE_OF_ADDED', `${path}/multipleOf`, 'added');
      else if (!Number.isInteger(wm / ro.multipleOf)) this.fail('MULTIPLE_OF_CHANGED', `${path}/multipleOf`, 'changed');
    }
    if (typeof ro.pattern === 'string' && ro.pattern !== wo.pattern) {
      this.fail(wo.pattern === undefined ? 'PATTERN_ADDED' : 'PATTERN_CHANGED', `${path}/pattern`, wo.pattern === undefined ? 'added' : 'changed');
    }
    if (ro.uniqueItems === true && wo.uniqueItems !== true) this.fail('UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`, 'added');

    this.compareArrays(reader, writer, ro, wo, path);
    this.compareObjects(reader, writer, ro, wo, path);
  }

  private compareArrays(reader: Node, writer: Node, ro: Record<string, unknown>, wo: Record<string, unknown>, path: string): void {
    const node = (s: unknown, doc: Doc): Node => ({ schema: (s ?? true) as Json, doc });
    // Tuples: `prefixItems` (2020-12) or an array under `items`; the rest follows `items`/`additionalItems`.
    const tuple = (o: Record<string, unknown>) => (Array.isArray(o.prefixItems) ? o.prefixItems : Array.isArray(o.items) ? o.items : undefined) as Json[] | undefined;
    const rest = (o: Record<string, unknown>) => (Array.isArray(o.prefixItems) ? o.items : Array.isArray(o.items) ? o.additionalItems : o.items);
    const rt = tuple(ro) ?? [];
    const wt = tuple(wo) ?? [];
    for (let i = 0; i < Math.max(rt.length, wt.length); i++) {
      const r = i < rt.length ? rt[i] : rest(ro);
      const w = i < wt.length ? wt[i] : rest(wo);
      this.check(node(r, reader.doc), node(w, writer.doc), `${path}/items/${i}`);
    }
    if (rest(ro) !== undefined || rest(wo) !== undefined) {
      this.check(node(rest(ro), reader.doc), node(rest(wo), writer.doc), `${path}/${Array.isArray(ro.items) ? 'additionalItems' : 'items'}`);
    }
  }

  private compareObjects(reader: Node, writer: Node, ro: Record<string, unknown>, wo: Record<string, unknown>, path: string): void {
    const rProps = (ro.properties ?? {}) as Record<string, Json>;
    const wProps = (wo.properties ?? {}) as Record<string, Json>;
    const rAdd = (ro.additionalProperties ?? true) as Json;
    const wAdd = (wo.additionalProperties ?? true) as Json;
    const node = (s: Json, doc: Doc): Node => ({ schema: s, doc });
    for (const name of new Set([...Object.keys(rProps), ...Object.keys(wProps)])) {
      const at = `${path}/properties/${name}`;
      const rp = own(rProps, name);
      const wp = own(wProps, name);
      if (rp !== undefined && wp !== undefined) {
        this.check(node(rp, reader.doc), node(wp, writer.doc), at);
      } else if (wp !== undefined) {
        // Removed: the reader's content model must still take what the writer put there.
        if (wp === false || isEmptySchema(rAdd)) continue;
        if (rAdd === false) this.fail('PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', at, 'closedRemoved');
        else if (!this.accepts(node(rAdd, reader.doc), node(wp, writer.doc), at)) {
          this.fail('PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, 'partialRemoved');
        }
      } else if (rp !== undefined) {
        // Added: whatever the writer allowed under this name must be accepted.
        if (wAdd === false || isEmptySchema(rp)) continue;
        if (isEmptySchema(wAdd)) this.fail('PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', at, 'openAdded');
        else if (!this.accepts(node(rp, reader.doc), node(wAdd, writer.doc), at)) {
          this.fail('PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, 'partialAdded');
        }
      }
    }
    if (!isEmptySchema(rAdd) && wAdd !== false) {
      if (rAdd === false || isEmptySchema(wAdd)) this.fail(rAdd === false ? 'ADDITIONAL_PROPERTIES_REMOVED' : 'ADDITIONAL_PROPERTIES_NARROWED', `${path}/additionalProperties`, rAdd === false ? 'added' : 'narrowed');
      else this.check(node(rAdd, reader.doc), node(wAdd, writer.doc), `${path}/additionalProperties`);
    }
    const wRequired = new Set((wo.required ?? []) as string[]);
    for (const name of (ro.required ?? []) as string[]) {
      const rp = own(rProps, name);
      const hasDefault = rp !== undefined && isObject(rp) && 'default' in rp;
      if (!wRequired.has(name) && !hasDefault) this.fail('REQUIRED_ATTRIBUTE_ADDED', `${path}/required/${name}`, 'required');
    }
    const rDeps = (ro.dependentRequired ?? ro.dependencies ?? {}) as Record<string, unknown>;
    const wDeps = (wo.dependentRequired ?? wo.dependencies ?? {}) as Record<string, unknown>;
    for (const [name, needs] of Object.entries(rDeps)) {
      const had = own(wDeps, name);
      if (Array.isArray(needs) && !(Array.isArray(had) && needs.every((n) => had.includes(n)))) {
        this.fail(had === undefined ? 'DEPENDENCY_ARRAY_ADDED' : 'DEPENDENCY_ARRAY_EXTENDED', `${path}/dependencies/${name}`, 'added');
      }
    }
  }
}

function without(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

function typesOf(o: Record<string, unknown>): string[] | undefined {
  if (typeof o.type === 'string') return [o.type];
  if (Array.isArray(o.type)) return o.type as string[];
  return undefined;
}

/** allOf parts merged into one schema: properties and required combined, other keywords from the later part. */
function mergeSchemas(a: Record<string, unknown>, b: Json): Record<string, unknown> {
  if (!isObject(b)) return a;
  return {
    ...a,
    ...b,
    properties: { ...(a.properties as object), ...(b.properties as object) },
    required: [...new Set([...((a.required ?? []) as string[]), ...((b.required ?? []) as string[])])],
  };
}

/** Exported for the CLI, which validates values with `validate` before producing them. */
export class JsonSchema implements ParsedSchema {
  readonly type = 'JSON' as const;
  constructor(readonly text: string, readonly doc: Doc, readonly validate: ValidateFunction) {}

  canRead(writer: ParsedSchema): Incompatibility[] {
    const c = new Comparer();
    c.check({ schema: this.doc.root, doc: this.doc }, { schema: (writer as JsonSchema).doc.root, doc: (writer as JsonSchema).doc }, '#');
    return c.found;
  }
}

export const jsonFormat: SchemaFormat = {
  type: 'JSON',
  parse(text: string, dependencies: Dependency[], normalize = false): ParsedSchema {
    const root = parseJson(text, 'Invalid JSON');
    const tooComplex = complexityProblem(root);
    if (tooComplex) throw new SchemaParseError(tooComplex);
    const ajv = ajvFor(root);
    const others = new Map<string, Json>();
    let validate: ValidateFunction;
    try {
      for (const dep of dependencies) {
        const schema = parseJson(dep.schema, `reference ${dep.name}`);
        const id = isObject(schema) && typeof schema.$id === 'string' ? schema.$id : undefined;
        others.set(dep.name, schema);
        if (id) others.set(id, schema);
        if (ajv.getSchema(dep.name) || (id && ajv.getSchema(id))) continue;
        // ajv keys a schema by its $id; the reference name, when different, gets a schema pointing there.
        ajv.addSchema(metaChecked(forAjv(schema)), id ? undefined : dep.name);
        if (id && id !== dep.name) ajv.addSchema({ $ref: id }, dep.name);
      }
      validate = ajv.compile(metaChecked(forAjv(root)));
    } catch (err) {
      if (err instanceof SchemaParseError) throw err;
      throw new SchemaParseError((err as Error).message);
    }
    // Confluent's canonical text is the compact JSON; normalize=true re-reads it with every object's keys sorted.
    return new JsonSchema(JSON.stringify(normalize ? sortedKeys(root) as Json : root), { root, others }, validate);
  },
  canonical: (text) => JSON.stringify(parseJsonText(text)),
};

/** Enums longer than this have their duplicates looked for here, not by ajv's meta-schema check. */
const LONG_ENUM = 1000;

/**
 * Checks `schema` against its draft's meta-schema, as ajv does by itself, but for long enums: the meta-schema's
 * uniqueItems compares every pair of values (15,000 took 3 s), so those are checked here by value and the meta-schema
 * sees each with its first value only. Returns `schema`.
 */
function metaChecked(schema: AnySchema): AnySchema {
  const checker = metaCheckerFor(schema);
  if (checker.validateSchema(shortEnums(schema) as AnySchema) === false) throw new SchemaParseError(`schema is invalid: ${checker.errorsText(checker.errors)}`);
  return schema;
}

function shortEnums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shortEnums);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => {
    if (key !== 'enum' || !Array.isArray(v) || v.length <= LONG_ENUM) return [key, shortEnums(v)];
    const seen = new Set<string>();
    for (const item of v) {
      const text = JSON.stringify(item);
      if (seen.has(text)) throw new SchemaParseError(`schema is invalid: enum must NOT have duplicate items (${clientInput(text)} twice)`);
      seen.add(text);
    }
    return [key, v.slice(0, 1)];
  }));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortedKeys(o[k])]));
}
