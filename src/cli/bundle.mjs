/**
 * `npm run bundle`: the CLI as dist/bundle/ — main.js (a small CommonJS loader); samsa.js, what a broker's start runs;
 * samsa-later.js, what it may never need (the command-line client, the Schema Registry, the admin port and console,
 * the test control routes); and a code cache of each (V8's compiled code, taken from a real start-up).
 *
 * Why not an ES module bundle: Node 20 has no code cache for ES modules, so every start parsed and compiled the ~1.5 MB
 * of chunks it loads, and an ES entry point also loads Node's ESM loader (~2 MiB of RSS). The loader compiles samsa.js
 * with the cache (skipping parse and compile of everything start-up runs); a cache V8 rejects (another Node version,
 * other V8 flags) only costs that saving.
 *
 * Why two files: V8 holds a script's whole source for the life of the process. The modules a start of the broker
 * imports with import() (LATER_ENTRIES) are samsa-later.js, compiled on the first such import; what they import of
 * samsa.js they are given by the loader (samsa.js's `coreModules`), so each module exists once. An idle broker with the
 * Kafka port only: samsa.js 0.68 -> 0.52 MB, RSS 12 s after start 44.9 -> 44.4 MiB. The big packages the later
 * modules use are required from node_modules when first needed.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'dist/bundle');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const ID_LENGTH = 16;
/** A module of one bundle as the other requires it (the loader's require answers these). */
const LATER = 'samsa-later:';
const CORE = 'samsa-core:';

/** dist/bundle/main.js. */
const LOADER = `'use strict';
// samsa: compiles samsa.js with V8's code cache of a start-up (made by src/cli/bundle.mjs) and runs it; samsa-later.js
// (the command-line client, the registry, the admin port) the same way, when samsa.js first imports from it.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
// V8 refuses a cache made under other V8 flags: none is set before samsa.js is compiled (see src/regexps.ts).
// Node 22.1+: its own cache for what is loaded from node_modules later (the registry's formats, prom-client, commander).
// Not asked of older Node, which has none: node:module brings Node's ES module loader with it (~0.15 MiB).
if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.();
let later;
const core = run('samsa');
exports.script = core.script;
/** samsa-later.js, run on first use. */
exports.later = () => (later ??= run('samsa-later'));

/** The bundles' require: each other's modules by name ('samsa-later:cli/program.js'), anything else Node's. */
function bundleRequire(id) {
  if (id.startsWith('${LATER}')) return exports.later().module.exports.entries[id.slice(${LATER.length})]();
  if (id.startsWith('${CORE}')) return core.module.exports.coreModules[id.slice(${CORE.length})]();
  return require(id);
}

function run(name) {
  const file = join(__dirname, name + '.js');
  const script = compile(file, join(__dirname, name + '.code-cache'));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, bundleRequire, module, file, __dirname);
  return { script, module };
}

/** In a function of its own: the cache's buffer is garbage once compiled (not kept while samsa.js starts up). */
function compile(file, cacheFile) {
  const source = readFileSync(file, 'latin1');
  let cachedData;
  try {
    // V8 checks only the source's length: the cache starts with the build id its bundle starts with (/*id*/).
    const cache = readFileSync(cacheFile);
    if (cache.toString('latin1', 0, ${ID_LENGTH}) === source.slice(2, ${2 + ID_LENGTH})) cachedData = cache.subarray(${ID_LENGTH});
  } catch {
    // none: compiled from source
  }
  return new Script(source, { filename: file, cachedData });
}
`;

/**
 * pino loads Node's worker_threads and assert (+ ~1 MiB of RSS, a few ms) for what Samsa never does — transports run
 * in a worker thread, and its sonic-boom destination asserts only on misuse: these requires move to where they are
 * used. isMainThread is asked by every asynchronous destination (Samsa's): the CLI runs pino on its main thread only,
 * so it is `true` here (loading worker_threads to ask cost ~1.5 ms of start-up). A pino that no longer has these
 * lines is bundled as it is (with a warning).
 */
const LAZY_REQUIRES = [
  { file: 'pino/lib/transport.js', binding: 'ThreadStream', module: 'thread-stream', use: "(require('thread-stream'))" },
  { file: 'pino/lib/tools.js', binding: '{ isMainThread }', module: 'worker_threads', use: 'true' },
  { file: 'sonic-boom/index.js', binding: 'assert', module: 'assert', use: "require('assert')" },
];
/**
 * Other lines of theirs replaced the same way. pino asks the host name of its default `base` when it loads, which
 * loads node:os (~0.1 MiB of RSS): Samsa gives its own base, so it is asked only if a default base is used. Its
 * transport module takes createRequire from node:module when it loads (see src/require-package.ts): only when a
 * transport is made, now.
 */
const REWRITES = [
  { file: 'pino/lib/transport.js', from: "const { createRequire } = require('module')\n", to: "const createRequire = (path) => require('module').createRequire(path)\n" },
  { file: 'pino/pino.js', from: "const hostname = os.hostname()\n", to: '\n' },
  { file: 'pino/pino.js', from: 'base: { pid, hostname },', to: "base: { pid, get hostname () { return require('node:os').hostname() } }," },
  { file: 'pino/pino.js', from: "const os = require('node:os')\n", to: '\n' },
];
const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/](pino|sonic-boom)[\\/].*\.js$/ }, (args) => {
      const path = args.path.replaceAll('\\', '/');
      const ours = (l) => path.endsWith(`node_modules/${l.file}`);
      const lazy = LAZY_REQUIRES.find(ours);
      const rewrites = REWRITES.filter(ours);
      if (!lazy && rewrites.length === 0) return undefined;
      let text = readFileSync(args.path, 'utf8');
      const warnings = [];
      for (const r of rewrites) {
        if (text.includes(r.from)) text = text.replace(r.from, r.to);
        else warnings.push({ text: `${r.file} no longer has ${JSON.stringify(r.from.trim())}: left as it is` });
      }
      if (lazy) {
        const declaration = `const ${lazy.binding} = require('${lazy.module}')\n`;
        if (!text.includes(declaration)) return { contents: text, loader: 'js', warnings: [...warnings, { text: `${lazy.file} no longer has ${declaration.trim()}: loaded eagerly` }] };
        const name = lazy.binding.replace(/[{} ]/g, '');
        text = text.replace(declaration, '\n').replace(new RegExp(`(?<![.\\w])${name}\\b(?!\\s*:)`, 'g'), lazy.use);
      }
      return { contents: text, loader: 'js', warnings };
    });
  },
};

/** What a broker's start imports with import() and may never run: samsa-later.js (paths in dist/src/). */
const LATER_ENTRIES = ['cli/program.js', 'registry/index.js', 'http/index.js', 'operator/index.js', 'testkit/http-control.js', 'testkit/http-state.js'];
const src = join(root, 'dist/src');
const slashed = (path) => path.replaceAll('\\', '/');

const options = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  write: false,
  metafile: true,
  logLevel: 'warning',
  // Loaded from node_modules when first needed: native modules, and the big packages start-up never runs (the
  // registry's schema formats, metrics, the command-line client's parser, pino's transport worker).
  external: ['@node-rs/crc32', 'snappy', 'lz4-napi', 'ajv', 'avsc', 'protobufjs', 'prom-client', 'commander', 'thread-stream', '@jridgewell/trace-mapping', 'regexpu-core'],
  // import() as require(): also for the modules left external (node:tls with the first TLS listener, prom-client).
  supported: { 'dynamic-import': false },
  // One-byte source: read as latin1, no UTF-8 decoding.
  charset: 'ascii',
  // V8 keeps the whole source in memory for the life of the process, and every function's and top-level variable's
  // name: without indentation and line breaks the source is 0.9 MB instead of 1.3; with short names 0.66 MB, and an
  // idle broker 0.7 MiB smaller (RSS 12 s after start 46.1 -> 45.4 MiB). Stack traces get their names and source
  // positions back from samsa.js.map where they are shown (src/source-stack.ts).
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  sourcemap: 'external',
  sourcesContent: false,
  // import.meta.url (createRequire, the package.json lookup) as the bundle file's URL.
  define: { 'import.meta.url': '__samsaBundleUrl' },
  banner: { js: `const __samsaBundleUrl = require('node:url').pathToFileURL(__filename).href;` },
};

/** In samsa.js: import() of a later entry is require('samsa-later:<entry>'). */
const laterImports = {
  name: 'later-imports',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const path = slashed(relative(src, join(args.resolveDir, args.path)));
      if (args.kind === 'dynamic-import' && LATER_ENTRIES.includes(path)) return { path: LATER + path, external: true };
      return undefined;
    });
  },
};
const cliMain = join(src, 'cli/main.js');
const firstCore = await build({ ...options, plugins: [lazyRequires, laterImports], entryPoints: [cliMain], outfile: join(out, 'samsa.js') });
const coreInputs = firstCore.metafile.inputs;
const inLater = LATER_ENTRIES.filter((entry) => coreInputs[slashed(relative(root, join(src, entry)))]);
if (inLater.length > 0) throw new Error(`bundle: ${inLater.join(', ')} imported without import() by samsa.js's modules: not later`);

/** In samsa-later.js: a module samsa.js has is require('samsa-core:<path from the root>'). */
const wanted = new Set();
const coreImports = {
  name: 'core-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'core-imports' || args.kind === 'entry-point') return undefined;
      const found = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'core-imports' });
      if (found.errors.length > 0 || found.external || !found.path) return undefined;
      const path = slashed(relative(root, found.path));
      if (!coreInputs[path]) return undefined;
      wanted.add(path);
      return { path: CORE + path, external: true };
    });
  },
};
const entryPoint = (contents, sourcefile) => ({ contents, sourcefile, resolveDir: src, loader: 'js' });
const fromSrc = (path) => {
  const relativePath = slashed(relative(src, join(root, path)));
  return relativePath.startsWith('.') ? relativePath : `./${relativePath}`;
};
const later = await build({
  ...options,
  plugins: [lazyRequires, coreImports],
  stdin: entryPoint(`export const entries = {\n${LATER_ENTRIES.map((e) => `  '${e}': () => require('./${e}'),`).join('\n')}\n};\n`, 'later-entries.js'),
  outfile: join(out, 'samsa-later.js'),
});

// samsa.js again, giving samsa-later.js the modules it imports. Those start-up has loaded are handed over as objects
// made on request, with a getter for each name samsa-later.js reads of them: `<var>.<name>` after its
// `<var>=require("samsa-core:...")`, as esbuild writes an import of a named export (a name read that a module does not
// export is undefined, as it would be; no later module imports a core module `* as` a value). A namespace object, with
// a getter for every export made at start, cost an idle broker 0.16 MiB. Those samsa.js itself loads on first use
// (with import()) are required, so they wait for that use.
const eager = new Set();
const entryKey = slashed(relative(root, cliMain));
for (const queue = [entryKey]; queue.length > 0;) {
  const path = queue.pop();
  if (eager.has(path)) continue;
  eager.add(path);
  for (const i of coreInputs[path]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
}
const laterCode = later.outputFiles.find((f) => f.path.endsWith('samsa-later.js')).text;
const namesRead = new Map();
for (const [, variable, path] of laterCode.matchAll(/([\w$]+)=require\("samsa-core:([^"]+)"\)/g)) {
  const names = namesRead.get(path) ?? new Set();
  namesRead.set(path, names);
  for (const [, name] of laterCode.matchAll(new RegExp(`(?<![\\w$])${variable.replaceAll('$', '\\$')}\\.([\\w$]+)`, 'g'))) names.add(name);
}
const required = [...laterCode.matchAll(/require\("samsa-core:([^"]+)"\)/g)].map((m) => m[1]);
const unread = required.filter((path) => !namesRead.has(path));
if (unread.length > 0) throw new Error(`bundle: samsa-later.js requires ${unread.join(', ')} other than as <var>=require(..): their names are unknown`);
const shared = [...wanted].sort();
const handOver = (path, i) => {
  if (!eager.has(path)) return `() => require('${fromSrc(path)}')`;
  const getters = [...(namesRead.get(path) ?? [])].sort().map((name) => `get ${name}() { return m${i}.${name}; }`);
  return `() => ({ ${getters.join(', ')} })`;
};
const core = await build({
  ...options,
  plugins: [lazyRequires, laterImports],
  // A name read of a module that has no such export: undefined in samsa-later.js as well.
  logOverride: { 'import-is-undefined': 'silent' },
  stdin: entryPoint([
    `import './cli/main.js';`,
    ...shared.map((path, i) => (eager.has(path) ? `import * as m${i} from '${fromSrc(path)}';` : '')),
    'export const coreModules = {',
    ...shared.map((path, i) => `  '${path}': ${handOver(path, i)},`),
    '};',
  ].join('\n'), 'core-entry.js'),
  outfile: join(out, 'samsa.js'),
});
const extra = Object.keys(core.metafile.inputs).filter((path) => !coreInputs[path] && !path.endsWith('core-entry.js'));
if (extra.length > 0) throw new Error(`bundle: samsa.js took in modules only samsa-later.js needs: ${extra.join(', ')}`);

/** A bundle's files: `name`.js, the function the loader calls, and its map; its build id. */
function writeBundle(result, name) {
  const output = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext)).text;
  // The hashbang's line is left empty (the wrapper's opening takes it), so that the map's lines are the file's.
  let code = output(`${name}.js`).replace(/^#!.*/, '');
  const map = JSON.parse(output(`${name}.js.map`));
  if (!code.startsWith('\n')) {
    code = `\n${code}`;
    map.mappings = `;${map.mappings}`;
  }
  // Wrapped as the function the loader calls, so that it compiles the file's text as it is (no concatenated copy).
  const id = createHash('sha256').update(code).digest('hex').slice(0, ID_LENGTH);
  writeFileSync(join(out, `${name}.js`), `/*${id}*/(function (exports, require, module, __filename, __dirname) {${code}\n})`);
  writeFileSync(join(out, `${name}.js.map`), JSON.stringify(map));
  return id;
}
const id = writeBundle(core, 'samsa');
const laterId = writeBundle(later, 'samsa-later');
writeFileSync(join(out, 'main.js'), `#!/usr/bin/env node\n${LOADER}`, { mode: 0o755 });
// The package is "type": "module"; these files are CommonJS.
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

// Each cache from a start of the broker, taken once it is ready: every function start-up compiled. samsa.js's from a
// start with the Kafka port only (data directory, no registry or admin port); samsa-later.js's from the default start
// (the registry and the admin port). The V8 flags the broker sets once ready are put back to Node's defaults first,
// as a start compiles samsa.js under them (a check below runs the loader with the caches and fails the build if V8
// refuses one). Not the functions requests run as well: V8 makes everything a cache holds when the script is compiled,
// so a cache of a short kafkajs workload (+190 KB) made every idle broker 0.3 MiB larger (RSS 500 ms after start 48.4
// -> 48.7 MiB, 45.6 -> 46.0 after 12 s), for ~2 ms saved once on a fresh broker's first requests (its first
// CreateTopics of 2,000 partitions: 6.7 vs 4.5 ms).
const data = join(out, '.code-cache-run');
/** Node's defaults of the V8 flags Samsa sets at run time (src/regexps.ts, src/cli/main.ts). */
const NODE_DEFAULT_V8_FLAGS = ['--no-enable-experimental-regexp-engine', '--no-enable-experimental-regexp-engine-on-excessive-backtracks', '--bytecode-old-age=5', '--semi-space-growth-factor=2'];
const writer = (ports, cacheFile, bundleId, script) => `
const main = ${JSON.stringify(join(out, 'main.js'))};
const NODE_DEFAULTS = ${JSON.stringify(NODE_DEFAULT_V8_FLAGS)};
process.argv = [process.argv[0], main, ...${JSON.stringify(ports)}, '--data-dir', ${JSON.stringify(data)}, '--log-format', 'json'];
// The logger writes its JSON lines to descriptor 1 with fs.write (not through process.stdout): watched there.
const fs = require('node:fs');
let taken = false;
const watch = (chunk) => {
  if (taken || !String(chunk).includes('samsa is ready')) return;
  taken = true;
  setTimeout(() => {
    const { setFlagsFromString } = require('node:v8');
    for (const flag of NODE_DEFAULTS) setFlagsFromString(flag);
    fs.writeFileSync(${JSON.stringify(join(out, cacheFile))}, Buffer.concat([Buffer.from('${bundleId}'), ${script}.createCachedData()]));
    process.exit(0);
  }, 100);
};
for (const name of ['write', 'writeSync']) {
  const original = fs[name];
  fs[name] = (fd, chunk, ...rest) => {
    if (fd === 1) watch(chunk);
    return original(fd, chunk, ...rest);
  };
}
require(main);
`;
const runs = [
  writer(['--port', '0', '--registry-port', '0', '--admin-port', '0'], 'samsa.code-cache', id, 'require(main).script'),
  writer(['--port', '0', '--registry-port', '-1', '--admin-port', '-1'], 'samsa-later.code-cache', laterId, 'require(main).later().script'),
];
for (const run of runs) {
  const made = spawnSync(process.execPath, ['-e', run], { encoding: 'utf8', timeout: 60_000 });
  rmSync(data, { recursive: true, force: true });
  if (made.status !== 0) console.error(`bundle: no code cache, the start-up run failed: ${made.stderr || made.error}`);
}
// The loader compiles samsa.js with its cache as a start does (--version: it stops there), then samsa-later.js.
const check = spawnSync(process.execPath, ['-e', `process.argv = [process.argv[0], 'samsa', '--version']; const loaded = require(${JSON.stringify(join(out, 'main.js'))}); if (loaded.script.cachedDataRejected || loaded.later().script.cachedDataRejected) process.exit(3);`], { encoding: 'utf8', timeout: 60_000 });
if (check.status !== 0) {
  console.error(`bundle: V8 refuses a code cache (a V8 flag set at run time differs from Node's default when it was taken?): ${check.stderr || check.status}`);
  process.exit(1);
}
