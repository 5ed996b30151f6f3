/**
 * Random client tokens for every mechanism, at every step of its exchange: each one is answered with a challenge,
 * success or SASL_AUTHENTICATION_FAILED with Kafka's message, never an exception, and nothing passes that should not.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestBroker } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { newSaslSession, saslStep, startExchange, SASL_MECHANISMS } from '../../src/server/sasl.js';

let broker: RunningBroker;
// No delay after a failed login: hundreds of them below (the delay is tested in plain-login.test.ts).
before(async () => { broker = await startTestBroker({ config: { 'sasl.users': 'alice:secret', 'connection.failed.authentication.delay.ms': 0 } }); });
after(async () => { await broker.close(); });

const token = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  // Near-valid shapes: the parsers' interesting edges.
  fc.tuple(fc.constantFrom('n,,', 'y,,', 'p=x,,', 'n,a=alice,', 'n,a=bob,', ''), fc.constantFrom('n=alice,r=', 'n=al=2Cice,r=', 'n=,r=', 'n=alice,r=a,b', 'c=biws,r=', '\u0001auth=Bearer ', '\u0000alice\u0000'), fc.string({ maxLength: 60 }))
    .map(([a, b, c]) => Buffer.from(a + b + c)),
);

for (const mechanism of SASL_MECHANISMS) {
  test(`${mechanism}: random tokens at any step never throw and never authenticate`, async () => {
    await fc.assert(fc.asyncProperty(fc.array(token, { minLength: 1, maxLength: 3 }), async (tokens) => {
      const sasl = newSaslSession();
      sasl.mechanism = mechanism;
      sasl.exchange = startExchange(broker.broker, mechanism, 'fuzz');
      for (const t of tokens) {
        if (sasl.exchange === null) break;
        const result = await saslStep(broker.broker, sasl, 'fuzz', t);
        if (result.errorMessage !== null) {
          assert.ok(sasl.closeAfterResponse);
          assert.match(result.errorMessage, /^Authentication failed|^\{"status"|^Cannot change/);
          break;
        }
      }
      // Random bytes cannot know alice's password, a SCRAM proof or a valid JWS (PLAIN with users set included).
      assert.equal(sasl.user, null, `authenticated with ${JSON.stringify(tokens.map(String))}`);
    }), { numRuns: 300 });
  });
}
