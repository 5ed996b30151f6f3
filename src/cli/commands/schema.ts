/**
 * `samsa schema list | get | register | check | delete`: Confluent's Schema Registry REST API, so it works with
 * Samsa's registry and any compatible one. A schema file's type comes from --type, else its extension (.avsc
 * AVRO, .json JSON, .proto PROTOBUF), else AVRO.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import type { SchemaType } from '../../registry/formats/index.js';
import { CliError, emit, table } from '../output.js';
import { RegistryAnswerError, type RegistrySchema } from '../schemas.js';
import { connectionOptions, formatOption, integer, Session } from '../session.js';
import { act } from './act.js';

const SUBJECT_SOFT_DELETED = 40404;
const BY_EXTENSION: Record<string, SchemaType> = { '.avsc': 'AVRO', '.json': 'JSON', '.proto': 'PROTOBUF' };

const subjectPath = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;

function readSchemaFile(file: string, type: string | undefined): { schema: string; schemaType: SchemaType } {
  let schema: string;
  try {
    schema = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { schema, schemaType: (type as SchemaType | undefined) ?? BY_EXTENSION[extname(file).toLowerCase()] ?? 'AVRO' };
}

/** JSON schemas pretty-printed; Protobuf as written. */
function pretty(s: RegistrySchema): string {
  if ((s.schemaType ?? 'AVRO') === 'PROTOBUF') return s.schema;
  try {
    return JSON.stringify(JSON.parse(s.schema), null, 2);
  } catch {
    return s.schema;
  }
}

async function list(s: Session): Promise<void> {
  const registry = s.registry();
  const subjects = (await registry.call<string[]>('GET', '/subjects')).sort();
  const rows = await Promise.all(subjects.map(async (subject) => {
    const [versions, latest] = await Promise.all([
      registry.call<number[]>('GET', `${subjectPath(subject)}/versions`),
      registry.version(subject),
    ]);
    return { subject, versions, latestVersion: latest.version, id: latest.id, type: latest.schemaType ?? 'AVRO' };
  }));
  emit(s.format, rows, (rs) => table(['SUBJECT', 'VERSIONS', 'LATEST', 'ID', 'TYPE'], rs.map((r) => [r.subject, r.versions.join(','), r.latestVersion, r.id, r.type])));
}

async function get(s: Session, subject: string, o: { version?: number }): Promise<void> {
  const found = await s.registry().version(subject, o.version ?? 'latest');
  emit(s.format, { ...found, schemaType: found.schemaType ?? 'AVRO' }, (f) => [
    table(['SUBJECT', 'VERSION', 'ID', 'TYPE'], [[f.subject, f.version, f.id, f.schemaType]]),
    ...(f.references?.length ? ['', table(['REFERENCE', 'SUBJECT', 'VERSION'], f.references.map((r) => [r.name, r.subject, r.version]))] : []),
    '',
    pretty(f),
  ].join('\n'));
}

async function register(s: Session, subject: string, file: string, o: { type?: string }): Promise<void> {
  const body = readSchemaFile(file, o.type);
  const registry = s.registry();
  const { id } = await registry.call<{ id: number }>('POST', `${subjectPath(subject)}/versions`, body);
  // The version: looked up by the schema itself (registering returns only the id).
  const { version } = await registry.call<{ version: number }>('POST', subjectPath(subject), body);
  emit(s.format, { subject, id, version, schemaType: body.schemaType }, (r) => `Registered ${r.schemaType} schema id ${r.id} as version ${r.version} of '${r.subject}'.`);
}

async function checkCompatibility(s: Session, subject: string, file: string, o: { type?: string }): Promise<void> {
  const body = readSchemaFile(file, o.type);
  const res = await s.registry().call<{ is_compatible: boolean; messages?: string[] }>('POST', `/compatibility${subjectPath(subject)}/versions/latest?verbose=true`, body);
  const out = { subject, compatible: res.is_compatible, messages: res.messages ?? [] };
  emit(s.format, out, (r) => (r.compatible ? `Compatible with the latest version of '${subject}'.` : `Not compatible with the latest version of '${subject}':\n${r.messages.map((m) => `  ${m}`).join('\n')}`));
  if (!res.is_compatible) process.exitCode = 1;
}

async function remove(s: Session, subject: string, o: { permanent?: boolean }): Promise<void> {
  const registry = s.registry();
  let versions: number[] = [];
  try {
    versions = await registry.call<number[]>('DELETE', subjectPath(subject));
  } catch (err) {
    // Already soft-deleted: --permanent may still remove it for good.
    if (!(o.permanent && err instanceof RegistryAnswerError && err.errorCode === SUBJECT_SOFT_DELETED)) throw err;
  }
  if (o.permanent) versions = await registry.call<number[]>('DELETE', `${subjectPath(subject)}?permanent=true`);
  emit(s.format, { subject, versions, permanent: o.permanent === true },
    (r) => `Deleted ${r.permanent ? 'permanently ' : ''}'${subject}' (version${r.versions.length === 1 ? '' : 's'} ${r.versions.join(', ')}).`);
}

export function schemaCommand(program: Command): void {
  const schema = program.command('schema').description('list, get, register, check and delete Schema Registry subjects');
  const registry = (cmd: Command) => formatOption(connectionOptions(cmd, { registry: true }));
  const typeOption = () => new Option('--type <type>', 'schema type (default: by file extension, else AVRO)').choices(['AVRO', 'JSON', 'PROTOBUF']);
  registry(schema.command('list').alias('ls').description('list subjects with their versions')).action(act(list));
  registry(schema.command('get').description('a version of a subject (default: the latest)').argument('<subject>')
    .option('-v, --version <n>', 'version number', integer('--version', 1)))
    .action(act(get));
  registry(schema.command('register').description('register a schema file under a subject').argument('<subject>').argument('<file>')
    .addOption(typeOption()))
    .action(act(register));
  registry(schema.command('check').description('check a schema file against the subject\'s latest version (exit 1 when incompatible)')
    .argument('<subject>').argument('<file>').addOption(typeOption()))
    .action(act(checkCompatibility));
  registry(schema.command('delete').description('delete a subject (soft; --permanent removes it for good)').argument('<subject>')
    .option('--permanent', 'delete permanently (after a soft delete, done first if needed)'))
    .action(act(remove));
}
