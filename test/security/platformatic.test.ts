/**
 * @platformatic/kafka with SASL: PLAIN over SASL_PLAINTEXT and SCRAM-SHA-512 over SASL_SSL (the --tls auto CA),
 * producing and consuming as the authenticated user; a wrong password is refused.
 */
import '../../compat-suite/clients/node22-shim.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers, type Message, type SASLOptions } from '@platformatic/kafka';
import { startTestBroker } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
/** Who sent the requests past authentication (ApiVersions and the SASL APIs come before it, as ANONYMOUS). */
const principals = new Set<string>();
const BEFORE_AUTHENTICATION = new Set(['ApiVersions', 'SaslHandshake', 'SaslAuthenticate']);

before(async () => {
  broker = await startTestBroker({
    config: {
      'ssl.auto': true, 'sasl.users': 'alice:secret,bob:hunter2:SCRAM-SHA-512',
      'listeners': 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      // @platformatic/kafka retries a refused login while its Admin closes, and reports the connection's error after
      // the test has ended when the refusal comes after Kafka's 100 ms: answered at once here.
      'connection.failed.authentication.delay.ms': 0,
    },
  });
  broker.broker.authorizer = {
    intercept: (call, next) => {
      if (!BEFORE_AUTHENTICATION.has(call.handler.api.name)) principals.add(call.ctx.session.principal);
      return next();
    },
  };
});
after(async () => { await broker.close(); });

function options(listener: string, sasl: SASLOptions) {
  return {
    clientId: `platformatic-${listener}`, bootstrapBrokers: [broker.nodes[0].listeners[listener]], sasl,
    ...(listener === 'SASL_SSL' ? { tls: { ca: broker.tls!.ca } } : {}),
    timeout: 5000, retries: 0,
  };
}

async function roundTrip(listener: string, sasl: SASLOptions, topic: string): Promise<string[]> {
  const admin = new Admin(options(listener, sasl));
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  } finally {
    await admin.close();
  }
  const producer = new Producer({ ...options(listener, sasl), serializers: stringSerializers, acks: -1 });
  try {
    await producer.send({ messages: ['one', 'two'].map((value) => ({ topic, key: 'k', value })) });
  } finally {
    await producer.close();
  }
  const consumer = new Consumer({ ...options(listener, sasl), groupId: `g-${topic}`, deserializers: stringDeserializers, maxWaitTime: 100 });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    const got: string[] = [];
    for await (const m of stream as AsyncIterable<Message<string, string, string, string>>) {
      got.push(m.value);
      if (got.length === 2) break;
    }
    await stream.close();
    return got;
  } finally {
    await consumer.close(true);
  }
}

test('@platformatic/kafka with SASL PLAIN over SASL_PLAINTEXT produces and consumes as User:alice', async () => {
  principals.clear();
  assert.deepEqual(await roundTrip('SASL_PLAINTEXT', { mechanism: 'PLAIN', username: 'alice', password: 'secret' }, 'plat-plain'), ['one', 'two']);
  assert.deepEqual([...principals], ['User:alice']);
});

test('@platformatic/kafka with SCRAM-SHA-512 over SASL_SSL produces and consumes as User:bob', async () => {
  principals.clear();
  assert.deepEqual(await roundTrip('SASL_SSL', { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'hunter2' }, 'plat-scram'), ['one', 'two']);
  assert.deepEqual([...principals], ['User:bob']);
});

test('@platformatic/kafka with a wrong SCRAM password is refused', async () => {
  const admin = new Admin(options('SASL_SSL', { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'wrong' }));
  try {
    await assert.rejects(admin.listTopics(), (err: Error) => {
      const text = JSON.stringify(err, Object.getOwnPropertyNames(err)) + String((err as { errors?: unknown[] }).errors?.map(String));
      return /SASL|authenticat/i.test(text);
    });
  } finally {
    await admin.close();
  }
});
