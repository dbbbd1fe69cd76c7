// setNativeBinding(): the addon loads lazily, on the first open(), from the
// path (or module) given beforehand; every failure names what it tried.
// Each case runs in its own process because the addon loads once per process.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const built = path.join(root, 'build', 'Release', 'lsmkv.node')

function run (t, source, ...args) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-native-binding-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))
  const out = execFileSync(process.execPath, ['-e', source, work, ...args], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']
  })
  return JSON.parse(out.trim().split('\n').pop())
}

const prelude = `
  const fs = require('node:fs'); const path = require('node:path')
  const lsmkv = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))})
  const work = process.argv[1]
  const report = (x) => console.log(JSON.stringify(x))
  const loadedAddons = () => Object.keys(require.cache).filter((f) => f.endsWith('.node'))
`

test('the addon is not loaded until the first open', { skip: !fs.existsSync(built) && 'no build/Release/lsmkv.node' }, (t) => {
  const r = run(t, `${prelude}
    const before = loadedAddons()
    lsmkv.open(path.join(work, 'db')).then(async (db) => {
      const after = loadedAddons()
      await db.close()
      report({ before, after })
    })`)
  assert.deepStrictEqual(r.before, [])
  assert.strictEqual(r.after.length, 1)
})

test('setNativeBinding(path) loads the addon from that file', { skip: !fs.existsSync(built) && 'no build/Release/lsmkv.node' }, (t) => {
  const r = run(t, `${prelude}
    const addon = path.join(work, 'somewhere', 'else', 'lsmkv.node')
    fs.mkdirSync(path.dirname(addon), { recursive: true })
    fs.copyFileSync(process.argv[2], addon)
    lsmkv.setNativeBinding(addon)
    lsmkv.open(path.join(work, 'db')).then(async (db) => {
      await db.put('k', 'v')
      const value = await db.get('k')
      let late
      try { lsmkv.setNativeBinding(addon) } catch (err) { late = err.message }
      await db.close()
      report({ value, addons: loadedAddons(), addon, late })
    })`, built)
  assert.strictEqual(r.value, 'v')
  assert.deepStrictEqual(r.addons, [r.addon], 'only the chosen file was loaded')
  assert.match(r.late, /must be called before the first open\(\)/)
})

test('setNativeBinding(module) takes an already loaded addon; lsmkv/level shares it', { skip: !fs.existsSync(built) && 'no build/Release/lsmkv.node' }, (t) => {
  const r = run(t, `${prelude}
    const level = require(${JSON.stringify(path.join(root, 'dist', 'level.js'))})
    level.setNativeBinding(require(process.argv[2]))
    const db = new level.LsmLevel(path.join(work, 'db'))
    db.put('k', 'v').then(async () => {
      const value = await db.get('k')
      await db.close()
      report({ value, same: level.setNativeBinding === lsmkv.setNativeBinding })
    })`, built)
  assert.deepStrictEqual(r, { value: 'v', same: true })
})

test('a missing or foreign addon fails the first open with an error naming it', (t) => {
  const r = run(t, `${prelude}
    const missing = path.join(work, 'nope', 'lsmkv.node')
    lsmkv.setNativeBinding(missing)
    lsmkv.open(path.join(work, 'db')).then(
      () => report({ opened: true }),
      (err) => report({ name: err.constructor.name, message: err.message, missing }))`)
  assert.strictEqual(r.name, 'Error')
  assert.ok(r.message.includes(r.missing), r.message)

  const foreign = run(t, `${prelude}
    lsmkv.setNativeBinding({ not: 'an addon' })
    lsmkv.open(path.join(work, 'db')).then(() => report({ opened: true }), (err) => report({ message: err.message }))`)
  assert.match(foreign.message, /is not lsmkv's native addon \(no db_init\(\)\)/)
})

test('setNativeBinding rejects bad arguments with a TypeError', () => {
  const { setNativeBinding } = require('../dist/index.js')
  for (const bad of ['', null, undefined, 42]) {
    assert.throws(() => setNativeBinding(bad), TypeError)
  }
})

test('db_getter binds a lookup to one handle: a foreign handle is a TypeError, an unopened db NOT_OPEN', { skip: !fs.existsSync(built) && 'no build/Release/lsmkv.node' }, (t) => {
  const r = run(t, `${prelude}
    const addon = require(process.argv[2])
    const caught = (fn) => { try { fn(); return null } catch (err) { return { name: err.name, code: err.code, message: err.message } } }
    const handle = addon.db_init(() => {}, () => {}, Buffer.alloc(64), Buffer.alloc(64))
    const get = addon.db_getter(handle)
    report({
      foreign: caught(() => addon.db_getter({})),
      external: caught(() => addon.db_getter(addon.db_init)),
      unopened: caught(() => get(0)),
      name: get.name
    })`, built)
  assert.deepStrictEqual(r.foreign, { name: 'TypeError', message: 'expected a database handle' })
  assert.deepStrictEqual(r.external, { name: 'TypeError', message: 'expected a database handle' })
  assert.strictEqual(r.unopened.code, 'NOT_OPEN')
  assert.strictEqual(r.name, 'db_get')
})
