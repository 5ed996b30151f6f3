/**
 * The bank simulation (after open-bank-mark): topology (topics + Avro schemas), heartbeat producer, command
 * generator, command handler and checker, with the heartbeat rate stepped up. Reports command → BalanceChanged
 * latency percentiles per load step and checks that no money was created or lost.
 *
 * Runs as the `bank` row of `npm run compat` (against Samsa or any Kafka + Schema Registry). Load steps can be
 * changed with COMPAT_BANK_STEPS (heartbeats/s, comma separated) and COMPAT_BANK_STEP_MS.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { fileURLToPath } from 'node:url';
import { client } from '../../clients/kafkajs.js';
import { check, sleep, waitFor } from '../../lib/expect.js';
import { type Ctx, packageVersion, requireRegistry, runIfMain } from '../../lib/harness.js';
import { type Bank, Checker, CommandGenerator, CommandHandler, HeartbeatProducer, startConsumer, startProducer } from './components.js';
import { type AccountCreationConfirmed, type Heartbeat, INSUFFICIENT, isOurs, SCHEMAS, TOPIC_KEYS, type TopicKey } from './schemas.js';

const WANTED_REPLICATION = 3;
const PARTITIONS = 2;

/**
 * The synchronizer: replication factor = min(wanted, brokers in the cluster), topics created unless present,
 * every value schema registered.
 */
async function topology(kafka: Kafka, registry: SchemaRegistry, topic: (k: TopicKey) => string, log: Ctx['log']) {
  const admin = kafka.admin();
  await admin.connect();
  let replicationFactor: number;
  try {
    const { brokers } = await admin.describeCluster();
    replicationFactor = Math.min(WANTED_REPLICATION, brokers.length);
    if (replicationFactor < WANTED_REPLICATION) log(`replication factor ${WANTED_REPLICATION} wanted, ${brokers.length} broker(s): using ${replicationFactor}`);
    const existing = new Set(await admin.listTopics());
    const missing = TOPIC_KEYS.map(topic).filter((t) => !existing.has(t));
    await admin.createTopics({ topics: missing.map((t) => ({ topic: t, numPartitions: PARTITIONS, replicationFactor })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const ids = {} as Record<TopicKey, number>;
  for (const key of TOPIC_KEYS) {
    ({ id: ids[key] } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMAS[key]) }, { subject: `${topic(key)}-value` }));
  }
  return { replicationFactor, ids };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

async function run(ctx: Ctx) {
  const url = requireRegistry(ctx);
  const steps = (process.env.COMPAT_BANK_STEPS ?? '25,50,100,200,400').split(',').map(Number);
  const stepMs = Number(process.env.COMPAT_BANK_STEP_MS ?? 3000);
  const kafka = client(ctx, 'bank');
  const registry = new SchemaRegistry({ host: url });
  const topic = (k: TopicKey) => `${ctx.prefix}-${k}`;
  const { replicationFactor, ids } = await topology(kafka, registry, topic, ctx.log);
  ctx.log('topology ready: replication factor', replicationFactor, 'schema ids', JSON.stringify(ids));
  const bank: Bank = { kafka, registry, ids, topic, group: (n) => `${ctx.prefix}-${n}`, log: ctx.log };

  const producers: Producer[] = [];
  const consumers: Consumer[] = [];
  const producer = async () => { const p = await startProducer(bank); producers.push(p); return p; };
  const heartbeat = new HeartbeatProducer(bank, await producer());
  const generator = new CommandGenerator(bank, await producer());
  const handler = new CommandHandler(bank, await producer());
  const checker = new Checker();
  try {
    consumers.push(await startConsumer(bank, 'command-handler', ['confirm_account_creation', 'confirm_money_transfer'],
      (key, values) => handler.onCommands(key, values.map((v) => v.value))));
    consumers.push(await startConsumer(bank, 'command-generator', ['heartbeat', 'account_creation_confirmed'], async (key, values) => {
      if (key === 'account_creation_confirmed') values.forEach((v) => generator.onAccountCreated(v.value as AccountCreationConfirmed));
      else await generator.onHeartbeats(values.map((v) => v.value as Heartbeat));
    }));
    consumers.push(await startConsumer(bank, 'checker', ['confirm_money_transfer', 'money_transfer_confirmed', 'money_transfer_failed', 'balance_changed'],
      (key, values) => checker.onRecords(key, values)));
    ctx.log('services started');

    heartbeat.start();
    const windows: { rate: number; start: number; end: number }[] = [];
    for (const rate of steps) {
      heartbeat.rate = rate;
      const start = Date.now();
      await sleep(stepMs);
      windows.push({ rate, start, end: Date.now() });
      ctx.log(`step ${rate}/s done: ${heartbeat.beats} beats, ${generator.commands} commands, ${checker.outcomes.size} transfer outcomes`);
    }
    heartbeat.rate = 0;
    await heartbeat.stop();
    await waitFor(`all ${heartbeat.beats} heartbeats turned into commands (have ${generator.commands})`, 20000,
      () => (generator.commands >= heartbeat.beats ? true : undefined));
    await waitFor('an outcome for every transfer command', 20000, () =>
      ([...checker.commandAt.keys()].every((id) => checker.outcomes.has(id)) && checker.commandAt.size > 0 ? true : undefined));
    await sleep(500); // the last BalanceChanged events may trail their outcome record
    return report(ctx, { checker, handler, generator, windows, replicationFactor });
  } finally {
    await heartbeat.stop();
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await Promise.allSettled(producers.map((p) => p.disconnect()));
  }
}

function report(ctx: Ctx, r: { checker: Checker; handler: CommandHandler; generator: CommandGenerator; windows: { rate: number; start: number; end: number }[]; replicationFactor: number }) {
  const { checker, handler } = r;
  let expected = 0;
  let confirmed = 0;
  let insufficient = 0;
  for (const [id, { transfer }] of checker.commandAt) {
    const outcome = checker.outcomes.get(id)!;
    if (outcome.status === 'failed') {
      if (outcome.reason === INSUFFICIENT) insufficient++;
      if (checker.firstBalanceEvent.has(id)) checker.problems.push(`refused transfer ${id} changed a balance`);
      continue;
    }
    confirmed++;
    expected += (isOurs(transfer.to) ? transfer.amount : 0) - (isOurs(transfer.from) ? transfer.amount : 0);
    if (!checker.firstBalanceEvent.has(id)) checker.problems.push(`confirmed transfer ${id} has no BalanceChanged`);
  }
  const seen = [...checker.balances.values()].reduce((a, b) => a + b, 0);
  for (const [iban, account] of handler.balances) {
    if ((checker.balances.get(iban) ?? 0) !== account.balance) checker.problems.push(`${iban}: handler has ${account.balance}, events say ${checker.balances.get(iban) ?? 0}`);
  }
  const steps = r.windows.map((w) => {
    const inStep = [...checker.commandAt].filter(([, c]) => c.at >= w.start && c.at < w.end);
    const latencies = inStep.flatMap(([id, c]) => (checker.firstBalanceEvent.has(id) ? [checker.firstBalanceEvent.get(id)! - c.at] : [])).sort((a, b) => a - b);
    return {
      rate: w.rate, transfers: inStep.length, confirmed: latencies.length,
      p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN,
    };
  });
  const data = {
    steps, accounts: handler.balances.size, transfers: checker.commandAt.size, failedTransfers: insufficient,
    totalExpected: expected, totalSeen: seen, replicationFactor: r.replicationFactor,
  };
  ctx.log('latency per step (ms):', JSON.stringify(steps));
  ctx.log(`money: expected ${expected}, events ${seen}; ${confirmed} confirmed, ${insufficient} refused for insufficient balance`);
  check(checker.problems.length === 0, `inconsistencies: ${checker.problems.slice(0, 5).join('; ')}`);
  check(seen === expected, `money created or lost: balances add up to ${seen}, confirmed transfers to ${expected}`);
  check(insufficient > 0, 'no transfer was refused for insufficient balance');
  check(confirmed > 0, 'no transfer was confirmed');
  const p99 = Math.max(...steps.map((s) => s.p99).filter(Number.isFinite));
  return { data, detail: `${data.transfers} transfers (${insufficient} refused), money conserved, worst step p99 ${p99} ms` };
}

runIfMain(import.meta.url, { bank: run }, () =>
  `kafkajs ${packageVersion('kafkajs', fileURLToPath(import.meta.url))} + @kafkajs/confluent-schema-registry ${packageVersion('@kafkajs/confluent-schema-registry', fileURLToPath(import.meta.url))}`);
