import { HttpError } from '../http/errors.js';
import { nameErrorClasses } from '../error-names.js';

/**
 * Confluent Schema Registry error responses: HTTP status, `error_code` and message text. Clients match on the codes
 * and sometimes on the text (e.g. "Subject 'x' not found."), so the texts follow Confluent's exactly, typos included.
 */
export class RegistryError extends HttpError {
  override readonly code = 'SAMSA_REGISTRY_ERROR';
}

/** An invalid schema as thrown by a format's parser; the registry wraps it into 42201 with the schema type. */
export class SchemaParseError extends Error {
  readonly code = 'SAMSA_SCHEMA_PARSE_ERROR';
}

/** Confluent's default context, which appears in some messages ("Subject x in context . is in read-only mode"). */
const CONTEXT = '.';

export const Errors = {
  // 404
  subjectNotFound: (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number) => new RegistryError(404, 40402, `Version ${version} not found.`),
  schemaNotFound: () => new RegistryError(404, 40403, 'Schema not found'),
  schemaIdNotFound: (id: number | string) => new RegistryError(404, 40403, `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RegistryError(404, 40406, `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryError(404, 40407, `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) =>
    new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`),
  // 409
  incompatibleSchema: (subject: string, messages: string[]) =>
    new RegistryError(409, 40901,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`),
  // 422
  invalidSchema: (message: string) => new RegistryError(422, 42201, message),
  invalidVersion: (version: string) => new RegistryError(422, 42202,
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`),
  invalidCompatibility: () => new RegistryError(422, 42203,
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive'),
  invalidMode: () => new RegistryError(422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.'),
  readOnly: (subject: string) => new RegistryError(422, 42205, `Subject ${subject} in context ${CONTEXT} is in read-only mode`),
  notImportMode: (subject: string) => new RegistryError(422, 42205, `Subject ${subject} in context ${CONTEXT} is not in import mode`),
  notReadWriteMode: (subject: string) => new RegistryError(422, 42205, `Subject ${subject} in context ${CONTEXT} is not in read-write mode`),
  importWithSubjects: () => new RegistryError(422, 42205, 'Cannot import since found existing subjects'),
  versionOverwrite: (version: number) => new RegistryError(422, 42205, `Overwrite new schema with version ${version} is not permitted.`),
  idOverwrite: (id: number) => new RegistryError(422, 42205, `Overwrite new schema with id ${id} in context ${CONTEXT} is not permitted.`),
  referenceExists: (subject: string, version: number) =>
    new RegistryError(422, 42206, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`),
  schemaTooLarge: () => new RegistryError(422, 42209, 'Register operation failed because schema is too large'),
  // 500. The generic HTTP errors (400, 404, 405, 413, 415, 500) are the host's: src/http/errors.ts.
  store: (message: string) => new RegistryError(500, 50001, message),
};

nameErrorClasses({ RegistryError, SchemaParseError });
