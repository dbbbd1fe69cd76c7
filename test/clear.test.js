'use strict'
// db.clear() (atomic engine-side range delete) at the edges, and
// approximateSize() sanity.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')
const { withDb } = require('./helpers')

const key = (i) => `k${String(i).padStart(4, '0')}`


async function fill (db, n) {
  await db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put', key: key(i), value: `v${i}` })))
}

test('clear over ranges at the edges', async () => {
  await withDb({}, async (db) => {
    await fill(db, 100)
    const count = () => db.keys().allSync().length

    await db.clear({ gt: key(50), lt: key(51) }) // empty range between neighbours
    assert.equal(count(), 100)
    await db.clear({ gt: key(60), lt: key(40) }) // reverse bounds: empty
    assert.equal(count(), 100)
    await db.clear({ gte: key(60), lte: key(40) })
    assert.equal(count(), 100)
    await db.clear({ gte: 'zzz' }) // beyond the last key
    assert.equal(count(), 100)

    await db.clear({ gte: key(7), lte: key(7) }) // single key
    assert.equal(db.getSync(key(7)), undefined)
    assert.equal(count(), 99)

    await db.clear({ gt: key(10), lte: key(20) })
    assert.equal(db.getSync(key(10)), 'v10')
    assert.equal(db.getSync(key(11)), undefined)
    assert.equal(db.getSync(key(20)), undefined)
    assert.equal(db.getSync(key(21)), 'v21')
    assert.equal(count(), 89)

    await db.flush()
    await db.clear({ lt: key(5) })
    assert.deepEqual(db.keys({ limit: 2 }).allSync(), [key(5), key(6)])

    await db.clear() // whole keyspace
    assert.equal(count(), 0)
    assert.deepEqual(db.iterator({ reverse: true }).allSync(), [])
    await db.put('after', 'x')
    assert.equal(count(), 1)
  })
})

test('clear includes writes issued before it, and survives reopen', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-clear-'))
  let db = await open(dir)
  await fill(db, 50)
  db.put(key(1000), 'x') // not awaited: still in the current group
  await db.clear({ gte: key(0) })
  assert.equal(db.keys().allSync().length, 0)
  await db.close()
  db = await open(dir)
  assert.equal(db.keys().allSync().length, 0)
  await db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a snapshot taken before clear still sees the range', async () => {
  await withDb({}, async (db) => {
    await fill(db, 20)
    const snap = db.snapshot()
    await db.clear()
    assert.equal(db.keys({ snapshot: snap }).allSync().length, 20)
    assert.equal(db.keys().allSync().length, 0)
    snap.release()
  })
})

test('clear validation and lifecycle', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-clear-'))
  const db = await open(dir)
  await assert.rejects(db.clear({ gt: 1 }), { name: 'TypeError', message: /Option 'gt' must be a string or Uint8Array/ })
  await assert.rejects(db.clear({ gt: 'a', gte: 'b' }), { name: 'TypeError', message: /mutually exclusive/ })
  await assert.rejects(db.clear({ lte: 'a', reverse: true }), { name: 'TypeError', message: /Unknown range option 'reverse'/ })
  await assert.rejects(db.clear({ gtee: 'a' }), { message: /did you mean 'gte'/ })
  await assert.rejects(db.clear('a'), { name: 'TypeError', message: /options must be an object/ })
  await db.close()
  await assert.rejects(db.clear(), { code: 'CLOSED' })
  fs.rmSync(dir, { recursive: true, force: true })
})

test('approximateSize grows with flushed data and respects the range', async () => {
  await withDb({ valueEncoding: 'buffer' }, async (db) => {
    assert.equal(await db.approximateSize(), 0)
    // Random values: blocks are compressed, and the sizes below assume they cannot shrink.
    for (let i = 0; i < 2000; i += 100) {
      await db.batch(Array.from({ length: 100 }, (_, j) => ({ type: 'put', key: key(i + j), value: crypto.randomBytes(200) })))
    }
    assert.equal(await db.approximateSize(), 0, 'memtables are not counted')
    await db.flush()
    const all = await db.approximateSize()
    const half = await db.approximateSize(key(0), key(1000))
    const none = await db.approximateSize('zzz')
    const inverted = await db.approximateSize(key(1500), key(500))
    assert.ok(all > 2000 * 100, `all = ${all}`)
    assert.ok(half > all / 4 && half < (all * 3) / 4, `half = ${half} of ${all}`)
    assert.equal(none, 0)
    assert.equal(inverted, 0)
    await assert.rejects(db.approximateSize(1), { name: 'TypeError' })
  })
})
