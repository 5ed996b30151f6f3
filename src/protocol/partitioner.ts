/**
 * The Java client's default partitioner for keyed records (Utils.murmur2 of the key, made positive, modulo the
 * partition count), so Samsa's own producers (the CLI, REST v3) put a key where a Kafka producer would.
 */

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2). */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ data.length) | 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = data.length & 3;
  if (tail >= 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) h = Math.imul(h ^ data[whole]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/** The partition a keyed record goes to (Utils.toPositive(murmur2(key)) % count). */
export function partitionForKey(key: Buffer, count: number): number {
  return (murmur2(key) & 0x7fffffff) % count;
}
