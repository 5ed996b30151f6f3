"""confluent-kafka-python (Debian python3-confluent-kafka 1.7.0 on librdkafka 2.0.2). Run with /usr/bin/python3."""
import io
import json
import struct
import time

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from compat_common import (NotSupported, USER_SCHEMA_V1, USER_SCHEMA_V2, check, check_messages,
                           decode_headers, security_scenario, run_main, test_messages, wait_until)

COMMON = {'socket.timeout.ms': 10000, 'topic.metadata.refresh.interval.ms': 1000}


def admin(ctx):
    return AdminClient(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap}))


def wait_all(futures, what):
    for key, f in futures.items():
        try:
            f.result(timeout=15)
        except Exception as e:
            raise RuntimeError('%s %s: %s' % (what, key, e))


def create_topic(ctx, topic, partitions=2, config=None):
    a = admin(ctx)  # keep the handle alive until the futures resolve, or librdkafka destroys it (_DESTROY)
    wait_all(a.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1,
                                       config=config or {})], operation_timeout=10), 'create_topics')


def produce(ctx, topic, messages, timestamps=None, **conf):
    errors = []
    p = Producer(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap, 'acks': 'all', 'linger.ms': 5}, **conf))
    for i, m in enumerate(messages):
        extra = {'timestamp': timestamps[i]} if timestamps else {}
        p.produce(topic, m['value'].encode(), m['key'].encode(), headers=list(m['headers'].items()),
                  on_delivery=lambda err, msg: err and errors.append(err), **extra)
    left = p.flush(15)
    check(not errors, 'delivery failed: %s' % errors[:3])
    check(left == 0, '%d messages still unsent after 15 s' % left)


def to_msg(m):
    return {'key': (m.key() or b'').decode(), 'value': (m.value() or b'').decode(),
            'headers': decode_headers(m.headers()), 'partition': m.partition(), 'offset': m.offset()}


def poll_n(consumer, n, seconds=15, settle=0.5, raw=False):
    got = []

    def step():
        m = consumer.poll(0.2)
        if m is not None:
            if m.error():
                if m.error().code() != confluent_kafka.KafkaError._PARTITION_EOF:
                    raise RuntimeError('consumer error: %s' % m.error())
            else:
                got.append(m if raw else to_msg(m))
        return len(got) >= n

    wait_until('%d messages (have %d)' % (n, len(got)), seconds, step)
    end = time.time() + settle
    while time.time() < end:
        step()
    return got


def consumer(ctx, group=None, **conf):
    return Consumer(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap, 'group.id': group or ctx.prefix + '-reader',
                                    'auto.offset.reset': 'earliest', 'enable.auto.commit': False}, **conf))


def read_all(ctx, topic, n, partitions=2, **conf):
    """Reads with an explicit assignment (no group membership)."""
    c = consumer(ctx, **conf)
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    try:
        return poll_n(c, n, settle=1.0)
    finally:
        c.close()


def round_trip(ctx, **conf):
    create_topic(ctx, ctx.topic)
    messages = test_messages(12)
    produce(ctx, ctx.topic, messages, **conf)
    check_messages(read_all(ctx, ctx.topic, len(messages)), messages)


def codec(name):
    return lambda ctx: round_trip(ctx, **{'compression.type': name})


def group(ctx):
    create_topic(ctx, ctx.topic)
    first, second = test_messages(10, 'first'), test_messages(5, 'second')
    produce(ctx, ctx.topic, first)
    c = consumer(ctx, ctx.group)
    c.subscribe([ctx.topic])
    check_messages(poll_n(c, 10), first)
    c.commit(asynchronous=False)
    c.close()
    ctx.log('first member read and committed 10')
    produce(ctx, ctx.topic, second)
    c = consumer(ctx, ctx.group)
    c.subscribe([ctx.topic])
    check_messages(poll_n(c, 5, settle=1.5), second)
    c.commit(asynchronous=False)
    committed = c.committed([TopicPartition(ctx.topic, p) for p in range(2)], timeout=10)
    c.close()
    total = sum(max(0, tp.offset) for tp in committed)  # a partition without a commit says -1001
    check(total == 15, 'committed offsets add up to %d, expected 15' % total)


def rebalance(ctx):
    create_topic(ctx, ctx.topic, 4)
    members = {name: consumer(ctx, ctx.group, **{'session.timeout.ms': 10000, 'heartbeat.interval.ms': 500})
               for name in ('a', 'b')}
    got = {'a': [], 'b': []}

    def pump(names, seconds=0.3):
        end = time.time() + seconds
        while time.time() < end:
            for n in names:
                m = members[n].poll(0.05)
                if m is not None and not m.error():
                    got[n].append(to_msg(m))
                    members[n].commit(m, asynchronous=False)  # commit each message: a takeover never re-reads

    def owned(n):
        return {tp.partition for tp in members[n].assignment()}

    members['a'].subscribe([ctx.topic])
    wait_until('a to own all 4 partitions', 15, lambda: pump('a') or len(owned('a')) == 4)
    members['b'].subscribe([ctx.topic])
    wait_until('a and b to split the 4 partitions', 20, lambda: pump('ab') or (
        owned('b') and len(owned('a')) + len(owned('b')) == 4 and owned('a') | owned('b') == {0, 1, 2, 3}))
    first = test_messages(20, 'first')
    produce(ctx, ctx.topic, first)
    wait_until('20 messages between a and b', 15, lambda: pump('ab') or len(got['a']) + len(got['b']) >= 20)
    pump('ab', 0.5)
    check_messages(got['a'] + got['b'], first)
    for n in 'ab':
        check(all(m['partition'] in owned(n) for m in got[n]), 'member %s read a partition it was not assigned' % n)
    members['b'].close()
    wait_until('a to take over all 4 partitions', 20, lambda: pump('a') or len(owned('a')) == 4)
    second = test_messages(10, 'second')
    before = len(got['a'])
    produce(ctx, ctx.topic, second)
    wait_until('a to read the 10 new messages', 15, lambda: pump('a') or len(got['a']) - before >= 10)
    pump('a', 1.0)
    check_messages(got['a'][before:], second)
    members['a'].close()


def admin_ops(ctx):
    a = admin(ctx)
    topic = ctx.topic
    create_topic(ctx, topic, 1, {'retention.ms': '3600000'})
    check(topic in a.list_topics(timeout=10).topics, 'new topic not listed')

    def retention():
        res = ConfigResource('topic', topic)
        return a.describe_configs([res])[res].result(timeout=10)['retention.ms'].value

    check(retention() == '3600000', 'retention.ms after create: %s' % retention())
    wait_all(a.alter_configs([ConfigResource('topic', topic, set_config={'retention.ms': '7200000'})]), 'alter_configs')
    check(retention() == '7200000', 'retention.ms after alter: %s' % retention())
    wait_all(a.create_partitions([NewPartitions(topic, 3)]), 'create_partitions')
    wait_until('3 partitions', 10, lambda: len(a.list_topics(topic, timeout=10).topics[topic].partitions) == 3)
    wait_all(a.delete_topics([topic], operation_timeout=10), 'delete_topics')
    wait_until('topic to disappear', 10, lambda: topic not in a.list_topics(timeout=10).topics)


def timestamps(ctx):
    create_topic(ctx, ctx.topic, 1)
    base = int(time.time() * 1000) - 60000
    produce(ctx, ctx.topic, test_messages(5), timestamps=[base + i * 1000 for i in range(5)])
    c = consumer(ctx)
    try:
        found = c.offsets_for_times([TopicPartition(ctx.topic, 0, base + 1500)], timeout=10)
        check(found[0].offset == 2, 'offset for ts+1500: %s, expected 2' % found[0].offset)
        found = c.offsets_for_times([TopicPartition(ctx.topic, 0, base - 1000)], timeout=10)
        check(found[0].offset == 0, 'offset before the first record: %s, expected 0' % found[0].offset)
    finally:
        c.close()


def transactions(ctx):
    create_topic(ctx, ctx.topic)
    committed, aborted, after = test_messages(5, 'committed'), test_messages(5, 'aborted'), test_messages(2, 'after')
    p = Producer(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap, 'transactional.id': ctx.prefix + '-tx'}))
    p.init_transactions(15)
    for batch, commit in ((committed, True), (aborted, False), (after, True)):
        p.begin_transaction()
        for m in batch:
            p.produce(ctx.topic, m['value'].encode(), m['key'].encode(), headers=list(m['headers'].items()))
        p.flush(15)
        p.commit_transaction(15) if commit else p.abort_transaction(15)
    ctx.log('committed, aborted, committed')
    check_messages(read_all(ctx, ctx.topic, 7, **{'isolation.level': 'read_committed'}), committed + after)

    # Consume-transform-produce: the output and the group's offsets commit in one transaction.
    out = ctx.topic + '-out'
    create_topic(ctx, out)
    c = consumer(ctx, ctx.group, **{'isolation.level': 'read_committed'})
    c.subscribe([ctx.topic])
    got = poll_n(c, 7)
    positions = c.position(c.assignment())
    transformed = [dict(m, value=m['value'].upper()) for m in got]
    eos = Producer(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap, 'transactional.id': ctx.prefix + '-eos'}))
    eos.init_transactions(15)
    eos.begin_transaction()
    for m in transformed:
        eos.produce(out, m['value'].encode(), m['key'].encode(), headers=list(m['headers'].items()))
    eos.send_offsets_to_transaction(positions, c.consumer_group_metadata(), 15)
    eos.commit_transaction(15)
    committed_now = {tp.partition: tp.offset for tp in c.committed(c.assignment(), timeout=10)}
    c.close()
    for tp in positions:
        check(committed_now.get(tp.partition) == tp.offset, 'group offset of partition %d after the transaction: %s, expected %s'
              % (tp.partition, committed_now.get(tp.partition), tp.offset))
    check_messages(read_all(ctx, out, 7), transformed)


def registry(ctx):
    url = ctx.require_registry()
    try:
        import avro.io
        import avro.schema
    except ImportError:
        raise NotSupported('python3-avro is not installed (compat-suite/setup.sh installs it)')
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    sr = SchemaRegistryClient({'url': url})
    subject = ctx.topic + '-value'
    schema_id = sr.register_schema(subject, Schema(json.dumps(USER_SCHEMA_V1), 'AVRO'))
    ctx.log('registered', subject, 'id', schema_id)
    # The Confluent wire format by hand: AvroSerializer would need fastavro, which Debian lacks.
    writer_schema = avro.schema.parse(sr.get_schema(schema_id).schema_str)
    users = [{'id': 1, 'name': 'ada'}, {'id': 2, 'name': 'grace'}]

    def encode(u):
        buf = io.BytesIO()
        avro.io.DatumWriter(writer_schema).write(u, avro.io.BinaryEncoder(buf))
        return struct.pack('>bI', 0, schema_id) + buf.getvalue()

    create_topic(ctx, ctx.topic, 1)
    p = Producer(dict(COMMON, **{'bootstrap.servers': ctx.bootstrap}))
    for i, u in enumerate(users):
        p.produce(ctx.topic, encode(u), str(i).encode())
    check(p.flush(15) == 0, 'registry records not delivered')
    c = consumer(ctx)
    c.assign([TopicPartition(ctx.topic, 0, OFFSET_BEGINNING)])
    records = poll_n(c, 2, raw=True)
    c.close()
    out = []
    for r in records:
        magic, sid = struct.unpack('>bI', r.value()[:5])
        check(magic == 0 and sid == schema_id, 'wire header %s/%s, expected 0/%s' % (magic, sid, schema_id))
        reader = avro.schema.parse(sr.get_schema(sid).schema_str)
        out.append(avro.io.DatumReader(reader).read(avro.io.BinaryDecoder(io.BytesIO(r.value()[5:]))))
    check(out == users, 'decoded %r' % out)
    v2 = Schema(json.dumps(USER_SCHEMA_V2), 'AVRO')
    check(sr.test_compatibility(subject, v2), 'evolved schema reported incompatible')
    v2_id = sr.register_schema(subject, v2)
    check(v2_id != schema_id, 'evolved schema got the same id')
    latest = sr.get_latest_version(subject)
    check(latest.schema_id == v2_id and latest.version == 2, 'latest is id %s version %s' % (latest.schema_id, latest.version))
    check(sr.register_schema(subject, Schema(json.dumps(USER_SCHEMA_V1), 'AVRO')) == schema_id, 're-registering v1 changed its id')


def secure_conf(s):
    """The security column's client settings."""
    return {'security.protocol': 'SASL_SSL', 'ssl.ca.location': s['caPath'], 'sasl.mechanisms': 'SCRAM-SHA-512',
            'sasl.username': s['user'], 'sasl.password': s['password']}


SCENARIOS = {
    'produce': round_trip,
    'security': security_scenario(COMMON, secure_conf, round_trip,
                                  lambda ctx, topic: produce(ctx, topic, test_messages(1))),
    'gzip': codec('gzip'), 'snappy': codec('snappy'), 'lz4': codec('lz4'), 'zstd': codec('zstd'),
    'group': group,
    'rebalance': rebalance,
    'kip848': 'librdkafka 2.0.2 (Debian) predates group.protocol=consumer (KIP-848 came in later librdkafka releases)',
    'admin': admin_ops,
    'timestamps': timestamps,
    'idempotent': lambda ctx: round_trip(ctx, **{'enable.idempotence': True}),
    'transactions': transactions,
    'registry': registry,
}

if __name__ == '__main__':
    run_main(SCENARIOS, lambda: 'confluent-kafka-python %s (librdkafka %s)' % (
        confluent_kafka.version()[0], confluent_kafka.libversion()[0]))
