/**
 * Broker-side schema validation (beyond Kafka, like Confluent Server's): with the topic config
 * `confluent.value.schema.validation=true` (or the key variant), Produce rejects a record whose value (key) does not
 * start with the Confluent wire header — magic byte 0, then a 4-byte big-endian schema id — naming a schema
 * registered under the topic's subject (TopicNameStrategy: "<topic>-value" / "<topic>-key").
 *
 * The produce path calls `validateRecordSchema` per record of a topic with validation on and answers
 * INVALID_RECORD with the returned message.
 */
export const VALUE_SCHEMA_VALIDATION = 'confluent.value.schema.validation';
export const KEY_SCHEMA_VALIDATION = 'confluent.key.schema.validation';

/** What validation needs from the registry (RegistryState and RunningRegistry provide it). */
export interface SchemaIdLookup {
  isRegistered(subject: string, id: number): boolean;
}

/** TopicNameStrategy, Confluent serializers' default. */
export function subjectFor(topic: string, isKey: boolean): string {
  return `${topic}-${isKey ? 'key' : 'value'}`;
}

/** The schema id of the Confluent wire header, or null when the data does not start with one. */
export function readSchemaId(data: Buffer | null | undefined): number | null {
  if (!data || data.length < 5 || data[0] !== 0) return null;
  return data.readInt32BE(1);
}

/** null when the record's key or value carries a schema id registered under the topic's subject; else why not. */
export function validateRecordSchema(registry: SchemaIdLookup, topic: string, isKey: boolean, data: Buffer | null | undefined): string | null {
  const part = isKey ? 'key' : 'value';
  const subject = subjectFor(topic, isKey);
  const id = readSchemaId(data);
  if (id === null) {
    return `Record ${part} for topic '${topic}' does not start with a schema id (magic byte 0 + 4-byte id), `
      + `but ${isKey ? KEY_SCHEMA_VALIDATION : VALUE_SCHEMA_VALIDATION} requires a schema registered under subject '${subject}'`;
  }
  if (!registry.isRegistered(subject, id)) {
    return `Record ${part} for topic '${topic}' carries schema id ${id}, which is not registered under subject '${subject}'`;
  }
  return null;
}
