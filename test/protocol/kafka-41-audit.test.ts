/**
 * The version audit of issue #15: for every API we serve, our own range (no `kafka.version`) against Kafka 4.1's
 * (src/server/kafka-releases.ts). We never advertise above 4.1, we accept every version 4.1 accepts, and where our max
 * is lower the API is in BELOW_41 with the reason. `--kafka-version 4.1` (the 4.1 table ∩ ours) is checked over the
 * wire by test/server/emulation.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HANDLERS } from '../../src/handlers/index.js';
import { KAFKA_RELEASES } from '../../src/server/kafka-releases.js';

const KAFKA_41 = KAFKA_RELEASES['4.1'];

/** APIs whose max is below 4.1's, and why: each needs semantics we do not have yet. */
const BELOW_41: Record<number, string> = {
  // v12 is transactions V2 (KIP-890 part 2: a transactional batch adds its partition to the transaction, no
  // AddPartitionsToTxn); v13 names topics by id (KIP-516).
  0: 'Produce',
  // v18 carries the follower's high watermark (KIP-1166): for replica fetches only, no consumer gains from it.
  1: 'Fetch',
  // v4 is broker-to-broker (KIP-890 part 1 verification, batched by transactional id); v5 is transactions V2.
  24: 'AddPartitionsToTxn',
  // v5 is transactions V2: the epoch is bumped on every EndTxn and the answer carries the new producer id and epoch.
  26: 'EndTxn',
  // v5 is transactions V2: the group joins the transaction implicitly (no AddOffsetsToTxn).
  28: 'TxnOffsetCommit',
};

test('every API we serve is one Kafka 4.1 serves, and never above 4.1\'s max', () => {
  for (const h of HANDLERS) {
    const theirs = KAFKA_41.apis[h.api.key];
    assert.ok(theirs, `${h.api.name} (${h.api.key}) is not served by Kafka 4.1`);
    assert.ok(h.versions.max <= theirs[1], `${h.api.name} v${h.versions.max} is above 4.1's v${theirs[1]}`);
  }
});

test('where our max is below 4.1\'s, the API is on the explicit list with its reason, and the list has no stale entry', () => {
  const below = HANDLERS.filter((h) => h.versions.max < KAFKA_41.apis[h.api.key][1]).map((h) => `${h.api.key} ${h.api.name}`).sort();
  const listed = Object.entries(BELOW_41).map(([key, name]) => `${key} ${name}`).sort();
  assert.deepEqual(below, listed);
});

test('we accept every version Kafka 4.1 accepts (down to its lowest, KAFKA-18659\'s Produce v3 for v0-2)', () => {
  for (const h of HANDLERS) {
    const [min] = KAFKA_41.apis[h.api.key];
    const accepted = Math.max(min, KAFKA_41.acceptedMin[h.api.key] ?? min);
    assert.ok(h.versions.min <= accepted, `${h.api.name}: we serve from v${h.versions.min}, 4.1 from v${accepted}`);
  }
});
