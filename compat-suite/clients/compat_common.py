"""The python side of the compat-suite harness: mirrors compat-suite/lib/harness.ts and lib/expect.ts.

`python3 <client>.py --list` prints {"version", "scenarios"}; `python3 <client>.py <scenario>` runs one scenario
with COMPAT_BOOTSTRAP / COMPAT_REGISTRY / COMPAT_PREFIX from the environment and prints one COMPAT-RESULT line last.
"""
import json
import os
import re
import sys
import time
import traceback

RESULT_MARKER = 'COMPAT-RESULT '
_started = time.time()

USER_SCHEMA_V1 = {
    'type': 'record', 'name': 'User', 'namespace': 'samsa.compat',
    'fields': [{'name': 'id', 'type': 'long'}, {'name': 'name', 'type': 'string'}],
}
USER_SCHEMA_V2 = dict(USER_SCHEMA_V1, fields=USER_SCHEMA_V1['fields'] + [
    {'name': 'email', 'type': ['null', 'string'], 'default': None}])


class NotSupported(Exception):
    pass


class Ctx:
    def __init__(self):
        self.bootstrap = os.environ['COMPAT_BOOTSTRAP']
        self.registry = os.environ.get('COMPAT_REGISTRY') or None
        self.prefix = os.environ['COMPAT_PREFIX']
        self.topic = self.prefix + '-t'
        self.group = self.prefix + '-g'
        # The security column's settings (see SecureSettings in lib/harness.ts), or None.
        self.secure = json.loads(os.environ.get('COMPAT_SECURE') or 'null')

    def require_secure(self):
        """Same rule as requireSecure() in lib/harness.ts."""
        if self.secure:
            return self.secure
        raise NotSupported('no SASL_SSL settings for this run (with --bootstrap, pass --security '
                           'bootstrap=host:port,ca=file,user=u,password=p,denied-topic=t)')

    def require_registry(self):
        """Same rule as requireRegistry() in lib/harness.ts."""
        if self.registry:
            return self.registry
        if os.environ.get('COMPAT_REGISTRY_EXPECTED'):
            raise RuntimeError('the broker under test was started with a Schema Registry but gave no URL')
        raise NotSupported('no Schema Registry URL for this run')

    def log(self, *parts):
        print('[+%.2fs]' % (time.time() - _started), *parts, flush=True)


def test_messages(n, tag='m'):
    """Same data as testMessages() in lib/expect.ts."""
    return [{'key': 'key-%d' % (i % 4), 'value': '%s-value-%d-%s' % (tag, i, 'x' * (i * 7)),
             'headers': {'compat-index': str(i), 'compat-tag': tag}} for i in range(n)]


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def check_messages(got, expected):
    """Same rule as checkMessages() in lib/expect.ts: same multiset, fields intact, per-key order kept."""
    check(len(got) == len(expected), 'expected %d messages, got %d: %s' % (
        len(expected), len(got), [m['value'][:20] for m in got[:5]]))
    by_value = {m['value']: m for m in expected}
    for m in got:
        want = by_value.pop(m['value'], None)
        check(want is not None, 'unexpected or duplicated message %r' % (m['value'][:40],))
        check(m['key'] == want['key'], 'message %s: key %s != %s' % (m['value'][:30], m['key'], want['key']))
        for h, v in want['headers'].items():
            check(m['headers'].get(h) == v, 'message %s: header %s=%r != %r' % (m['value'][:30], h, m['headers'].get(h), v))
    for key in {m['key'] for m in expected}:
        order = lambda lst: [m['value'] for m in lst if m['key'] == key]
        check(order(got) == order(expected), 'order of key %s not kept' % key)


def check_topic_authorization_error(err):
    """Same rule as checkTopicAuthorizationError() in lib/harness.ts."""
    text = '%s: %s' % (type(err).__name__, err)
    check(re.search(r'TOPIC_AUTHORIZATION_FAILED|TopicAuthorizationFailed|topic authorization failed', text, re.I),
          'expected a topic authorization error, got: %s' % text[:300])


def security_scenario(common, secure_conf, round_trip, write):
    """The security column: the round trip over SASL_SSL + SCRAM-SHA-512, then one write the ACLs refuse.

    secure_conf(settings) gives the client's security settings, merged into its `common` config (one scenario per
    process, so every client the scenario builds connects securely); write(ctx, topic) sends one message.
    """
    def run(ctx):
        s = ctx.require_secure()
        ctx.bootstrap = s['bootstrap']
        common.update(secure_conf(s))
        round_trip(ctx)
        try:
            write(ctx, s['deniedTopic'])
        except Exception as e:  # checked just below
            check_topic_authorization_error(e)
            return
        raise AssertionError('the write to %s was accepted' % s['deniedTopic'])
    return run


def decode_headers(headers):
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (headers or [])}


def wait_until(what, seconds, fn):
    deadline = time.time() + seconds
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise TimeoutError('timed out after %ss waiting for %s' % (seconds, what))
        time.sleep(0.05)


def run_main(scenarios, version):
    arg = sys.argv[1] if len(sys.argv) > 1 else ''
    if arg == '--list':
        print(json.dumps({'version': version(), 'scenarios': {
            k: (v if isinstance(v, str) else True) for k, v in scenarios.items()}}))
        return
    fn = scenarios.get(arg)
    if fn is None:
        result = {'status': 'fail', 'detail': 'unknown scenario %s' % arg}
    elif isinstance(fn, str):
        result = {'status': 'not-supported', 'detail': fn}
    else:
        try:
            fn(Ctx())
            result = {'status': 'pass'}
        except NotSupported as e:
            result = {'status': 'not-supported', 'detail': str(e)}
        except Exception as e:  # every failure is reported, with its traceback in the log
            traceback.print_exc(file=sys.stdout)
            result = {'status': 'fail', 'detail': ('%s: %s' % (type(e).__name__, e))[:400]}
    sys.stdout.flush()
    print(RESULT_MARKER + json.dumps(result), flush=True)
    # Client threads (librdkafka, kafka-python's sender) may linger; the result is out, so leave now.
    os._exit(1 if result['status'] == 'fail' else 0)
