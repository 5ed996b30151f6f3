/**
 * With TLS on (`--tls auto`, or a certificate and key) the Schema Registry and the admin port serve HTTPS on the
 * listeners' certificate: Confluent's Python SchemaRegistryClient (`ssl.ca.location`) and
 * @kafkajs/confluent-schema-registry (an https.Agent trusting the CA) register and fetch over it with HTTP Basic,
 * and a client that does not trust the CA is refused. With TLS off both stay plain HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { run, startTestBroker } from '../helpers.js';

/** GET (or another method with a JSON body) over https with node:https (fetch has no per-request CA); resolves the status and body. */
function httpsGet(url: string, options: { ca?: string; auth?: string; method?: string; json?: unknown } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = options.auth ? { Authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {};
    if (options.json !== undefined) headers['Content-Type'] = 'application/json';
    const req = request(url, { ca: options.ca, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.json === undefined ? undefined : JSON.stringify(options.json));
  });
}

test('--tls auto: registry and admin on HTTPS; Confluent Python and kafkajs registry clients with the CA and Basic auth', async () => {
  const broker = await startTestBroker({
    registryPort: -1, adminPort: -1,
    config: { 'ssl.auto': true, 'registry.auth': 'basic', 'sasl.users': 'alice:secret' },
  });
  try {
    assert.match(broker.registryUrl!, /^https:\/\//);
    assert.match(broker.adminUrl!, /^https:\/\//);
    const ca = broker.tls!.ca;

    // requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE win over a session's verify (psf/requests#3829), so a
    // machine with either set would ignore ssl.ca.location: drop them, as an app trusting its own CA must.
    const script = `
import os, sys
os.environ.pop('REQUESTS_CA_BUNDLE', None); os.environ.pop('CURL_CA_BUNDLE', None)
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
c = SchemaRegistryClient({'url': sys.argv[1], 'ssl.ca.location': sys.argv[2], 'basic.auth.user.info': sys.argv[3]})
schema_id = c.register_schema('https-value', Schema('{"type":"string"}', 'AVRO'))
print(schema_id, c.get_schema(schema_id).schema_str)
`;
    const registered = await run('/usr/bin/python3', ['-c', script, broker.registryUrl!, broker.tls!.caPath, 'alice:secret']);
    assert.equal(registered.code, 0, registered.stderr);
    const [id, schema] = registered.stdout.trim().split(' ');
    assert.match(id, /^\d+$/);
    assert.deepEqual(JSON.parse(schema), { type: 'string' });
    const wrongPassword = await run('/usr/bin/python3', ['-c', script, broker.registryUrl!, broker.tls!.caPath, 'alice:nope']);
    assert.match(wrongPassword.stderr, /Unauthorized/);
    // Without the CA, Python's requests does not trust the development certificate.
    const untrusted = await run('/usr/bin/python3', ['-c', script.replace(`'ssl.ca.location': sys.argv[2], `, ''), broker.registryUrl!, broker.tls!.caPath, 'alice:secret']);
    assert.match(untrusted.stderr, /CERTIFICATE_VERIFY_FAILED|SSLError/);

    const { SchemaRegistry, SchemaType } = await import('@kafkajs/confluent-schema-registry');
    const registry = new SchemaRegistry({ host: broker.registryUrl!, auth: { username: 'alice', password: 'secret' }, agent: new Agent({ ca, keepAlive: false }) });
    assert.equal(await registry.getLatestSchemaId('https-value'), Number(id));
    const { id: recordId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Pay', fields: [{ name: 'amount', type: 'long' }] }) }, { subject: 'pay-value' });
    const encoded = await registry.encode(recordId, { amount: 42 });
    assert.deepEqual({ ...await registry.decode(encoded) }, { amount: 42 });

    // A raw client: with the CA it gets the registry's answers; without it the handshake fails.
    assert.equal((await httpsGet(`${broker.registryUrl}/subjects`, { ca })).status, 401);
    const subjects = await httpsGet(`${broker.registryUrl}/subjects`, { ca, auth: 'alice:secret' });
    assert.deepEqual(JSON.parse(subjects.body).sort(), ['https-value', 'pay-value']);
    await assert.rejects(httpsGet(`${broker.registryUrl}/subjects`, { auth: 'alice:secret' }), (err: NodeJS.ErrnoException) => err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN');
    // Plain HTTP to the HTTPS port gets no answer from the registry, and the host keeps serving.
    await assert.rejects(fetch(broker.registryUrl!.replace('https:', 'http:') + '/subjects'));
    assert.deepEqual(JSON.parse((await httpsGet(`${broker.adminUrl}/healthz`, { ca })).body), { status: 'ok' });
  } finally {
    await broker.close();
  }
});

test('TLS off: the registry and the admin port stay plain HTTP', async () => {
  const broker = await startTestBroker({ registryPort: -1, adminPort: -1 });
  try {
    assert.match(broker.registryUrl!, /^http:\/\//);
    assert.match(broker.adminUrl!, /^http:\/\//);
    assert.equal((await fetch(`${broker.adminUrl}/healthz`)).status, 200);
  } finally {
    await broker.close();
  }
});

test('--tls auto: the console decodes schema-framed values with the broker\'s own registry (asked in-process, not over HTTPS)', async () => {
  const broker = await startTestBroker({ registryPort: -1, adminPort: -1, config: { 'ssl.auto': true } });
  try {
    const ca = broker.tls!.ca;
    const v3 = `${broker.adminUrl}/v3/clusters/samsa-cluster`;
    assert.equal((await httpsGet(`${v3}/topics`, { ca, method: 'POST', json: { topic_name: 'tlsdec' } })).status, 201);
    assert.equal((await httpsGet(`${broker.registryUrl}/subjects/tlsdec-value/versions`, { ca, method: 'POST', json: { schema: '"string"' } })).status, 200);
    assert.equal((await httpsGet(`${v3}/topics/tlsdec/records`, { ca, method: 'POST', json: { value: { type: 'AVRO', data: 'hello' } } })).status, 200);
    const records = JSON.parse((await httpsGet(`${broker.adminUrl}/console/api/topics/tlsdec/records?partition=0&offset=0`, { ca })).body);
    assert.deepEqual(records.records.map((r: { value: { text: string; encoding: string } }) => [r.value.text, r.value.encoding]), [['"hello"', 'schema']]);
  } finally {
    await broker.close();
  }
});
