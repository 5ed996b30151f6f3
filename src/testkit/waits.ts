/**
 * Waits for tests, so they need no sleeps: each resolves on the events themselves — a group's changes (the group
 * coordinator's `watch`), appends and markers of the partitions concerned (`PartitionLog.watch`) and the topic
 * catalogue (`Broker.topicWatchers`: a topic created, deleted or grown after the wait began) — never by polling.
 * After an event the condition is checked once the operation that caused it has finished (a microtask later), so a
 * wait never sees a group half-way through a change.
 *
 * Each takes a timeout in real milliseconds (default 10 s, whatever the broker's clock) and then rejects with a
 * TestkitError (code SAMSA_WAIT_TIMEOUT) saying what was awaited and what was last seen.
 */
import type { Broker } from '../broker.js';
import { TestkitError } from './errors.js';
import { committedOffsets, countRecords, groupInfo, readRecords, shareGroupInfo, type CommittedOffset, type GroupInfo, type InspectedRecord, type ShareGroupInfo } from './inspect.js';

export const DEFAULT_WAIT_MS = 10_000;

export interface WaitOptions {
  /** Real milliseconds before the wait rejects (default 10 000). */
  timeoutMs?: number;
}

export interface GroupCondition extends WaitOptions {
  /**
   * Empty, PreparingRebalance, CompletingRebalance, Stable, or Dead (no such group); a consumer (KIP-848) group's are
   * Empty, Assigning, Reconciling, Stable.
   */
  state?: string;
  /** How many members. */
  members?: number;
  /** With `topic`: the group lags by at most this on each of the topic's partitions (one without a commit lags by all it holds). */
  lag?: number;
  topic?: string;
}

export interface CommittedCondition extends WaitOptions {
  /** One partition; default: every partition of the topic. */
  partition?: number;
  /** Committed offset at least this (on each partition concerned). */
  offset?: number;
  /** Lag (high watermark minus committed offset; a partition without a commit lags by all it holds) at most this. */
  lag?: number;
}

export interface ShareGroupCondition extends WaitOptions {
  /** Empty, Stable, or Dead (no such group). */
  state?: string;
  /** How many members. */
  members?: number;
  /** On every share-partition of this topic (at least one): records not yet acknowledged or archived at most this. */
  topic?: string;
  lag?: number;
}

export interface RecordsCondition extends WaitOptions {
  /** Count in one partition only. */
  partition?: number;
}

interface Wait<T> {
  what: string;
  timeoutMs: number;
  /** The awaited value once the condition holds, else undefined. */
  check(): T | undefined;
  /** What is there now, for the timeout's message. */
  seen(): string;
  /** Starts listening; returns the function that stops. */
  subscribe(wake: () => void): () => void;
}

function waitUntil<T>(w: Wait<T>): Promise<T> {
  if (!(w.timeoutMs >= 0)) return Promise.reject(new TestkitError('SAMSA_INVALID_ARGUMENT', `${w.what}: timeoutMs must be a number >= 0`));
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let queued = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      unsubscribe();
    };
    const evaluate = (): void => {
      queued = false;
      if (done) return;
      let value: T | undefined;
      try {
        value = w.check();
      } catch (err) {
        finish();
        reject(err);
        return;
      }
      if (value === undefined) return;
      finish();
      resolve(value);
    };
    const wake = (): void => {
      if (queued || done) return;
      queued = true;
      queueMicrotask(evaluate);
    };
    const unsubscribe = w.subscribe(wake);
    // A real timer on purpose: the timeout bounds the test's wall time, whatever the broker's clock does.
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      reject(new TestkitError('SAMSA_WAIT_TIMEOUT', `${w.what}: timed out after ${w.timeoutMs} ms; last seen: ${w.seen()}`));
    }, w.timeoutMs);
    evaluate();
  });
}

/** Watches every partition of `topic`, as the topic comes, goes and grows. */
function watchTopic(broker: Broker, topic: string, wake: () => void): () => void {
  let unwatch: Array<() => void> = [];
  const attach = (): void => {
    for (const stop of unwatch) stop();
    unwatch = [];
    const meta = broker.topics.get(topic);
    for (let p = 0; p < (meta?.partitions ?? 0); p++) {
      const log = broker.logs.get(topic, p);
      if (log) unwatch.push(log.watch(wake));
    }
  };
  const onTopic = (name: string): void => {
    if (name !== topic) return;
    attach();
    wake();
  };
  broker.topicWatchers.add(onTopic);
  attach();
  return () => {
    broker.topicWatchers.delete(onTopic);
    for (const stop of unwatch) stop();
  };
}

const watchGroup = (broker: Broker, groupId: string, wake: () => void): () => void =>
  broker.groups.watch((id) => { if (id === groupId) wake(); });

function describeGroup(g: GroupInfo | undefined): string {
  return g ? `${g.type} group, state ${g.state} with ${g.members.length} member(s), ${g.type === 'classic' ? 'generation' : 'epoch'} ${g.generationId}` : 'no such group (Dead)';
}

export function waitForGroup(broker: Broker, groupId: string, cond: GroupCondition = {}): Promise<GroupInfo> {
  if ((cond.lag === undefined) !== (cond.topic === undefined)) {
    return Promise.reject(new TestkitError('SAMSA_INVALID_ARGUMENT', 'waitForGroup: give `lag` with `topic`'));
  }
  const wanted = [cond.state && `state ${cond.state}`, cond.members !== undefined && `${cond.members} member(s)`,
    cond.lag !== undefined && `lag <= ${cond.lag} on '${cond.topic}'`].filter(Boolean).join(' with ') || 'to exist';
  return waitUntil({
    what: `waitForGroup('${groupId}', ${wanted})`,
    timeoutMs: cond.timeoutMs ?? DEFAULT_WAIT_MS,
    check: () => {
      const g = groupInfo(broker, groupId);
      const state = g?.state ?? 'Dead';
      if (cond.state !== undefined && state !== cond.state) return undefined;
      if (cond.members !== undefined && (g?.members.length ?? 0) !== cond.members) return undefined;
      if (cond.lag !== undefined && !lagsAtMost(committedState(broker, groupId, cond.topic!), cond.lag)) return undefined;
      if (cond.state === undefined && cond.members === undefined && cond.lag === undefined && !g) return undefined;
      return g ?? { groupId, type: 'classic', state: 'Dead', protocolType: null, protocol: null, generationId: -1, leader: null, assignmentEpoch: null, assignor: null, members: [], committed: [] };
    },
    seen: () => describeGroup(groupInfo(broker, groupId)) + (cond.topic !== undefined ? `; ${describeCommitted(committedState(broker, groupId, cond.topic), cond.topic)}` : ''),
    subscribe: (wake) => {
      const stopGroup = watchGroup(broker, groupId, wake);
      const stopTopic = cond.topic !== undefined ? watchTopic(broker, cond.topic, wake) : () => {};
      return () => { stopGroup(); stopTopic(); };
    },
  });
}

/** Per partition of `topic` (all, or one): [partition, committed offset or null, high watermark (-1: no such partition), log start]; null without the topic. */
function committedState(broker: Broker, groupId: string, topic: string, partition?: number): Array<[number, number | null, number, number]> | null {
  const meta = broker.topics.get(topic);
  if (!meta) return null;
  const committed = new Map(committedOffsets(broker, groupId).filter((o) => o.topic === topic).map((o) => [o.partition, o.offset]));
  const partitions = partition === undefined ? [...Array(meta.partitions).keys()] : [partition];
  return partitions.map((p) => {
    const log = broker.partition(topic, p);
    return [p, committed.get(p) ?? null, log?.highWatermark ?? -1, log?.logStartOffset ?? 0];
  });
}

/** Whether every partition exists and lags by at most `lag` (one without a commit lags by all it holds). */
const lagsAtMost = (s: ReturnType<typeof committedState>, lag: number) =>
  s !== null && s.every(([, committed, hw, start]) => hw >= 0 && hw - Math.max(committed ?? start, start) <= lag);

function describeCommitted(s: ReturnType<typeof committedState>, topic: string): string {
  if (!s) return `no topic '${topic}'`;
  return s.map(([p, committed, hw]) => (hw < 0 ? `no partition ${p}` : `partition ${p}: committed ${committed ?? 'none'}, high watermark ${hw}`)).join('; ');
}

/** Resolves with the share group's description once it is in `state`, has `members`, and/or lags by at most `lag` on `topic`. */
export function waitForShareGroup(broker: Broker, groupId: string, cond: ShareGroupCondition = {}): Promise<ShareGroupInfo> {
  if ((cond.lag === undefined) !== (cond.topic === undefined)) {
    return Promise.reject(new TestkitError('SAMSA_INVALID_ARGUMENT', 'waitForShareGroup: give `lag` with `topic`'));
  }
  const wanted = [cond.state && `state ${cond.state}`, cond.members !== undefined && `${cond.members} member(s)`,
    cond.lag !== undefined && `lag <= ${cond.lag} on '${cond.topic}'`].filter(Boolean).join(' with ') || 'to exist';
  const dead = (): ShareGroupInfo => ({ groupId, state: 'Dead', groupEpoch: 0, members: [], partitions: [] });
  return waitUntil({
    what: `waitForShareGroup('${groupId}', ${wanted})`,
    timeoutMs: cond.timeoutMs ?? DEFAULT_WAIT_MS,
    check: () => {
      const g = shareGroupInfo(broker, groupId);
      if (cond.state !== undefined && (g?.state ?? 'Dead') !== cond.state) return undefined;
      if (cond.members !== undefined && (g?.members.length ?? 0) !== cond.members) return undefined;
      if (cond.lag !== undefined) {
        const partitions = g?.partitions.filter((p) => p.topic === cond.topic) ?? [];
        if (partitions.length === 0 || partitions.some((p) => p.lag > cond.lag!)) return undefined;
      }
      if (cond.state === undefined && cond.members === undefined && cond.lag === undefined && !g) return undefined;
      return g ?? dead();
    },
    seen: () => {
      const g = shareGroupInfo(broker, groupId);
      if (!g) return 'no such share group (Dead)';
      return `state ${g.state} with ${g.members.length} member(s); ` + (g.partitions.map((p) => `${p.topic}/${p.partition}: start ${p.startOffset}, lag ${p.lag}`).join('; ') || 'no share-partitions');
    },
    subscribe: (wake) => {
      const stopGroup = broker.shares.watchChanges((id) => { if (id === groupId) wake(); });
      const stopTopic = cond.topic !== undefined ? watchTopic(broker, cond.topic, wake) : () => {};
      return () => { stopGroup(); stopTopic(); };
    },
  });
}

/** Resolves with the group's committed offsets of `topic` once each partition concerned meets the condition. */
export function waitForCommitted(broker: Broker, groupId: string, topic: string, cond: CommittedCondition): Promise<CommittedOffset[]> {
  if ((cond.offset === undefined) === (cond.lag === undefined)) {
    return Promise.reject(new TestkitError('SAMSA_INVALID_ARGUMENT', 'waitForCommitted: give either `offset` or `lag`'));
  }
  const where = cond.partition === undefined ? `'${topic}'` : `'${topic}' partition ${cond.partition}`;
  const wanted = cond.offset !== undefined ? `offset >= ${cond.offset}` : `lag <= ${cond.lag}`;
  const state = () => committedState(broker, groupId, topic, cond.partition);
  return waitUntil({
    what: `waitForCommitted('${groupId}', ${where}, ${wanted})`,
    timeoutMs: cond.timeoutMs ?? DEFAULT_WAIT_MS,
    check: () => {
      const s = state();
      if (!s) return undefined;
      const ok = cond.offset !== undefined ? s.every(([, committed, hw]) => hw >= 0 && committed !== null && committed >= cond.offset!) : lagsAtMost(s, cond.lag!);
      return ok ? committedOffsets(broker, groupId).filter((o) => o.topic === topic) : undefined;
    },
    seen: () => describeCommitted(state(), topic),
    subscribe: (wake) => {
      const stopGroup = watchGroup(broker, groupId, wake);
      const stopTopic = watchTopic(broker, topic, wake);
      return () => { stopGroup(); stopTopic(); };
    },
  });
}

/**
 * Resolves with the topic's records (decoded, markers included) once it holds at least `count` data records — records of
 * open or aborted transactions count, markers do not.
 */
export function waitForRecords(broker: Broker, topic: string, count: number, cond: RecordsCondition = {}): Promise<InspectedRecord[]> {
  /** Per partition log: data records counted so far, and the offset counted up to (appends only add from there). */
  const counted = new Map<object, { start: number; next: number; n: number }>();
  const total = (): number | null => {
    const meta = broker.topics.get(topic);
    if (!meta) return null;
    let n = 0;
    for (let p = 0; p < meta.partitions; p++) {
      if (cond.partition !== undefined && p !== cond.partition) continue;
      const log = broker.logs.get(topic, p);
      if (!log) continue;
      let c = counted.get(log);
      // Retention or DeleteRecords moved the start: count again from there.
      if (!c || c.start !== log.logStartOffset) c = { start: log.logStartOffset, next: log.logStartOffset, n: 0 };
      c.n += countRecords(log, c.next);
      c.next = log.highWatermark;
      counted.set(log, c);
      n += c.n;
    }
    return n;
  };
  const where = cond.partition === undefined ? `'${topic}'` : `'${topic}' partition ${cond.partition}`;
  return waitUntil({
    what: `waitForRecords(${where}, ${count})`,
    timeoutMs: cond.timeoutMs ?? DEFAULT_WAIT_MS,
    check: () => {
      const n = total();
      return n !== null && n >= count ? readRecords(broker, topic, { partition: cond.partition }) : undefined;
    },
    seen: () => {
      const n = total();
      return n === null ? `no topic '${topic}'` : `${n} record(s)`;
    },
    subscribe: (wake) => watchTopic(broker, topic, wake),
  });
}
