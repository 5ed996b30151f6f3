/** The ACL matcher alone: StandardAuthorizer's decisions, filters and binding validation (no broker). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AclSet, AclOperation as Op, AclPermission, PatternType, ResourceType as RT, bindingProblem, filterMatches, filterProblem,
  type AclBinding, type AclFilter, type AclSettings,
} from '../../src/security/acl.js';
import { clientAddress, parseSuperUsers } from '../../src/security/authorizer.js';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: RT.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*',
  operation: Op.READ, permissionType: AclPermission.ALLOW, ...over,
});
const denyByDefault: AclSettings = { superUsers: new Set(['User:admin']), allowIfNoAcl: false };
const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };

function setOf(...bindings: AclBinding[]): AclSet {
  const set = new AclSet();
  for (const b of bindings) set.add(b);
  return set;
}

test('a literal ALLOW grants its principal that operation on that name only', () => {
  const set = setOf(acl({}));
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.WRITE, RT.TOPIC, 'orders'), false);
  assert.equal(set.authorize(denyByDefault, bob, Op.READ, RT.TOPIC, 'orders'), false);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders2'), false);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.GROUP, 'orders'), false, 'another resource type');
});

test('super users are allowed everything, even against a DENY', () => {
  const set = setOf(acl({ principal: 'User:*', operation: Op.ALL, permissionType: AclPermission.DENY }));
  assert.equal(set.authorize(denyByDefault, { principal: 'User:admin', host: '1.2.3.4' }, Op.DELETE, RT.TOPIC, 'orders'), true);
  assert.deepEqual([...parseSuperUsers(' User:admin; User:ops ;')], ['User:admin', 'User:ops']);
});

test('allow.everyone.if.no.acl.found applies only to resources no ACL names at all', () => {
  const open: AclSettings = { superUsers: new Set(), allowIfNoAcl: true };
  const set = setOf(acl({}));
  assert.equal(set.authorize(open, bob, Op.READ, RT.TOPIC, 'unnamed'), true);
  assert.equal(set.authorize(denyByDefault, bob, Op.READ, RT.TOPIC, 'unnamed'), false);
  assert.equal(set.authorize(open, bob, Op.READ, RT.TOPIC, 'orders'), false, 'an ACL for someone else names the topic');
});

test('PREFIXED patterns, the * wildcard name, User:* and hosts', () => {
  const set = setOf(
    acl({ resourceName: 'orders-', patternType: PatternType.PREFIXED }),
    acl({ resourceName: '*', principal: 'User:*', operation: Op.DESCRIBE }),
    acl({ resourceType: RT.GROUP, resourceName: 'g', host: '10.0.0.1' }),
  );
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders-eu'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders-'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'order'), false);
  assert.equal(set.authorize(denyByDefault, bob, Op.DESCRIBE, RT.TOPIC, 'anything'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.GROUP, 'g'), true);
  assert.equal(set.authorize(denyByDefault, { ...alice, host: '10.0.0.9' }, Op.READ, RT.GROUP, 'g'), false);
});

test('DENY wins over ALLOW, whichever pattern carries it', () => {
  const set = setOf(
    acl({ resourceName: 'shared-', patternType: PatternType.PREFIXED, operation: Op.ALL }),
    acl({ resourceName: 'shared-locked', operation: Op.WRITE, permissionType: AclPermission.DENY }),
    acl({ resourceName: '*', operation: Op.DELETE, permissionType: AclPermission.DENY }),
  );
  assert.equal(set.authorize(denyByDefault, alice, Op.WRITE, RT.TOPIC, 'shared-open'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.WRITE, RT.TOPIC, 'shared-locked'), false);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'shared-locked'), true);
  assert.equal(set.authorize(denyByDefault, alice, Op.DELETE, RT.TOPIC, 'shared-open'), false, 'the wildcard DENY');
});

test('implied operations: READ/WRITE/DELETE/ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, for ALLOW only', () => {
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    assert.equal(setOf(acl({ operation: op })).authorize(denyByDefault, alice, Op.DESCRIBE, RT.TOPIC, 'orders'), true, `op ${op}`);
  }
  assert.equal(setOf(acl({ operation: Op.CREATE })).authorize(denyByDefault, alice, Op.DESCRIBE, RT.TOPIC, 'orders'), false);
  assert.equal(setOf(acl({ operation: Op.ALTER_CONFIGS })).authorize(denyByDefault, alice, Op.DESCRIBE_CONFIGS, RT.TOPIC, 'orders'), true);
  assert.equal(setOf(acl({ operation: Op.DESCRIBE_CONFIGS })).authorize(denyByDefault, alice, Op.ALTER_CONFIGS, RT.TOPIC, 'orders'), false);
  const denyRead = setOf(acl({ operation: Op.ALL }), acl({ operation: Op.READ, permissionType: AclPermission.DENY }));
  assert.equal(denyRead.authorize(denyByDefault, alice, Op.DESCRIBE, RT.TOPIC, 'orders'), true, 'a DENY of READ does not deny DESCRIBE');
  assert.equal(denyRead.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders'), false);
});

test('authorizeByResourceType: some ALLOW not dominated by a DENY (an idempotent producer with WRITE on any topic)', () => {
  const write = (over: Partial<AclBinding>) => acl({ operation: Op.WRITE, ...over });
  assert.equal(setOf(write({ resourceName: 'x' })).authorizeByResourceType(denyByDefault, alice, Op.WRITE, RT.TOPIC), true);
  assert.equal(setOf(write({ resourceName: 'x' })).authorizeByResourceType(denyByDefault, bob, Op.WRITE, RT.TOPIC), false);
  assert.equal(setOf(acl({ resourceName: 'x', operation: Op.READ })).authorizeByResourceType(denyByDefault, alice, Op.WRITE, RT.TOPIC), false);
  assert.equal(setOf(write({ resourceName: 'ab', patternType: PatternType.PREFIXED }), write({ resourceName: 'a', patternType: PatternType.PREFIXED, permissionType: AclPermission.DENY }))
    .authorizeByResourceType(denyByDefault, alice, Op.WRITE, RT.TOPIC), false, 'dominated by a shorter prefix DENY');
  assert.equal(setOf(write({ resourceName: 'x' }), write({ resourceName: 'x', permissionType: AclPermission.DENY }))
    .authorizeByResourceType(denyByDefault, alice, Op.WRITE, RT.TOPIC), false);
  assert.equal(setOf(write({ resourceName: 'x' }), write({ resourceName: '*', permissionType: AclPermission.DENY }))
    .authorizeByResourceType(denyByDefault, alice, Op.WRITE, RT.TOPIC), false);
  assert.equal(new AclSet().authorizeByResourceType({ superUsers: new Set(), allowIfNoAcl: true }, bob, Op.WRITE, RT.TOPIC), true);
});

test('authorized-operations bitfield: one bit per allowed operation code', () => {
  const set = setOf(acl({ operation: Op.WRITE }));
  assert.equal(set.authorizedOperations(denyByDefault, alice, RT.TOPIC, 'orders'), (1 << Op.WRITE) | (1 << Op.DESCRIBE));
  assert.equal(set.authorizedOperations(denyByDefault, bob, RT.TOPIC, 'orders'), 0);
});

test('filters: ANY, MATCH and exact pattern types, null fields match anything', () => {
  const literal = acl({});
  const prefixed = acl({ resourceName: 'ord', patternType: PatternType.PREFIXED });
  const wildcard = acl({ resourceName: '*' });
  const other = acl({ resourceName: 'payments' });
  const all: AclFilter = { resourceType: RT.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: AclPermission.ANY };
  const names = (f: AclFilter) => [literal, prefixed, wildcard, other].filter((b) => filterMatches(f, b)).map((b) => `${b.patternType}:${b.resourceName}`);
  assert.deepEqual(names(all), ['3:orders', '4:ord', '3:*', '3:payments']);
  assert.deepEqual(names({ ...all, resourceName: 'orders', patternType: PatternType.MATCH }), ['3:orders', '4:ord', '3:*']);
  assert.deepEqual(names({ ...all, resourceName: 'orders' }), ['3:orders'], 'ANY matches the exact name only');
  assert.deepEqual(names({ ...all, resourceName: 'ord', patternType: PatternType.PREFIXED }), ['4:ord']);
  assert.deepEqual(names({ ...all, principal: 'User:bob' }), []);
  assert.deepEqual(names({ ...all, operation: Op.READ, permissionType: AclPermission.ALLOW, resourceType: RT.TOPIC }).length, 4);
  assert.equal(filterProblem({ ...all, resourceType: RT.UNKNOWN }), 'Unknown patternFilter.');
  assert.equal(filterProblem({ ...all, operation: 99 }), 'Unknown entryFilter.');
  assert.equal(filterProblem(all), null);
});

test('malformed bindings are refused with the reason', () => {
  assert.equal(bindingProblem(acl({})), null);
  assert.match(bindingProblem(acl({ resourceType: 99 }))!, /resourceType/);
  assert.match(bindingProblem(acl({ resourceType: RT.ANY }))!, /resourceType/);
  assert.match(bindingProblem(acl({ patternType: PatternType.MATCH }))!, /patternType/);
  assert.match(bindingProblem(acl({ patternType: PatternType.ANY }))!, /patternType/);
  assert.match(bindingProblem(acl({ operation: Op.ANY }))!, /operation/);
  assert.match(bindingProblem(acl({ permissionType: AclPermission.ANY }))!, /permissionType/);
  assert.match(bindingProblem(acl({ principal: '' }))!, /principal/);
  assert.match(bindingProblem(acl({ principal: 'alice' }))!, /principal/);
  assert.match(bindingProblem(acl({ resourceName: '' }))!, /empty/);
  assert.match(bindingProblem(acl({ resourceType: RT.CLUSTER, resourceName: 'mine' }))!, /kafka-cluster/);
  assert.equal(bindingProblem(acl({ resourceType: RT.CLUSTER, resourceName: 'kafka-cluster' })), null);
});

test('removing a binding takes it out of every decision', () => {
  const b = acl({ resourceName: 'orders-', patternType: PatternType.PREFIXED });
  const set = setOf(b, acl({ resourceName: 'orders-', patternType: PatternType.PREFIXED, principal: 'User:bob' }));
  set.remove(b);
  assert.equal(set.size, 1);
  assert.equal(set.authorize(denyByDefault, alice, Op.READ, RT.TOPIC, 'orders-1'), false);
  assert.equal(set.authorize(denyByDefault, bob, Op.READ, RT.TOPIC, 'orders-1'), true);
});

test('client addresses as ACL hosts name them', () => {
  assert.equal(clientAddress('127.0.0.1:5000'), '127.0.0.1');
  assert.equal(clientAddress('::1:5000'), '::1');
  assert.equal(clientAddress('::ffff:10.1.2.3:5000'), '10.1.2.3');
});
