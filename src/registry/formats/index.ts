import { avroFormat } from './avro.js';
import { jsonFormat } from './json.js';
import { protobufFormat } from './protobuf.js';
import type { SchemaFormat, SchemaType } from './format.js';

export type { Dependency, Incompatibility, ParsedSchema, SchemaFormat, SchemaType } from './format.js';

export const FORMATS: Record<string, SchemaFormat> = {
  AVRO: avroFormat,
  JSON: jsonFormat,
  PROTOBUF: protobufFormat,
};

/** The types GET /schemas/types lists, in Confluent's order. */
export const SCHEMA_TYPES: SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];
