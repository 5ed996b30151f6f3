/**
 * The bank's moving parts, each with its own Kafka clients and consumer group, as separate services would have:
 * heartbeat producer → command generator → command handler → checker.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  type AccountCreationConfirmed, type BalanceChanged, type ConfirmAccountCreation, type ConfirmMoneyTransfer, EXTERNAL_IBAN,
  type Heartbeat, ibanFor, INSUFFICIENT, isOurs, type MoneyTransferFailed, type TopicKey,
} from './schemas.js';

export interface Bank {
  kafka: Kafka;
  registry: SchemaRegistry;
  ids: Record<TopicKey, number>;
  topic(key: TopicKey): string;
  group(name: string): string;
  log(...parts: unknown[]): void;
}

export async function encode(bank: Bank, key: TopicKey, value: object, messageKey: string): Promise<Message> {
  return { key: messageKey, value: await bank.registry.encode(bank.ids[key], value) };
}

export async function startProducer(bank: Bank): Promise<Producer> {
  const producer = bank.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** A consumer group member over `keys`; `onBatch` gets the decoded values of each fetched batch. */
export async function startConsumer(bank: Bank, name: string, keys: TopicKey[],
  onBatch: (key: TopicKey, values: { value: unknown; timestamp: number }[]) => Promise<void>): Promise<Consumer> {
  const consumer = bank.kafka.consumer({ groupId: bank.group(name), maxWaitTimeInMs: 100, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: keys.map((k) => bank.topic(k)), fromBeginning: true });
  const byTopic = new Map(keys.map((k) => [bank.topic(k), k]));
  await consumer.run({
    eachBatch: async ({ batch }: EachBatchPayload) => {
      const values = await Promise.all(batch.messages.map(async (m) => ({ value: await bank.registry.decode(m.value!), timestamp: Number(m.timestamp) })));
      await onBatch(byTopic.get(batch.topic)!, values);
    },
  });
  return consumer;
}

/** Produces Heartbeat records at `rate` per second; the rate can change while it runs. */
export class HeartbeatProducer {
  rate = 0;
  beats = 0;
  private timer?: NodeJS.Timeout;
  private owed = 0;
  private sending = Promise.resolve();
  constructor(private bank: Bank, private producer: Producer) {}

  start(): void {
    const tickMs = 50;
    this.timer = setInterval(() => {
      this.owed += (this.rate * tickMs) / 1000;
      const n = Math.floor(this.owed);
      if (n === 0) return;
      this.owed -= n;
      const beats = Array.from({ length: n }, () => ++this.beats);
      this.sending = this.sending.then(async () => {
        const messages = await Promise.all(beats.map((beat) => encode(this.bank, 'heartbeat', { beat } satisfies Heartbeat, String(beat))));
        await this.producer.send({ topic: this.bank.topic('heartbeat'), messages });
      }).catch((err) => this.bank.log('heartbeat send failed:', (err as Error).message));
    }, tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
  }
}

/**
 * One command per heartbeat: account creations first (and now and then later), then money transfers between
 * known accounts, deposits from and withdrawals to another bank, and some that must fail (too large, bad token).
 */
export class CommandGenerator {
  readonly accounts: AccountCreationConfirmed[] = [];
  commands = 0;
  private random = mulberry32(7);
  constructor(private bank: Bank, private producer: Producer, private targetAccounts = 8) {}

  onAccountCreated(a: AccountCreationConfirmed): void {
    this.accounts.push(a);
  }

  async onHeartbeats(beats: Heartbeat[]): Promise<void> {
    const messages: { topic: string; messages: Message[] }[] = [];
    for (const { beat } of beats) {
      const [key, command] = this.next(beat);
      messages.push({ topic: this.bank.topic(key), messages: [await encode(this.bank, key, command, 'from' in command ? command.from : command.id)] });
      this.commands++;
    }
    if (messages.length) await this.producer.sendBatch({ topicMessages: messages });
  }

  private next(beat: number): ['confirm_account_creation', ConfirmAccountCreation] | ['confirm_money_transfer', ConfirmMoneyTransfer] {
    const id = randomUUID();
    if (this.accounts.length < 2 || (this.accounts.length < this.targetAccounts && beat % 3 === 0) || beat % 97 === 0) {
      return ['confirm_account_creation', { id, accountType: 'checking' }];
    }
    const pick = () => this.accounts[Math.floor(this.random() * this.accounts.length)];
    const amount = (max: number) => 1 + Math.floor(this.random() * max);
    const a = pick();
    let b = pick();
    while (b === a) b = pick();
    const r = this.random();
    const transfer = (from: AccountCreationConfirmed | null, to: string, cents: number, description: string, token = from?.token ?? '') =>
      ['confirm_money_transfer', { id, token, amount: cents, from: from?.iban ?? EXTERNAL_IBAN, to, description }] as ['confirm_money_transfer', ConfirmMoneyTransfer];
    if (r < 0.3) return transfer(null, a.iban, amount(20_000), 'salary');
    if (r < 0.45) return transfer(a, EXTERNAL_IBAN, amount(15_000), 'groceries');
    if (r < 0.5) return transfer(a, b.iban, 1_000_000_000, 'too much');
    if (r < 0.53) return transfer(a, b.iban, amount(100), 'bad token', 'not-the-token');
    return transfer(a, b.iban, amount(10_000), 'transfer');
  }
}

/** Keeps the balances; every command gets exactly one outcome, every balance change one BalanceChanged. */
export class CommandHandler {
  readonly balances = new Map<string, { token: string; balance: number }>();
  private created = 0;
  constructor(private bank: Bank, private producer: Producer) {}

  async onCommands(key: TopicKey, values: unknown[]): Promise<void> {
    const out: Message[][] = [[], [], [], [], []];
    const [created, confirmed, failed, changed] = out;
    for (const v of values) {
      if (key === 'confirm_account_creation') {
        const c = v as ConfirmAccountCreation;
        const iban = ibanFor(++this.created);
        const token = randomUUID().slice(0, 8);
        this.balances.set(iban, { token, balance: 0 });
        created.push(await encode(this.bank, 'account_creation_confirmed', { id: c.id, iban, token, accountType: c.accountType }, c.id));
        continue;
      }
      const t = v as ConfirmMoneyTransfer;
      const from = this.balances.get(t.from);
      const to = this.balances.get(t.to);
      const reason = isOurs(t.from) && !from ? 'unknown account'
        : from && from.token !== t.token ? 'invalid token'
          : from && from.balance < t.amount ? INSUFFICIENT
            : null;
      if (reason) {
        failed.push(await encode(this.bank, 'money_transfer_failed', { id: t.id, reason } satisfies MoneyTransferFailed, t.id));
        continue;
      }
      for (const [account, iban, delta, other] of [[from, t.from, -t.amount, t.to], [to, t.to, t.amount, t.from]] as const) {
        if (!account) continue;
        account.balance += delta;
        const event: BalanceChanged = { iban, newBalance: account.balance, changedBy: delta, fromTo: other, description: t.description, commandId: t.id };
        changed.push(await encode(this.bank, 'balance_changed', event, iban));
      }
      confirmed.push(await encode(this.bank, 'money_transfer_confirmed', { id: t.id }, t.id));
    }
    const topics: TopicKey[] = ['account_creation_confirmed', 'money_transfer_confirmed', 'money_transfer_failed', 'balance_changed'];
    const topicMessages = topics.map((k, i) => ({ topic: this.bank.topic(k), messages: out[i] })).filter((t) => t.messages.length);
    if (topicMessages.length) await this.producer.sendBatch({ topicMessages });
  }
}

export interface Outcome { status: 'confirmed' | 'failed'; reason?: string; at: number }

/** Watches commands and their outcomes; measures command → BalanceChanged latency and rebuilds every balance. */
export class Checker {
  readonly commandAt = new Map<string, { at: number; transfer: ConfirmMoneyTransfer }>();
  readonly outcomes = new Map<string, Outcome>();
  readonly firstBalanceEvent = new Map<string, number>();
  readonly balances = new Map<string, number>();
  readonly problems: string[] = [];
  private seenChange = new Set<string>();

  async onRecords(key: TopicKey, values: { value: unknown; timestamp: number }[]): Promise<void> {
    const now = Date.now();
    for (const { value, timestamp } of values) {
      if (key === 'confirm_money_transfer') {
        const t = value as ConfirmMoneyTransfer;
        this.commandAt.set(t.id, { at: timestamp, transfer: t });
      } else if (key === 'money_transfer_confirmed' || key === 'money_transfer_failed') {
        const { id, reason } = value as MoneyTransferFailed;
        if (this.outcomes.has(id)) this.problems.push(`command ${id} got a second outcome`);
        this.outcomes.set(id, { status: key === 'money_transfer_failed' ? 'failed' : 'confirmed', reason, at: now });
      } else if (key === 'balance_changed') {
        const e = value as BalanceChanged;
        const k = `${e.commandId}/${e.iban}`;
        if (this.seenChange.has(k)) this.problems.push(`duplicate BalanceChanged ${k}`);
        this.seenChange.add(k);
        const before = this.balances.get(e.iban) ?? 0;
        if (before + e.changedBy !== e.newBalance) this.problems.push(`${e.iban}: ${before} ${e.changedBy >= 0 ? '+' : ''}${e.changedBy} != ${e.newBalance}`);
        if (e.newBalance < 0) this.problems.push(`${e.iban} went negative: ${e.newBalance}`);
        this.balances.set(e.iban, e.newBalance);
        if (!this.firstBalanceEvent.has(e.commandId)) this.firstBalanceEvent.set(e.commandId, now);
      }
    }
  }
}

/** Small deterministic PRNG, so runs are comparable. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
