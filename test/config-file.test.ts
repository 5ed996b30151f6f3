/** Config files: the whole java.util.Properties syntax, YAML (flat and nested), JSON, and refused extensions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigFile, parseProperties } from '../src/config-file.js';
import { buildConfig, ConfigError, readConfigFile } from '../src/config.js';
import { tempDir } from './helpers.js';

const pairs = (text: string) => parseProperties(text).map((s) => [s.name, s.value, s.line]);

test('.properties: separators =, : and blanks; # and ! comments; blank lines', () => {
  assert.deepEqual(pairs('# comment\n! also a comment\n\n  a=1\nb : 2\nc 3\nd\t=\t4\ne\nf=\n'), [
    ['a', '1', 4], ['b', '2', 5], ['c', '3', 6], ['d', '4', 7], ['e', '', 8], ['f', '', 9],
  ]);
});

test('.properties: continuation lines, CRLF and CR line ends', () => {
  assert.deepEqual(pairs('listeners=PLAINTEXT://:19092,\\\r\n    SASL_PLAINTEXT://:19093\rnext=1\n'), [
    ['listeners', 'PLAINTEXT://:19092,SASL_PLAINTEXT://:19093', 1], ['next', '1', 3],
  ]);
  // An even number of backslashes is an escaped backslash, not a continuation.
  assert.deepEqual(pairs('path=C:\\\\\nnext=1'), [['path', 'C:\\', 1], ['next', '1', 2]]);
  // A comment line does not continue, even ending in a backslash.
  assert.deepEqual(pairs('# note \\\nkey=v'), [['key', 'v', 2]]);
});

test('.properties: escapes in keys and values', () => {
  assert.deepEqual(pairs('a\\=b\\:c\\ d=x\\ty\\nz\\u0041\\\\\\q'), [['a=b:c d', 'x\ty\nzA\\q', 1]]);
  assert.throws(() => parseProperties('a=\\u00zz', 'x.properties'), (e: Error) => e instanceof ConfigError && e.message === 'x.properties:1: malformed \\uxxxx escape');
});

test('YAML: flat and nested keys, lists as comma-separated values, line numbers', () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'samsa.yaml');
    writeFileSync(file, '# dev broker\nnum.partitions: 3\nlog:\n  retention:\n    ms: 60000\nlisteners:\n  - PLAINTEXT://:19092\n  - SASL_PLAINTEXT://:19093\nauto.create.topics.enable: false\n');
    assert.deepEqual(parseConfigFile(file).map((s) => [s.name, s.value, s.line]), [
      ['num.partitions', '3', 2], ['log.retention.ms', '60000', 5], ['listeners', 'PLAINTEXT://:19092,SASL_PLAINTEXT://:19093', 7],
      ['auto.create.topics.enable', 'false', 9],
    ]);
    const config = buildConfig(readConfigFile(file));
    assert.equal(config.get('log.retention.ms'), '60000');
    assert.equal(config.bool('auto.create.topics.enable'), false);
    writeFileSync(file, 'a: [unclosed\n');
    assert.throws(() => parseConfigFile(file), (e: Error) => e instanceof ConfigError && e.message.startsWith(`${file}:`) && /:\d+: not valid YAML: /.test(e.message));
    writeFileSync(file, 'num.partitions:\n');
    assert.throws(() => parseConfigFile(file), (e: Error) => e instanceof ConfigError && e.message === `${file}:1: num.partitions needs a value (a string, number, boolean or list of them)`);
    writeFileSync(join(tmp.dir, 'list.yml'), '- a\n- b\n');
    assert.throws(() => parseConfigFile(join(tmp.dir, 'list.yml')), /must hold a YAML mapping of settings/);
  } finally {
    tmp.remove();
  }
});

test('JSON files still work; other extensions are refused by name', () => {
  const tmp = tempDir();
  try {
    writeFileSync(join(tmp.dir, 'a.json'), '{"num.partitions": 4}');
    assert.deepEqual(parseConfigFile(join(tmp.dir, 'a.json')).map((s) => [s.name, s.value]), [['num.partitions', '4']]);
    for (const name of ['a.toml', 'a.conf', 'samsa']) {
      writeFileSync(join(tmp.dir, name), 'num.partitions=4');
      assert.throws(() => parseConfigFile(join(tmp.dir, name)), (e: Error) => e instanceof ConfigError && /unknown kind .*use \.properties, \.json, \.yaml, \.yml$/.test(e.message));
    }
  } finally {
    tmp.remove();
  }
});

test('broker.id and log.dir are synonyms of node.id and log.dirs, as in Kafka', () => {
  assert.equal(buildConfig({ 'broker.id': 7 }).nodeId, 7);
  assert.equal(buildConfig(new Map([['log.dir', '/var/samsa']])).dataDir, '/var/samsa');
  assert.throws(() => buildConfig({ 'broker.id': -1 }), /Invalid value -1 for configuration node.id: Value must be at least 0/);
});
