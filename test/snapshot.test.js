'use strict'
// Snapshot isolation through every read: a snapshot taken before overwrites
// and deletes keeps reading the old values via get / getSync / getMany / has /
// hasSync and iterators, across flushes (and compactRange when the engine has
// it); released or closed snapshots fail with a code.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open, Snapshot, LsmError } = require('..')
const { withDb } = require('./helpers')


test('a snapshot reads the values from before later overwrites and deletes', async () => {
  await withDb({ memtableSize: 4096 }, async (db) => {
    for (let i = 0; i < 200; i++) await db.put(`k${String(i).padStart(3, '0')}`, `old${i}`)
    const snap = db.snapshot()
    assert.ok(snap instanceof Snapshot)
    for (let i = 0; i < 200; i += 2) await db.put(`k${String(i).padStart(3, '0')}`, `new${i}`)
    for (let i = 1; i < 200; i += 4) await db.del(`k${String(i).padStart(3, '0')}`)
    await db.put('k999', 'added')

    const check = async (stage) => {
      assert.equal(db.getSync('k000', { snapshot: snap }), 'old0', stage)
      assert.equal(await db.get('k001', { snapshot: snap }), 'old1', stage)
      assert.equal(db.getSync('k001'), undefined, stage)
      assert.equal(db.getSync('k000'), 'new0', stage)
      assert.equal(await db.get('k999', { snapshot: snap }), undefined, stage)
      assert.deepEqual(await db.getMany(['k000', 'k001', 'k999'], { snapshot: snap }), ['old0', 'old1', undefined], stage)
      assert.equal(db.hasSync('k001', { snapshot: snap }), true, stage)
      assert.equal(await db.has('k999', { snapshot: snap }), false, stage)
      const entries = await db.iterator({ snapshot: snap }).all()
      assert.equal(entries.length, 200, stage)
      assert.ok(entries.every(([k, v], i) => k === `k${String(i).padStart(3, '0')}` && v === `old${i}`), stage)
      assert.deepEqual(db.keys({ snapshot: snap, reverse: true, limit: 1 }).allSync(), ['k199'], stage)
      assert.deepEqual(db.keys({ reverse: true, limit: 1 }).allSync(), ['k999'], stage)
    }
    await check('memtables')
    await db.flush()
    await check('after flush')
    if (typeof db.compactRange === 'function') {
      await db.compactRange()
      await check('after compactRange')
    }
    snap.release()
    assert.equal(snap.released, true)
    snap.release() // idempotent
  })
})

test('reads through a released snapshot throw SNAPSHOT_RELEASED', async () => {
  await withDb({}, async (db) => {
    await db.put('a', '1')
    const snap = db.snapshot()
    snap.release()
    const expectCode = (fn) => assert.throws(fn, (err) => err instanceof LsmError && err.code === 'SNAPSHOT_RELEASED')
    expectCode(() => db.getSync('a', { snapshot: snap }))
    expectCode(() => db.hasSync('a', { snapshot: snap }))
    expectCode(() => db.iterator({ snapshot: snap }))
    expectCode(() => db.keys({ snapshot: snap }))
    await assert.rejects(db.get('a', { snapshot: snap }), { code: 'SNAPSHOT_RELEASED' })
    await assert.rejects(db.getMany(['a'], { snapshot: snap }), { code: 'SNAPSHOT_RELEASED' })
    await assert.rejects(db.has('a', { snapshot: snap }), { code: 'SNAPSHOT_RELEASED' })
  })
})

test('using / await using release snapshots; an iterator outlives its snapshot', async () => {
  await withDb({}, async (db) => {
    await db.put('a', '1')
    const snap = db.snapshot()
    const it = db.iterator({ snapshot: snap })
    snap[Symbol.dispose]()
    await db.put('a', '2')
    assert.deepEqual(it.allSync(), [['a', '1']])
    const s2 = db.snapshot()
    await s2[Symbol.asyncDispose]()
    assert.equal(s2.released, true)
  })
})

test('snapshot option validation', async () => {
  await withDb({}, async (db) => {
    assert.throws(() => db.getSync('a', { snapshot: {} }), { name: 'TypeError', message: /Option 'snapshot' must be a Snapshot/ })
    assert.throws(() => db.iterator({ snapshot: 1 }), TypeError)
    assert.throws(() => db.getSync('a', { snapshat: 1 }), { name: 'TypeError', message: /did you mean 'snapshot'/ })
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-snap2-'))
    const other = await open(dir2)
    const foreign = other.snapshot()
    assert.throws(() => db.getSync('a', { snapshot: foreign }), { name: 'RangeError' })
    await other.close()
    assert.equal(foreign.released, true)
    foreign.release() // no-op after close
    fs.rmSync(dir2, { recursive: true, force: true })
  })
})

test('closing the database releases its snapshots; snapshot() after close throws CLOSED', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-snap-'))
  const db = await open(dir)
  await db.put('a', '1')
  const snap = db.snapshot()
  await db.close()
  assert.equal(snap.released, true)
  assert.throws(() => db.getSync('a', { snapshot: snap }), { code: 'CLOSED' })
  assert.throws(() => db.snapshot(), { code: 'CLOSED' })
  snap.release()
  fs.rmSync(dir, { recursive: true, force: true })
})
