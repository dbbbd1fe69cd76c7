'use strict'
// Iterator lifecycle: db.close() with open iterators (sync and async), a
// next() issued just before close, abort mid-iteration, early exits from
// loops, GC of iterators never closed (--expose-gc) and iterators after
// close. Zero crashes; every failure is an LsmError with a code.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { open, LsmError } = require('..')

const key = (i) => `k${String(i).padStart(5, '0')}`

async function openFilled (n = 1000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-itlife-'))
  const db = await open(dir)
  await db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put', key: key(i), value: `v${i}` })))
  return { db, dir, done: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }) } }
}

const isCode = (code) => (err) => err instanceof LsmError && err.code === code

test('close with open sync and async iterators releases them', async () => {
  const { db, done } = await openFilled()
  const a = db.iterator()
  assert.equal(a.nextSync().value[0], key(0))
  const b = db.keys({ reverse: true })
  assert.equal((await b.next()).value, key(999))
  const c = db.values() // never read
  const snap = db.snapshot()
  const d = db.iterator({ snapshot: snap })
  await db.close()
  assert.throws(() => a.nextSync(), isCode('ITERATOR_CLOSED'))
  await assert.rejects(b.next(), isCode('ITERATOR_CLOSED'))
  await assert.rejects(c.nextv(10), isCode('ITERATOR_CLOSED'))
  assert.throws(() => d.seek(key(5)), isCode('ITERATOR_CLOSED'))
  assert.equal(a.closed && b.closed && c.closed && d.closed, true)
  a.close(); await b.return(); c[Symbol.dispose](); await d[Symbol.asyncDispose]() // all no-ops now
  await done()
})

test('a next() issued before close is served; later ones reject with ITERATOR_CLOSED', async () => {
  const { db, done } = await openFilled()
  const it = db.iterator()
  const pending = it.next()
  const closing = db.close()
  const after = it.next() // database is closing: rejects
  assert.deepEqual((await pending).value, [key(0), 'v0'])
  await assert.rejects(after, isCode('ITERATOR_CLOSED'))
  await closing
  await assert.rejects(it.next(), isCode('ITERATOR_CLOSED'))
  await done()
})

test('closing the database inside a for await loop ends it with ITERATOR_CLOSED', async () => {
  const { db, done } = await openFilled()
  let seen = 0
  await assert.rejects(async () => {
    for await (const [k] of db.iterator()) {
      seen++
      if (k === key(20)) await db.close()
    }
  }, isCode('ITERATOR_CLOSED'))
  assert.equal(seen, 21)
  await done()
})

test('abort mid-iteration closes the iterator with ABORTED', async () => {
  const { db, done } = await openFilled()
  const ac = new AbortController()
  const it = db.iterator({ signal: ac.signal })
  let seen = 0
  await assert.rejects(async () => {
    for await (const entry of it) {
      assert.ok(entry)
      if (++seen === 10) ac.abort(new Error('stop'))
    }
  }, (err) => isCode('ABORTED')(err) && err.cause.message === 'stop')
  assert.equal(seen, 10)
  assert.equal(it.closed, true)

  const sync = db.keys({ signal: AbortSignal.abort() }) // already aborted
  assert.throws(() => sync.nextSync(), isCode('ABORTED'))
  assert.throws(() => [...sync], isCode('ABORTED'))
  assert.throws(() => db.iterator({ signal: 'nope' }), { name: 'TypeError', message: /Option 'signal' must be an AbortSignal/ })
  await done()
})

test('break, return() and disposal release the iterator; a finished loop closes it', async () => {
  const { db, done } = await openFilled(100)
  const a = db.iterator()
  for (const [k] of a) if (k === key(3)) break
  assert.equal(a.closed, true)
  const b = db.keys()
  for await (const k of b) if (k === key(3)) break
  assert.equal(b.closed, true)
  const c = db.values()
  assert.equal([...c].length, 100)
  assert.equal(c.closed, true)
  assert.deepEqual(c.nextSync(), { done: true, value: undefined }) // ended, not failed
  const d = db.iterator()
  assert.deepEqual(await d.return('x'), { done: true, value: 'x' })
  assert.throws(() => d.nextSync(), isCode('ITERATOR_CLOSED'))
  const e = db.iterator()
  e[Symbol.dispose]()
  assert.equal(e.closed, true)
  // An iterator read to its end with next() stays open, so it can seek back.
  const f = db.keys({ gte: key(98) })
  assert.deepEqual(f.nextvSync(10), [key(98), key(99)])
  assert.deepEqual(f.nextSync(), { done: true, value: undefined })
  f.seek(key(99))
  assert.deepEqual(f.allSync(), [key(99)])
  assert.equal(f.closed, true)
  await done()
})

test('iterators dropped without close are reclaimed by GC', { skip: typeof global.gc !== 'function' && 'needs --expose-gc' }, async () => {
  const { db, done } = await openFilled()
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 200; i++) {
      const it = db.iterator({ gte: key(i) })
      it.nextSync()
      db.snapshot() // dropped too
    }
    await new Promise((resolve) => setImmediate(resolve))
    global.gc()
  }
  await new Promise((resolve) => setTimeout(resolve, 10))
  global.gc()
  await db.put('still', 'works')
  assert.equal(db.getSync('still'), 'works')
  await done()
})

test('iterator() on a closed database throws CLOSED; bad options are named', async () => {
  const { db, done } = await openFilled(10)
  assert.throws(() => db.iterator({ limt: 1 }), { name: 'TypeError', message: /Unknown iterator option 'limt'; did you mean 'limit'\?/ })
  assert.throws(() => db.iterator({ limit: 1.5 }), { name: 'RangeError', message: /Option 'limit'/ })
  assert.throws(() => db.iterator({ reverse: 'yes' }), { name: 'TypeError', message: /Option 'reverse' must be a boolean/ })
  assert.throws(() => db.iterator({ lt: 'a', lte: 'b' }), { name: 'TypeError', message: /mutually exclusive/ })
  assert.throws(() => db.iterator({ gt: null }), { name: 'TypeError', message: /Option 'gt'/ })
  assert.throws(() => db.iterator({ valueEncoding: 'hex' }), { name: 'TypeError', message: /Option 'valueEncoding'/ })
  assert.throws(() => db.iterator([]), { name: 'TypeError', message: /options must be an object/ })
  const it = db.iterator()
  assert.throws(() => it.nextvSync(-1), RangeError)
  assert.throws(() => it.seek(5), { name: 'TypeError', message: /target must be/ })
  assert.deepEqual(db.iterator({ limit: 0 }).allSync(), [])
  assert.equal(db.iterator({ limit: Infinity }).allSync().length, 10)
  assert.equal(db.iterator({ limit: -1 }).allSync().length, 10)
  await done()
  assert.throws(() => db.iterator(), isCode('CLOSED'))
  assert.throws(() => db.keys(), isCode('CLOSED'))
})

test('a process exiting with open iterators and snapshots exits cleanly', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-itexit-'))
  const script = `
    const { open } = require(${JSON.stringify(path.join(__dirname, '..'))})
    open(${JSON.stringify(dir)}).then(async (db) => {
      await db.put('a', '1')
      globalThis.keep = [db.iterator(), db.snapshot(), db.keys({ reverse: true })]
      globalThis.keep[0].nextSync()
    })`
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  fs.rmSync(dir, { recursive: true, force: true })
})
