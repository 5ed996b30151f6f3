/**
 * What the registry needs from a schema format: parse and validate a schema (with the schemas it references),
 * give it a canonical identity, and tell whether a reader of one schema can read data written with another.
 */
import { requirePackage } from '../../require-package.js';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

/**
 * A format's package (avsc, ajv, protobufjs), required on first use: a registry that holds no schema of a kind does
 * not load that kind's package (loading all three, and node:https, made the default start 11 MiB larger).
 */
export function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requirePackage<T>(id));
}

/** A referenced schema, by the name the referring schema uses for it (an Avro full name, a $ref URL, an import path). */
export interface Dependency {
  name: string;
  type: SchemaType;
  schema: string;
}

/** One reason a reader cannot read a writer's data, in Confluent's vocabulary (READER_FIELD_MISSING_DEFAULT_VALUE…). */
export interface Incompatibility {
  type: string;
  /** Where in the schema, e.g. "/fields/1/type" (Avro), "#/properties/a" (JSON), "#/Order/2" (Protobuf). */
  path: string;
  /** Human text; `reader`/`writer` are the labels of the two schemas ("new", "old"). */
  describe(reader: string, writer: string): string;
  info?: string;
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /** The text the registry stores and serves. */
  readonly text: string;
  /** Why a reader using this schema cannot read data written with `writer` (same format); empty when it can. */
  canRead(writer: ParsedSchema): Incompatibility[];
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /**
   * Throws SchemaParseError for an invalid schema or a dependency it cannot resolve. The result's text is Confluent's
   * canonical text of the schema, or its normalized text with `normalize` (Confluent's normalize=true; AVRO and JSON).
   */
  parse(text: string, dependencies: Dependency[], normalize?: boolean): ParsedSchema;
  /**
   * Equal for texts the registry treats as the same schema (idempotent register, lookup, shared ids). Needs no
   * dependencies, so replay can index stored schemas in any record order; may assume `text` parses.
   */
  canonical(text: string): string;
}
