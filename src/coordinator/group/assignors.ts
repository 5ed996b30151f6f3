/**
 * The server-side assignors of consumer groups (KIP-848), by Kafka's names:
 *   uniform  every partition of the subscribed topics, spread so member loads differ by at most one where the
 *            subscriptions allow; sticky: a member keeps what it had in the previous target as far as balance allows.
 *   range    per topic, the subscribers in member-id order get contiguous ranges, the first ones one more.
 */
import type { Assignment } from './consumer-group.js';
import { toAssignment } from './consumer-group.js';

export interface AssignorTopic { id: string; partitions: number }
export interface AssignorMember { memberId: string; topics: string[] /* topic ids */ }
export type Assignor = (members: AssignorMember[], topics: ReadonlyMap<string, AssignorTopic>, previous: ReadonlyMap<string, Assignment>) => Map<string, Assignment>;

const byId = (a: AssignorMember, b: AssignorMember) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

const range: Assignor = (members, topics) => {
  const out = new Map<string, Array<[string, number[]]>>(members.map((m) => [m.memberId, []]));
  for (const topic of topics.values()) {
    const subscribers = members.filter((m) => m.topics.includes(topic.id)).sort(byId);
    if (subscribers.length === 0) continue;
    const base = Math.floor(topic.partitions / subscribers.length);
    const extra = topic.partitions % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const count = base + (i < extra ? 1 : 0);
      out.get(m.memberId)!.push([topic.id, Array.from({ length: count }, (_, k) => next + k)]);
      next += count;
    });
  }
  return new Map([...out].map(([id, entries]) => [id, toAssignment(entries)]));
};

const uniform: Assignor = (members, topics, previous) => {
  const sorted = [...members].sort(byId);
  const load = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  const eligible = (m: AssignorMember, t: string) => m.topics.includes(t);
  const total = [...topics.values()].filter((t) => sorted.some((m) => eligible(m, t.id))).reduce((n, t) => n + t.partitions, 0);
  const active = sorted.filter((m) => m.topics.some((t) => topics.has(t))).length;
  const quota = active === 0 ? 0 : Math.ceil(total / active);
  const taken = new Set<string>();
  // Sticky: keep the previous target where it is still valid, up to the quota.
  for (const m of sorted) {
    for (const [t, ps] of previous.get(m.memberId) ?? []) {
      const topic = topics.get(t);
      if (!topic || !eligible(m, t)) continue;
      for (const p of ps) {
        if (p >= topic.partitions || taken.has(`${t}:${p}`) || load.get(m.memberId)!.length >= quota) continue;
        taken.add(`${t}:${p}`);
        load.get(m.memberId)!.push([t, p]);
      }
    }
  }
  // The rest to the least loaded eligible member.
  for (const topic of topics.values()) {
    for (let p = 0; p < topic.partitions; p++) {
      if (taken.has(`${topic.id}:${p}`)) continue;
      let best: AssignorMember | undefined;
      for (const m of sorted) if (eligible(m, topic.id) && (!best || load.get(m.memberId)!.length < load.get(best.memberId)!.length)) best = m;
      if (!best) continue;
      taken.add(`${topic.id}:${p}`);
      load.get(best.memberId)!.push([topic.id, p]);
    }
  }
  // Balance: move partitions from the most to the least loaded member while they differ by more than one.
  for (let moves = 0; moves < total; moves++) {
    let moved = false;
    const order = [...sorted].sort((a, b) => load.get(b.memberId)!.length - load.get(a.memberId)!.length);
    outer: for (const from of order) {
      for (const to of [...order].reverse()) {
        if (load.get(from.memberId)!.length - load.get(to.memberId)!.length <= 1) continue;
        const items = load.get(from.memberId)!;
        const i = items.findIndex(([t]) => eligible(to, t));
        if (i < 0) continue;
        load.get(to.memberId)!.push(items.splice(i, 1)[0]);
        moved = true;
        break outer;
      }
    }
    if (!moved) break;
  }
  return new Map([...load].map(([id, items]) => [id, toAssignment(items.map(([t, p]) => [t, [p]]))]));
};

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([['uniform', uniform], ['range', range]]);
