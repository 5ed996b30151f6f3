/**
 * The package as users install it: `npm pack` of the built tree, installed from the tarball into an empty app (npm
 * registry reachable; install scripts skipped, so nothing compiles): the `samsa` bin, an ESM import, a CommonJS
 * require, and the shipped types checked with `skipLibCheck: false`. Needs `npm run build` first (the test command
 * does it); packs with --ignore-scripts so the tree under test is not rebuilt meanwhile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, run } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';

const root = repositoryRoot();
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, timeoutMs: 240_000 });

test('the packed tarball installs and works: npx samsa --version, import, require, types with skipLibCheck: false', async () => {
  const tmp = tempDir('samsa-pack-');
  try {
    const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], root);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = info.files.map((f) => f.path);
    assert.ok(paths.includes('dist/src/index.js') && paths.includes('dist/src/index.d.ts') && paths.includes('dist/bundle/main.js'));
    assert.deepEqual(paths.filter((p) => /^(dist\/(test|compat-suite|protocol)|test|compat-suite|src|\.ci)\//.test(p)), [], 'no tests, sources or CI files shipped');

    const app = join(tmp.dir, 'app');
    await run('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const installed = await npm(['install', join(tmp.dir, info.filename), '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
    assert.equal(installed.code, 0, installed.stderr);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

    const version = await run('npx', ['--no-install', 'samsa', '--version'], { cwd: app, timeoutMs: 120_000 });
    assert.equal(version.stdout.trim(), `samsa ${pkg.version}`, version.stderr);

    const use = `const b = await startBroker({ port: 0, inMemory: true }); console.log(typeof b.bootstrap); await b.close();`;
    const esm = await run(process.execPath, ['--input-type=module', '-e', `import { startBroker } from 'samsa'; ${use}`], { cwd: app, timeoutMs: 120_000 });
    assert.equal(esm.stdout.trim(), 'string', esm.stderr);
    const cjs = await run(process.execPath, ['--input-type=commonjs', '-e', `(async () => { const { startBroker } = require('samsa'); ${use} })()`], { cwd: app, timeoutMs: 120_000 });
    assert.equal(cjs.stdout.trim(), 'string', cjs.stderr);

    writeFileSync(join(app, 'use.ts'), `import { startBroker, ManualClock, type RunningBroker } from 'samsa';\nconst b: RunningBroker = await startBroker({ port: 0, inMemory: true, clock: new ManualClock() });\nawait b.close();\n`);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true }, files: ['use.ts'] }));
    const tsc = await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(app, 'tsconfig.json')]);
    assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
  } finally {
    tmp.remove();
  }
});
