/**
 * kcat (Debian: kcat 1.7.1 on librdkafka 2.0.2), driven through its command line. kcat cannot create topics, so it
 * relies on auto-creation (librdkafka's producer asks for it in Metadata); -H sets the same headers on every
 * message of one invocation, so expected headers are per batch here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { type Ctx, runIfMain, type ScenarioTable, securityScenario } from '../lib/harness.js';
import { check, checkMessages, type Msg, sleep, testMessages } from '../lib/expect.js';
import type { Codec } from '../lib/scenarios.js';

const COMMON = ['-X', 'socket.timeout.ms=10000', '-X', 'topic.metadata.refresh.interval.ms=1000'];

function kcat(ctx: Ctx, args: string[], input?: string, timeoutMs = 20000): Promise<string> {
  const s = ctx.saslSsl;
  const secure = s ? ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${s.caPath}`, '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', `sasl.username=${s.user}`] : [];
  const argv = ['-b', ctx.bootstrap, ...COMMON, ...secure, ...args];
  ctx.log('kcat', argv.join(' '));
  // The password goes last, after the log line.
  if (s) argv.push('-X', `sasl.password=${s.password}`);
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', argv, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (stderr.trim()) ctx.log('kcat stderr:', stderr.trim().split('\n').slice(-10).join('\n'));
      if (err) reject(new Error(`kcat ${args.slice(0, 3).join(' ')} … failed: ${err.killed ? 'timed out' : `exit ${err.code}`}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`));
      else resolve(stdout);
    });
    child.stdin!.end(input ?? '');
  });
}

function batch(n: number, tag: string): Msg[] {
  return testMessages(n, tag).map((m) => ({ ...m, headers: { 'compat-tag': tag } }));
}

async function produce(ctx: Ctx, topic: string, messages: Msg[], extra: string[] = []): Promise<void> {
  const tag = messages[0].headers['compat-tag'];
  const input = messages.map((m) => `${m.key}\t${m.value}\n`).join('');
  await kcat(ctx, ['-P', '-t', topic, '-K', '\t', '-H', `compat-tag=${tag}`, '-X', 'acks=all', ...extra], input);
}

interface KcatJson { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] }

function parse(out: string): Msg[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    const j = JSON.parse(l) as KcatJson;
    const headers: Record<string, string> = {};
    for (let i = 0; j.headers && i < j.headers.length; i += 2) headers[j.headers[i]] = j.headers[i + 1];
    return { key: j.key ?? '', value: j.payload ?? '', headers, partition: j.partition, offset: j.offset };
  });
}

/** Reads the topic from `from` to its end, without a group. */
async function readAll(ctx: Ctx, topic: string, extra: string[] = [], from = 'beginning'): Promise<Msg[]> {
  return parse(await kcat(ctx, ['-C', '-t', topic, '-o', from, '-e', '-J', ...extra]));
}

/**
 * Reads as member of `group` until the end of the assigned partitions; commits on close. (No -o here: with -G,
 * kcat applies -o to every assignment and so would ignore the committed offsets.)
 */
async function readGroup(ctx: Ctx, topic: string, group: string): Promise<Msg[]> {
  return parse(await kcat(ctx, ['-G', group, '-e', '-J', '-X', 'auto.offset.reset=earliest', topic], undefined, 30000));
}

async function roundTrip(ctx: Ctx, extra: string[] = [], readExtra: string[] = []): Promise<void> {
  const topic = `${ctx.prefix}-t`;
  const messages = batch(12, 'm');
  await produce(ctx, topic, messages, extra);
  checkMessages(await readAll(ctx, topic, readExtra), messages);
}

const codec = (c: Codec) => (ctx: Ctx) => roundTrip(ctx, ['-z', c]);

/**
 * The security column: the round trip over SASL_SSL + SCRAM-SHA-512, then one write the ACLs refuse (kcat reports
 * it on stderr: "Delivery failed for message: Broker: Topic authorization failed").
 */
const security = securityScenario((ctx) => roundTrip(ctx), (ctx, topic) => produce(ctx, topic, batch(1, 'denied')));

export const SCENARIOS: ScenarioTable = {
  kip848: 'kcat 1.7.1 is built on librdkafka 2.0.2, which predates group.protocol=consumer (KIP-848)',
  produce: (ctx) => roundTrip(ctx),
  security,
  gzip: codec('gzip'), snappy: codec('snappy'), lz4: codec('lz4'), zstd: codec('zstd'),

  async group(ctx) {
    const topic = `${ctx.prefix}-t`;
    const group = `${ctx.prefix}-g`;
    const first = batch(10, 'first');
    const second = batch(5, 'second');
    await produce(ctx, topic, first);
    checkMessages(await readGroup(ctx, topic, group), first);
    await produce(ctx, topic, second);
    checkMessages(await readGroup(ctx, topic, group), second);
  },

  admin: 'kcat has no admin operations (metadata listing only)',

  async timestamps(ctx) {
    // kcat cannot set a record's timestamp, so the batches are a second apart in CreateTime.
    const topic = `${ctx.prefix}-t`;
    await produce(ctx, topic, batch(2, 'early'));
    await sleep(1200);
    const mid = Date.now();
    await sleep(100);
    const late = batch(3, 'late');
    await produce(ctx, topic, late);
    const q = await kcat(ctx, ['-Q', '-t', `${topic}:0:${mid}`]);
    check(/offset 2\b/.test(q) || /\b2\s*$/.test(q.trim()), `offset for the timestamp between the batches: ${q.trim()}`);
    checkMessages(await readAll(ctx, topic, [], `s@${mid}`), late);
  },

  idempotent: (ctx) => roundTrip(ctx, ['-X', 'enable.idempotence=true']),

  async transactions(ctx) {
    // kcat wraps its whole input in one transaction and commits it at the end; it cannot abort one.
    await roundTrip(ctx, ['-X', `transactional.id=${ctx.prefix}-tx`], ['-X', 'isolation.level=read_committed']);
  },

  registry: 'this kcat build has no Avro/Schema Registry support (built without libserdes: no "Avro" in kcat -V)',
};

runIfMain(import.meta.url, SCENARIOS, () => {
  const v = execFileSync('kcat', ['-V'], { encoding: 'utf8' });
  const m = /Version (\S+).*librdkafka (\S+)/.exec(v);
  return m ? `kcat ${m[1]} (librdkafka ${m[2]})` : 'kcat';
});
