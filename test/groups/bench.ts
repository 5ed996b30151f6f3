/**
 * Consumer-group figures (the performance targets), against an in-process broker:
 *   node dist/test/groups/bench.js            (or call groupBenchmarks from the bench harness)
 * Nothing here asserts; it prints what it measured. Client settings used are printed with each figure.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startBroker } from '../../src/index.js';

type Report = (name: string, value: string) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function groupBenchmarks(bootstrap: string, report: Report): Promise<void> {
  const kafka = new Kafka({ clientId: 'group-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  const consumers: Consumer[] = [];
  try {
    // 1. consumer.run() to the first message, fresh group each time (one message already in the topic).
    await admin.createTopics({ topics: [{ topic: 'bench-first', numPartitions: 6 }] });
    await producer.send({ topic: 'bench-first', messages: [{ value: 'x', partition: 0 }] });
    const firsts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const c = kafka.consumer({ groupId: `bench-first-${i}`, maxWaitTimeInMs: 100 });
      await c.connect();
      await c.subscribe({ topic: 'bench-first', fromBeginning: true });
      const got = new Promise<number>((resolve) => {
        void c.run({ eachMessage: async () => resolve(performance.now()) });
      });
      const start = performance.now();
      firsts.push((await got) - start);
      await c.disconnect();
    }
    report('kafkajs consumer.run() to first message, fresh group (median of 7)', `${median(firsts).toFixed(0)} ms`);

    // 2. A 10-member group: time from the 10th member's run() until every member holds its share.
    await admin.createTopics({ topics: [{ topic: 'bench-ten', numPartitions: 20 }] });
    const shares = new Map<number, number>();
    const members: Consumer[] = [];
    let lastJoinStart = 0;
    let allAt = 0;
    const allAssigned = new Promise<void>((resolve) => {
      const check = () => {
        if (shares.size === 10 && [...shares.values()].every((n) => n === 2)) { allAt = performance.now(); resolve(); }
      };
      for (let i = 0; i < 10; i++) {
        const c = kafka.consumer({ groupId: 'bench-ten', heartbeatInterval: 100, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
        c.on(c.events.GROUP_JOIN, (e) => { shares.set(i, e.payload.memberAssignment['bench-ten']?.length ?? 0); check(); });
        members.push(c);
      }
    });
    for (let i = 0; i < 10; i++) {
      const c = members[i];
      consumers.push(c);
      await c.connect();
      await c.subscribe({ topic: 'bench-ten', fromBeginning: true });
      if (i === 9) lastJoinStart = performance.now();
      await c.run({ eachMessage: async () => {} });
      if (i < 9) await new Promise((r) => setTimeout(r, 50));
    }
    await allAssigned;
    report('10-member group: last member run() to all 10 assigned (kafkajs heartbeatInterval=100)', `${(allAt - lastJoinStart).toFixed(0)} ms`);

    // 3. 50 groups x 3 members, heartbeating under produce load: rebalances after all are Stable.
    await admin.createTopics({ topics: [{ topic: 'bench-many', numPartitions: 3 }] });
    let joins = 0;
    for (let g = 0; g < 50; g++) {
      for (let m = 0; m < 3; m++) {
        const c = kafka.consumer({ groupId: `bench-many-${g}`, heartbeatInterval: 1000, sessionTimeout: 10_000, maxWaitTimeInMs: 500 });
        c.on(c.events.GROUP_JOIN, () => { joins++; });
        consumers.push(c);
        await c.connect();
        await c.subscribe({ topic: 'bench-many', fromBeginning: true });
        await c.run({ eachMessage: async () => {} });
      }
    }
    const stableCount = async () => (await admin.describeGroups(Array.from({ length: 50 }, (_, g) => `bench-many-${g}`))).groups
      .filter((x) => x.state === 'Stable' && x.members.length === 3).length;
    const deadline = Date.now() + 60_000;
    while ((await stableCount()) < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const joinsAtStable = joins;
    const loadEnd = Date.now() + 15_000;
    let sent = 0;
    while (Date.now() < loadEnd) {
      await producer.send({ topic: 'bench-many', messages: Array.from({ length: 100 }, (_, i) => ({ value: `m${i}` })) });
      sent += 100;
    }
    report('50 groups x 3 members (kafkajs heartbeatInterval=1000, session 10 s): Stable after 15 s of load',
      `${await stableCount()}/50 groups, ${joins - joinsAtStable} rebalances, ${sent} messages produced`);
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
    await producer.disconnect();
    await admin.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const broker = await startBroker({ port: 0, inMemory: true, logLevel: 'warn', useEnvironment: false });
  await groupBenchmarks(broker.bootstrap, (name, value) => console.log(`${name.padEnd(92)} ${value}`));
  await broker.close();
}
