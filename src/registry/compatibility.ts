/**
 * The seven compatibility levels over any format's `canRead`. BACKWARD: the new schema reads data written with the
 * old; FORWARD: the old reads the new; FULL: both. Plain levels compare with the latest version only, *_TRANSITIVE
 * with every live version (newest first, stopping at the first that fails, as Confluent does).
 * Messages follow Confluent's shape so tools that show them read the same.
 */
import type { ParsedSchema } from './formats/format.js';

export const COMPATIBILITY_LEVELS = [
  'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = typeof COMPATIBILITY_LEVELS[number];
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

export function parseCompatibility(value: unknown): CompatibilityLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(upper) ? upper as CompatibilityLevel : undefined;
}

export interface PreviousSchema {
  version: number;
  schema: ParsedSchema;
}

/** Messages saying why `next` may not follow `previous` (oldest first) at `level`; empty when it may. */
export function checkCompatibility(level: CompatibilityLevel, next: ParsedSchema, previous: PreviousSchema[]): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const direction = level.replace('_TRANSITIVE', '');
  const against = transitive ? [...previous].reverse() : [previous[previous.length - 1]!];
  for (const old of against) {
    const messages: string[] = [];
    if (old.schema.type !== next.type) {
      messages.push('Incompatible because of different schema type');
    } else {
      if (direction !== 'FORWARD') messages.push(...readable(next, old.schema, 'new', 'old'));
      if (direction !== 'BACKWARD') messages.push(...readable(old.schema, next, 'old', 'new'));
    }
    if (messages.length > 0) {
      messages.push(`{oldSchemaVersion: ${old.version}}`, `{oldSchema: '${old.schema.text}'}`,
        `{validateFields: 'false', compatibility: '${level}'}`);
      return messages;
    }
  }
  return [];
}

function readable(reader: ParsedSchema, writer: ParsedSchema, readerLabel: string, writerLabel: string): string[] {
  try {
    return reader.canRead(writer).map((i) =>
      `{errorType:'${i.type}', description:'${i.describe(readerLabel, writerLabel)}', additionalInfo:'${i.info ?? ''}'}`);
  } catch (err) {
    // A checker bug must not turn a client's request into a 500: report it as Confluent does.
    return [`Unexpected exception during compatibility check: ${(err as Error).message}`];
  }
}
