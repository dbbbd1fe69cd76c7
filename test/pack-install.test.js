// P0-7: the published package installs and loads without a compiler.
// Stages a copy of the package, runs the `prebuild` script (prebuildify
// --napi --strip --tag-libc), packs it, installs the tarball into an empty project with
// a PATH that holds only node, npm and sh, then opens a database through both
// `require('lsmkv')` and `import { open } from 'lsmkv'`, and runs the
// installed `lsmkv` CLI. The tarball's type declarations are checked with
// @arethetypeswrong/cli (every entry point under node10, node16 CJS and ESM,
// and bundler resolution).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')

function sh (cmd, args, opts) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
}

test('npm pack -> install on a PATH without a compiler -> import and require work', { timeout: 600000 }, (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-pack-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))

  // 1. Stage the files the package ships and build the prebuild there.
  const stage = path.join(work, 'stage')
  fs.mkdirSync(stage)
  for (const entry of ['package.json', 'binding.gyp', 'README.md', 'native', 'dist', 'level', 'bin']) {
    fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true })
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'))
  const prebuildCmd = pkg.scripts.prebuild.split(' ')
  // --tag-libc: the glibc build must not be picked on musl (Alpine), which
  // then compiles from source instead of failing to dlopen it.
  assert.deepStrictEqual(prebuildCmd, ['prebuildify', '--napi', '--strip', '--tag-libc'])
  // Offline machines (CI here) build against the running node's own headers
  // instead of downloading them.
  const prefix = path.resolve(process.execPath, '..', '..')
  const buildEnv = { ...process.env }
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) buildEnv.npm_config_nodedir = prefix
  sh(process.execPath, [require.resolve('prebuildify/bin.js'), ...prebuildCmd.slice(1)], { cwd: stage, env: buildEnv })
  const prebuilds = fs.readdirSync(path.join(stage, 'prebuilds', `${process.platform}-${process.arch}`))
  assert.ok(prebuilds.some((f) => f.endsWith('.node')), `a prebuild was produced: ${prebuilds}`)
  fs.unlinkSync(path.join(stage, 'node_modules'))

  // 2. Pack (scripts already ran: dist/ and prebuilds/ are staged).
  const tarball = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: stage }).trim().split('\n').pop()
  const tgz = path.join(work, tarball)
  assert.ok(fs.existsSync(tgz), `npm pack produced ${tarball}`)
  const listing = sh('tar', ['-tzf', tgz])
  assert.match(listing, /package\/prebuilds\/linux-x64\/.*\.glibc\.node/)
  assert.match(listing, /package\/level\/package\.json/)
  assert.match(listing, /package\/dist\/index\.d\.ts/)
  assert.match(listing, /package\/bin\/lsmkv\.js/)
  // The published types resolve for every consumer (exits non-zero on any problem).
  const attw = JSON.parse(sh(path.join(root, 'node_modules', '.bin', 'attw'), [tgz, '--format', 'json']))
  assert.deepStrictEqual(attw.problems, {})

  // 3. Install into an empty project with no compiler on PATH.
  const bin = path.join(work, 'bin')
  fs.mkdirSync(bin)
  fs.symlinkSync(process.execPath, path.join(bin, 'node'))
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh')) // npm runs install scripts through sh
  const npmCli = [process.env.npm_execpath, path.join(prefix, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')]
    .find((p) => p && p.endsWith('npm-cli.js') && fs.existsSync(p))
  assert.ok(npmCli, 'found the npm CLI')
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 })
  const env = { ...process.env, PATH: bin, npm_config_yes: 'true' }
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
    assert.ok(!fs.existsSync(path.join(bin, tool)), `${tool} must not be on PATH`)
  }
  const app = path.join(work, 'app')
  fs.mkdirSync(app)
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  sh(path.join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: app, env })
  assert.ok(!fs.existsSync(path.join(app, 'node_modules', 'lsmkv', 'build')), 'nothing was compiled')

  // 4. Both module systems open a database.
  const dbDir = path.join(work, 'db')
  const cjs = `const { open } = require('lsmkv');
    open(${JSON.stringify(dbDir + '-cjs')}).then(async (db) => { await db.put('k', 'cjs'); console.log(await db.get('k')); await db.close() })`
  assert.strictEqual(sh(path.join(bin, 'node'), ['-e', cjs], { cwd: app, env }).trim(), 'cjs')
  const esm = `import { open } from 'lsmkv';
    const db = await open(${JSON.stringify(dbDir + '-esm')}); await db.put('k', 'esm'); console.log(await db.get('k')); await db.close()`
  assert.strictEqual(sh(path.join(bin, 'node'), ['--input-type=module', '-e', esm], { cwd: app, env }).trim(), 'esm')

  // 5. The abstract-level entry point, from both module systems.
  const level = `const { LsmLevel } = require('lsmkv/level'); const db = new LsmLevel(${JSON.stringify(dbDir + '-level')})
    db.put('k', 'level').then(async () => { console.log(await db.get('k')); await db.close() })`
  assert.strictEqual(sh(path.join(bin, 'node'), ['-e', level], { cwd: app, env }).trim(), 'level')
  const levelEsm = `import { LsmLevel } from 'lsmkv/level'; console.log(typeof LsmLevel)`
  assert.strictEqual(sh(path.join(bin, 'node'), ['--input-type=module', '-e', levelEsm], { cwd: app, env }).trim(), 'function')

  // 6. The package's bin: `npx lsmkv` works from the installed project.
  const cli = path.join(app, 'node_modules', '.bin', 'lsmkv')
  sh(cli, ['put', dbDir + '-cli', 'k', 'cli'], { cwd: app, env })
  assert.strictEqual(sh(cli, ['get', dbDir + '-cli', 'k'], { cwd: app, env }).trim(), 'cli')
})
