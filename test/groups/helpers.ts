/** Helpers for consumer-group tests with real clients: polling for a condition, kafkajs members that record their assignment. */
import assert from 'node:assert/strict';
import type { Consumer, Kafka } from 'kafkajs';
import { callApi, startTestBroker } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { JoinGroupApi, SyncGroupApi, type JoinGroupRequest } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

/** Polls `check` until it returns a value other than undefined/false; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Member {
  consumer: Consumer;
  /** Partitions of the topic in the member's latest assignment. */
  partitions: number[];
  joins: number;
  messages: Array<{ partition: number; offset: string; value: string }>;
  /** Resolves with performance.now() at the first message. */
  firstMessageAt: Promise<number>;
}

/** A kafkajs consumer with fast-test settings that joins `groupId` and consumes `topic` from the beginning. */
export async function startMember(kafka: Kafka, groupId: string, topic: string, options: { sessionTimeout?: number; autoCommit?: boolean } = {}): Promise<Member> {
  const consumer = kafka.consumer({
    groupId, sessionTimeout: options.sessionTimeout ?? 6000, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100,
    retry: { retries: 10, initialRetryTime: 50 },
  });
  let first: (t: number) => void = () => {};
  const member: Member = { consumer, partitions: [], joins: 0, messages: [], firstMessageAt: new Promise((r) => { first = r; }) };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.partitions = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    member.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: options.autoCommit ?? true,
    autoCommitInterval: 100,
    eachMessage: async ({ partition, message }) => {
      if (member.messages.length === 0) first(performance.now());
      member.messages.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
    },
  });
  return member;
}

/** True when the members' assignments are disjoint, cover partitions 0..n-1 and each member has `each` of them. */
export function balanced(members: Member[], n: number, each: number[]): boolean {
  const all = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
  const sizes = members.map((m) => m.partitions.length).sort();
  return all.length === n && all.every((p, i) => p === i) && sizes.join() === [...each].sort().join();
}

/**
 * A broker whose pipeline notes the highest version of each API clients send (through its fault hook, which lets
 * every call through), to check which versions a real client picked.
 */
export async function startVersionRecordingBroker(): Promise<{ broker: RunningBroker; sent: Map<string, number> }> {
  const broker = await startTestBroker();
  const sent = new Map<string, number>();
  broker.broker.faults = {
    intercept: (call, next) => {
      sent.set(call.handler.api.name, Math.max(sent.get(call.handler.api.name) ?? -1, call.ctx.version));
      return next();
    },
  };
  return { broker, sent };
}

const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 2, 0x76, 0x74, 0xff, 0xff, 0xff, 0xff]); // v0, ["vt"], no user data

/** A raw JoinGroup of a consumer subscribing to topic "vt" with the range assignor. */
export const joinBody = (groupId: string, over: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription }], reason: null, ...over,
});

/** A one-member Stable classic group at JoinGroup/SyncGroup `version`, over raw requests: the member's id and generation. */
export async function stableGroupAt(port: number, groupId: string, version: number, groupInstanceId: string | null = null) {
  let joined = await callApi(port, JoinGroupApi, version, joinBody(groupId, { groupInstanceId }));
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) joined = await callApi(port, JoinGroupApi, version, joinBody(groupId, { memberId: joined.memberId, groupInstanceId }));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await callApi(port, SyncGroupApi, Math.min(version, 5), {
    groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId, protocolType: null, protocolName: null,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('assigned') }],
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return joined;
}
