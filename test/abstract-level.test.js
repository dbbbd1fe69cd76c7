// lsmkv/level passes abstract-level's own test suite (issue 7 §1): the
// suite shipped in the abstract-level package, unmodified, run under tape
// (its harness) in a child process by test/fixtures/abstract-level-suite.js.
// Passing means: tape exits 0, no "not ok" line, its summary says "# ok"
// with as many passes as assertions, and nothing was
// skipped or left as todo. Which parts run is decided only by
// LsmLevel's `supports` manifest, checked here too.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('abstract-level test suite passes on LsmLevel', { timeout: 600000 }, () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'abstract-level-suite.js')], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  const out = r.stdout
  const failures = out.split('\n').filter((line) => line.startsWith('not ok'))
  const count = (name) => Number((out.match(new RegExp(`^# ${name}\\s+(\\d+)$`, 'm')) ?? [])[1] ?? NaN)
  const detail = `${failures.slice(0, 20).join('\n')}\n${r.stderr.slice(-2000)}`
  assert.ok(count('tests') > 5000, `the whole suite ran (${count('tests')} assertions)\n${detail}`)
  // tape prints "# fail N" only when N > 0, and "# ok" when nothing failed.
  assert.deepStrictEqual(failures, [], `assertions failed:\n${detail}`)
  assert.doesNotMatch(out, /^# fail/m)
  assert.match(out, /^# ok$/m)
  assert.strictEqual(count('pass'), count('tests'))
  assert.doesNotMatch(out, /^ok \d+ .*# (SKIP|TODO)/m, 'nothing skipped')
  assert.strictEqual(r.status, 0, `tape exit status\n${detail}`)
})

test('the supports manifest declares what the suite exercised', async () => {
  const os = require('node:os')
  const fs = require('node:fs')
  const { LsmLevel } = require('../dist/level.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-level-manifest-'))
  const db = new LsmLevel(dir)
  try {
    const s = db.supports
    for (const feature of ['implicitSnapshots', 'explicitSnapshots', 'snapshots', 'getSync', 'has', 'seek',
      'permanence', 'createIfMissing', 'errorIfExists', 'deferredOpen']) {
      assert.strictEqual(s[feature], true, feature)
    }
    for (const encoding of ['utf8', 'buffer', 'view', 'json']) assert.ok(s.encodings[encoding], encoding)
    assert.strictEqual(s.signals.iterators, true)
    assert.deepStrictEqual(Object.keys(s.additionalMethods).sort(), ['approximateSize', 'compactRange'])
    await db.open()
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('engine options and errors through LsmLevel', async () => {
  const os = require('node:os')
  const fs = require('node:fs')
  const { LsmLevel } = require('../dist/level.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-level-engine-'))
  try {
    // Engine options are validated like open()'s.
    const bad = new LsmLevel(path.join(dir, 'bad'), { memtableSize: 1 })
    await assert.rejects(bad.open(), (err) => err.code === 'LEVEL_DATABASE_NOT_OPEN' && /memtableSize/.test(err.cause.message))

    const db = new LsmLevel(path.join(dir, 'db'), { memtableSize: 4096, valueEncoding: 'json' })
    const rows = Array.from({ length: 500 }, (_, i) => ({ type: 'put', key: `k${String(i).padStart(4, '0')}`, value: { i } }))
    await db.batch(rows)
    await db.compactRange('k0000', 'k9999')
    assert.ok(await db.approximateSize('k0000', 'k9999') > 0)
    assert.deepStrictEqual(await db.get('k0042'), { i: 42 })
    assert.deepStrictEqual(await db.keys({ gte: 'k0498' }).all(), ['k0498', 'k0499'])

    // A second handle on a locked directory: LEVEL_LOCKED under abstract-level's open error.
    const second = new LsmLevel(path.join(dir, 'db'))
    await assert.rejects(second.open(), (err) => err.code === 'LEVEL_DATABASE_NOT_OPEN' &&
      err.cause.code === 'LEVEL_LOCKED' && err.cause.cause.code === 'LOCKED')
    await db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
