"""kafka-python (Debian python3-kafka 2.0.2). Run with /usr/bin/python3.

It probes the broker with ApiVersions v0 pipelined with Metadata v0, then hard-codes its request versions.
"""
import threading
import time

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.structs import OffsetAndMetadata
from kafka import codec as kcodec

from compat_common import (NotSupported, check, check_messages, decode_headers, security_scenario,
                           run_main, test_messages, wait_until)

COMMON = {'request_timeout_ms': 15000, 'api_version_auto_timeout_ms': 5000, 'metadata_max_age_ms': 1000}
CODEC_MODULE = {'snappy': (kcodec.has_snappy, 'python3-snappy'), 'lz4': (kcodec.has_lz4, 'python3-lz4'),
                'zstd': (kcodec.has_zstd, 'python3-zstandard')}


def admin(ctx):
    return KafkaAdminClient(bootstrap_servers=ctx.bootstrap, **COMMON)


def create_topic(ctx, topic, partitions=2, config=None):
    a = admin(ctx)
    try:
        a.create_topics([NewTopic(topic, partitions, 1, topic_configs=config or {})], timeout_ms=10000)
    finally:
        a.close()


def produce(ctx, topic, messages, timestamps=None, **conf):
    p = KafkaProducer(bootstrap_servers=ctx.bootstrap, acks='all', linger_ms=5, **dict(COMMON, **conf))
    futures = [p.send(topic, value=m['value'].encode(), key=m['key'].encode(),
                      headers=[(k, v.encode()) for k, v in m['headers'].items()],
                      timestamp_ms=timestamps[i] if timestamps else None)
               for i, m in enumerate(messages)]
    p.flush(15)
    for f in futures:
        f.get(timeout=15)
    p.close(5)


def to_msg(r):
    return {'key': (r.key or b'').decode(), 'value': (r.value or b'').decode(), 'headers': decode_headers(r.headers),
            'partition': r.partition, 'offset': r.offset}


def poll_n(consumer, n, seconds=15, settle=0.5):
    got = []

    def step():
        for records in consumer.poll(timeout_ms=200).values():
            got.extend(to_msg(r) for r in records)
        return len(got) >= n

    wait_until('%d messages (have %d)' % (n, len(got)), seconds, step)
    end = time.time() + settle
    while time.time() < end:
        step()
    return got


def read_all(ctx, topic, n, partitions=2):
    """Reads with an explicit assignment, no group (group_id=None)."""
    c = KafkaConsumer(bootstrap_servers=ctx.bootstrap, group_id=None, enable_auto_commit=False,
                      auto_offset_reset='earliest', **COMMON)
    c.assign([TopicPartition(topic, p) for p in range(partitions)])
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
    def run(ctx):
        if name in CODEC_MODULE and not CODEC_MODULE[name][0]():
            raise NotSupported('kafka-python needs %s for %s, and it is not installed' % (CODEC_MODULE[name][1], name))
        round_trip(ctx, compression_type=name)
    return run


def group_consumer(ctx):
    return KafkaConsumer(ctx.topic, bootstrap_servers=ctx.bootstrap, group_id=ctx.group, enable_auto_commit=False,
                         auto_offset_reset='earliest', session_timeout_ms=10000, heartbeat_interval_ms=1000, **COMMON)


def group(ctx):
    create_topic(ctx, ctx.topic)
    first, second = test_messages(10, 'first'), test_messages(5, 'second')
    produce(ctx, ctx.topic, first)
    c = group_consumer(ctx)
    check_messages(poll_n(c, 10), first)
    c.commit()
    c.close()
    ctx.log('first member read and committed 10')
    produce(ctx, ctx.topic, second)
    c = group_consumer(ctx)
    check_messages(poll_n(c, 5, settle=1.5), second)
    c.commit()
    total = sum(c.committed(TopicPartition(ctx.topic, p)) or 0 for p in range(2))
    c.close()
    check(total == 15, 'committed offsets add up to %d, expected 15' % total)


class Member(threading.Thread):
    """A group member polling in its own thread: kafka-python rejoins a group only inside poll(), and a poll
    blocks through the whole JoinGroup round, so two members cannot share one thread."""

    def __init__(self, ctx):
        super().__init__(daemon=True)
        self.consumer = group_consumer(ctx)
        self.got = []
        self.running = True
        self.start()

    def run(self):
        while self.running:
            for tp, records in self.consumer.poll(timeout_ms=100).items():
                self.got.extend(to_msg(r) for r in records)
                # commit each batch: a takeover never re-reads
                self.consumer.commit({tp: OffsetAndMetadata(records[-1].offset + 1, None)})
        self.consumer.close()

    def owned(self):
        return {tp.partition for tp in self.consumer.assignment()}

    def stop(self):
        self.running = False
        self.join(15)


def rebalance(ctx):
    create_topic(ctx, ctx.topic, 4)
    a = Member(ctx)
    wait_until('a to own all 4 partitions', 15, lambda: len(a.owned()) == 4)
    b = Member(ctx)
    wait_until('a and b to split the 4 partitions', 25, lambda: b.owned() and len(a.owned()) + len(b.owned()) == 4
               and a.owned() | b.owned() == {0, 1, 2, 3})
    ctx.log('a owns', a.owned(), 'b owns', b.owned())
    first = test_messages(20, 'first')
    produce(ctx, ctx.topic, first)
    wait_until('20 messages between a and b', 15, lambda: len(a.got) + len(b.got) >= 20)
    time.sleep(0.5)
    check_messages(a.got + b.got, first)
    for m in (a, b):
        check(all(msg['partition'] in m.owned() for msg in m.got), 'a member read a partition it was not assigned')
    b.stop()
    wait_until('a to take over all 4 partitions', 25, lambda: len(a.owned()) == 4)
    second = test_messages(10, 'second')
    before = len(a.got)
    produce(ctx, ctx.topic, second)
    wait_until('a to read the 10 new messages', 15, lambda: len(a.got) - before >= 10)
    time.sleep(1.0)
    check_messages(a.got[before:], second)
    a.stop()


def admin_ops(ctx):
    a = admin(ctx)
    topic = ctx.topic
    try:
        create_topic(ctx, topic, 1, {'retention.ms': '3600000'})
        check(topic in a.list_topics(), 'new topic not listed')

        def retention():
            resource = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])[0].resources[0]
            check(resource[0] == 0, 'describe_configs error %s' % (resource[:2],))
            return {e[0]: e[1] for e in resource[4]}.get('retention.ms')

        check(retention() == '3600000', 'retention.ms after create: %s' % retention())
        a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'retention.ms': '7200000'})])
        check(retention() == '7200000', 'retention.ms after alter: %s' % retention())
        a.create_partitions({topic: NewPartitions(3)}, timeout_ms=10000)
        wait_until('3 partitions', 10, lambda: len(a.describe_topics([topic])[0]['partitions']) == 3)
        a.delete_topics([topic], timeout_ms=10000)
        wait_until('topic to disappear', 10, lambda: topic not in a.list_topics())
    finally:
        a.close()


def timestamps(ctx):
    create_topic(ctx, ctx.topic, 1)
    base = int(time.time() * 1000) - 60000
    produce(ctx, ctx.topic, test_messages(5), timestamps=[base + i * 1000 for i in range(5)])
    c = KafkaConsumer(bootstrap_servers=ctx.bootstrap, group_id=None, **COMMON)
    tp = TopicPartition(ctx.topic, 0)
    try:
        found = c.offsets_for_times({tp: base + 1500})[tp]
        check(found is not None and found.offset == 2, 'offset for ts+1500: %s, expected 2' % (found,))
        found = c.offsets_for_times({tp: base - 1000})[tp]
        check(found is not None and found.offset == 0, 'offset before the first record: %s, expected 0' % (found,))
    finally:
        c.close()


def secure_conf(s):
    """The security column's client settings."""
    return {'security_protocol': 'SASL_SSL', 'ssl_cafile': s['caPath'], 'sasl_mechanism': 'SCRAM-SHA-512',
            'sasl_plain_username': s['user'], 'sasl_plain_password': s['password']}


SCENARIOS = {
    'produce': round_trip,
    'security': security_scenario(COMMON, secure_conf, round_trip,
                                  lambda ctx, topic: produce(ctx, topic, test_messages(1), retries=0)),
    'gzip': codec('gzip'), 'snappy': codec('snappy'), 'lz4': codec('lz4'), 'zstd': codec('zstd'),
    'group': group,
    'rebalance': rebalance,
    'kip848': 'kafka-python 2.0.2 speaks only the classic group protocol (JoinGroup/SyncGroup), not KIP-848 ConsumerGroupHeartbeat',
    'admin': admin_ops,
    'timestamps': timestamps,
    'idempotent': 'kafka-python 2.0.2 has no idempotent producer (enable_idempotence came in 2.1)',
    'transactions': 'kafka-python 2.0.2 has no transactional producer',
    'registry': 'kafka-python has no Schema Registry client',
}

if __name__ == '__main__':
    run_main(SCENARIOS, lambda: 'kafka-python %s' % kafka.__version__)
