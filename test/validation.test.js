'use strict'
// Argument and option validation at the JS boundary (P0-8): every bad input is
// rejected with a TypeError / RangeError naming the argument or option before
// anything reaches native code, and every call on a closed database fails with
// LsmError code 'CLOSED'.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { open, LsmError } = require('../dist/index.js')
const { tempDir, withDb } = require('./helpers')

const KiB = 1024
const MiB = 1024 * KiB



const badKeys = [
  [42, 'number'],
  [null, 'null'],
  [undefined, 'undefined'],
  [{}, 'object'],
  [[1, 2], 'array'],
  [true, 'boolean'],
  [10n, 'bigint']
]

function isClosedError (err) {
  return err instanceof LsmError && err.code === 'CLOSED'
}

test('non-string/Uint8Array keys are TypeErrors naming the argument', async () => {
  await withDb({}, async (db) => {
    for (const [bad, type] of badKeys) {
      const msg = new RegExp(`^key must be a string or Uint8Array, got ${type}$`)
      await assert.rejects(db.put(bad, 'v'), { name: 'TypeError', message: msg })
      await assert.rejects(db.get(bad), { name: 'TypeError', message: msg })
      assert.throws(() => db.getSync(bad), { name: 'TypeError', message: msg })
      await assert.rejects(db.has(bad), { name: 'TypeError', message: msg })
      assert.throws(() => db.hasSync(bad), { name: 'TypeError', message: msg })
      await assert.rejects(db.del(bad), { name: 'TypeError', message: msg })
      await assert.rejects(db.batch([{ type: 'put', key: bad, value: 'v' }]),
        { name: 'TypeError', message: new RegExp(`^operations\\[0\\]\\.key must be a string or Uint8Array, got ${type}$`) })
      await assert.rejects(db.batch([{ type: 'put', key: 'a', value: 'v' }, { type: 'del', key: bad }]),
        { name: 'TypeError', message: /^operations\[1\]\.key must be a string or Uint8Array/ })
      await assert.rejects(db.getMany(['a', bad]),
        { name: 'TypeError', message: new RegExp(`^keys\\[1\\] must be a string or Uint8Array, got ${type}$`) })
      assert.throws(() => db.batch().put(bad, 'v'), { name: 'TypeError', message: msg })
      assert.throws(() => db.batch().del(bad), { name: 'TypeError', message: msg })
    }
    // Nothing above reached the engine.
    assert.equal(db.getSync('a'), undefined)
  })
})

test('non-string/Uint8Array values are TypeErrors naming the argument', async () => {
  await withDb({}, async (db) => {
    for (const [bad, type] of badKeys) {
      await assert.rejects(db.put('k', bad),
        { name: 'TypeError', message: new RegExp(`^value must be a string or Uint8Array, got ${type}$`) })
      await assert.rejects(db.batch([{ type: 'put', key: 'k', value: bad }]),
        { name: 'TypeError', message: new RegExp(`^operations\\[0\\]\\.value must be a string or Uint8Array, got ${type}$`) })
      assert.throws(() => db.batch().put('k', bad), { name: 'TypeError', message: /^value must be/ })
    }
    assert.equal(db.getSync('k'), undefined)
  })
})

test('JSON encoding rejects values that do not serialize', async () => {
  await withDb({ valueEncoding: 'json' }, async (db) => {
    await assert.rejects(db.put('k', undefined), { name: 'TypeError', message: /value is not JSON-serializable/ })
    await assert.rejects(db.put('k', () => 1), { name: 'TypeError', message: /value is not JSON-serializable/ })
    const cyclic = {}
    cyclic.self = cyclic
    await assert.rejects(db.put('k', cyclic), { name: 'TypeError', message: /value is not JSON-serializable/ })
    await assert.rejects(db.put('k', 1n), { name: 'TypeError', message: /value is not JSON-serializable/ })
  })
})

test('malformed batches are TypeErrors naming the index, and write nothing', async () => {
  await withDb({}, async (db) => {
    await assert.rejects(db.batch('nope'), { name: 'TypeError', message: /^operations must be an array, got string$/ })
    await assert.rejects(db.batch({ type: 'put' }), { name: 'TypeError', message: /^operations must be an array/ })
    await assert.rejects(db.batch([{ type: 'put', key: 'a', value: '1' }, null]),
      { name: 'TypeError', message: /^operations\[1\] must be an object, got null$/ })
    await assert.rejects(db.batch([{ type: 'put', key: 'a', value: '1' }, 'x']),
      { name: 'TypeError', message: /^operations\[1\] must be an object, got string$/ })
    await assert.rejects(db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'insert', key: 'b' }]),
      { name: 'TypeError', message: /^operations\[1\]\.type must be 'put' or 'del', got 'insert'$/ })
    await assert.rejects(db.batch([{ key: 'b', value: '1' }]),
      { name: 'TypeError', message: /^operations\[0\]\.type must be 'put' or 'del', got undefined$/ })
    // The valid first operations were rolled back with the bad one.
    assert.equal(await db.get('a'), undefined)
    // Valid writes in the same turn as a rejected batch still commit.
    const ok = db.put('c', '3')
    const bad = db.batch([{ type: 'put', key: 'd', value: '4' }, { type: 'del', key: 7 }])
    await assert.rejects(bad, TypeError)
    await ok
    assert.equal(await db.get('c'), '3')
    assert.equal(await db.get('d'), undefined)
    await assert.rejects(db.getMany('a'), { name: 'TypeError', message: /^keys must be an array, got string$/ })
  })
})

test('empty keys are RangeErrors; empty values are fine', async () => {
  await withDb({}, async (db) => {
    for (const empty of ['', new Uint8Array(0), Buffer.alloc(0)]) {
      const msg = /^key must not be empty$/
      await assert.rejects(db.put(empty, 'v'), { name: 'RangeError', message: msg })
      await assert.rejects(db.get(empty), { name: 'RangeError', message: msg })
      assert.throws(() => db.getSync(empty), { name: 'RangeError', message: msg })
      await assert.rejects(db.has(empty), { name: 'RangeError', message: msg })
      assert.throws(() => db.hasSync(empty), { name: 'RangeError', message: msg })
      await assert.rejects(db.del(empty), { name: 'RangeError', message: msg })
      await assert.rejects(db.batch([{ type: 'put', key: empty, value: 'v' }]),
        { name: 'RangeError', message: /^operations\[0\]\.key must not be empty$/ })
      await assert.rejects(db.getMany(['a', empty]), { name: 'RangeError', message: /^keys\[1\] must not be empty$/ })
      assert.throws(() => db.batch().put(empty, 'v'), { name: 'RangeError', message: msg })
    }
    await db.put('k', '')
    assert.equal(await db.get('k'), '')
    await db.put('b', new Uint8Array(0))
    assert.deepEqual(db.getSync('b', { valueEncoding: 'buffer' }), Buffer.alloc(0))
  })
})

test('configured key/value limits: over is a RangeError stating the limit, exactly at the limit works', async () => {
  const maxKeySize = 100
  const maxValueSize = 1000
  await withDb({ maxKeySize, maxValueSize }, async (db) => {
    const keyMsg = /^key is 101 bytes, over the limit of 100 bytes \(maxKeySize/
    const longKeys = ['k'.repeat(101), Buffer.alloc(101, 1)]
    for (const key of longKeys) {
      await assert.rejects(db.put(key, 'v'), { name: 'RangeError', message: keyMsg })
      await assert.rejects(db.get(key), { name: 'RangeError', message: keyMsg })
      assert.throws(() => db.getSync(key), { name: 'RangeError', message: keyMsg })
      assert.throws(() => db.hasSync(key), { name: 'RangeError', message: keyMsg })
      await assert.rejects(db.del(key), { name: 'RangeError', message: keyMsg })
      await assert.rejects(db.batch([{ type: 'del', key }]),
        { name: 'RangeError', message: /^operations\[0\]\.key is 101 bytes, over the limit of 100 bytes/ })
      await assert.rejects(db.getMany([key]), { name: 'RangeError', message: /^keys\[0\] is 101 bytes, over the limit of 100 bytes/ })
      assert.throws(() => db.batch().put(key, 'v'), { name: 'RangeError', message: keyMsg })
    }
    // Limits count UTF-8 bytes, not characters: 51 x 'é' is 102 bytes.
    await assert.rejects(db.put('é'.repeat(51), 'v'), { name: 'RangeError', message: /^key is 102 bytes, over the limit of 100 bytes/ })
    assert.throws(() => db.getSync('é'.repeat(51)), { name: 'RangeError', message: /^key is 102 bytes/ })
    await assert.rejects(db.getMany(['é'.repeat(51)]), { name: 'RangeError', message: /^keys\[0\] is 102 bytes/ })

    const valueMsg = /^value is 1001 bytes, over the limit of 1000 bytes \(maxValueSize/
    await assert.rejects(db.put('k', 'v'.repeat(1001)), { name: 'RangeError', message: valueMsg })
    await assert.rejects(db.put('k', Buffer.alloc(1001)), { name: 'RangeError', message: valueMsg })
    await assert.rejects(db.put('k', 'é'.repeat(501)), { name: 'RangeError', message: /^value is 1002 bytes/ })
    await assert.rejects(db.batch([{ type: 'put', key: 'k', value: Buffer.alloc(1001) }]),
      { name: 'RangeError', message: /^operations\[0\]\.value is 1001 bytes, over the limit of 1000 bytes/ })
    assert.throws(() => db.batch().put('k', Buffer.alloc(1001)), { name: 'RangeError', message: valueMsg })
    assert.equal(await db.get('k'), undefined)

    // Exactly at the limits: accepted and read back intact.
    const maxKey = 'é'.repeat(50)
    const maxValue = 'é'.repeat(500)
    await db.put(maxKey, maxValue)
    assert.equal(await db.get(maxKey), maxValue)
    assert.equal(db.getSync(maxKey), maxValue)
    assert.equal(db.hasSync(maxKey), true)
    const binKey = Buffer.alloc(maxKeySize, 0xab)
    const binValue = Buffer.alloc(maxValueSize, 0xcd)
    await db.batch([{ type: 'put', key: binKey, value: binValue }])
    assert.deepEqual(db.getSync(binKey, { valueEncoding: 'buffer' }), binValue)
    assert.deepEqual(await db.getMany([binKey, maxKey], { valueEncoding: 'buffer' }), [binValue, Buffer.from(maxValue)])
    await db.del(binKey)
    assert.equal(db.hasSync(binKey), false)
  })
})

test('default limits: 64 KiB keys and 64 MiB values', async () => {
  await withDb({}, async (db) => {
    await assert.rejects(db.put(Buffer.alloc(64 * KiB + 1), 'v'),
      { name: 'RangeError', message: /^key is 65537 bytes, over the limit of 65536 bytes \(maxKeySize: 64 KiB\)$/ })
    assert.throws(() => db.getSync('x'.repeat(64 * KiB + 1)), { name: 'RangeError', message: /limit of 65536 bytes/ })
    await assert.rejects(db.put('k', Buffer.allocUnsafe(64 * MiB + 1)),
      { name: 'RangeError', message: /^value is 67108865 bytes, over the limit of 67108864 bytes \(maxValueSize: 64 MiB\)$/ })
    const maxKey = Buffer.alloc(64 * KiB, 7)
    await db.put(maxKey, 'at the limit')
    assert.equal(db.getSync(maxKey), 'at the limit')
    const maxStringKey = 'z'.repeat(64 * KiB)
    await db.put(maxStringKey, 'string at the limit')
    assert.equal(await db.get(maxStringKey), 'string at the limit')
  })
})

test('unknown options are TypeErrors with a "did you mean" hint', async () => {
  const dir = path.join(tempDir(), 'db')
  try {
    await assert.rejects(open(dir, { memtabelSize: 1 }),
      { name: 'TypeError', message: /Unknown option 'memtabelSize'; did you mean 'memtableSize'\?/ })
    await assert.rejects(open(dir, { valueEncodng: 'json' }), { name: 'TypeError', message: /did you mean 'valueEncoding'\?/ })
    await assert.rejects(open(dir, { createIfMising: true }), { name: 'TypeError', message: /did you mean 'createIfMissing'\?/ })
    await assert.rejects(open(dir, { blocksize: 4096 }), { name: 'TypeError', message: /did you mean 'blockSize'\?/ })
    await assert.rejects(open(dir, { testHooks: { flushDelay: 5 } }), { name: 'TypeError', message: /did you mean 'flushDelayMs'\?/ })
    await assert.rejects(open(dir, { completelyUnrelated: 1 }), { name: 'TypeError', message: /Unknown option 'completelyUnrelated'/ })
    // Validation happens before the engine: nothing was created.
    assert.equal(fs.existsSync(dir), false)
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true })
  }
  await withDb({}, async (db) => {
    await assert.rejects(db.put('k', 'v', { snyc: true }), { name: 'TypeError', message: /did you mean 'sync'\?/ })
    await assert.rejects(db.get('k', { valueEncodin: 'buffer' }), { name: 'TypeError', message: /did you mean 'valueEncoding'\?/ })
    assert.throws(() => db.getSync('k', { valueEncodin: 'buffer' }), { name: 'TypeError', message: /did you mean 'valueEncoding'\?/ })
  })
})

test('bad option values are TypeError / RangeError naming the option', async () => {
  const dir = path.join(tempDir(), 'db')
  const cases = [
    [{ memtableSize: 'big' }, TypeError, /'memtableSize' must be a number, got string/],
    [{ memtableSize: -1 }, RangeError, /'memtableSize' must be an integer from 4 KiB to 2 GiB, got -1/],
    [{ memtableSize: 1.5 }, RangeError, /'memtableSize'/],
    [{ memtableSize: NaN }, RangeError, /'memtableSize'/],
    [{ maxImmutableMemtables: 0 }, RangeError, /'maxImmutableMemtables' must be an integer from 1 to 64/],
    [{ blockSize: 10 }, RangeError, /'blockSize'/],
    [{ blockRestartInterval: 0 }, RangeError, /'blockRestartInterval'/],
    [{ bloomBitsPerKey: 65 }, RangeError, /'bloomBitsPerKey' must be an integer from 0 to 64, got 65/],
    [{ maxKeySize: 64 * KiB + 1 }, RangeError, /'maxKeySize' must be an integer from 1 byte to 64 KiB, got 65537/],
    [{ maxKeySize: 0 }, RangeError, /'maxKeySize'/],
    [{ maxValueSize: 64 * MiB + 1 }, RangeError, /'maxValueSize' must be an integer from 0 bytes to 64 MiB, got 67108865/],
    [{ maxValueSize: '1' }, TypeError, /'maxValueSize' must be a number/],
    [{ inlineWriteBytes: 4 * MiB + 1 }, RangeError, /'inlineWriteBytes' must be an integer from 0 bytes to 4 MiB, got 4194305/],
    [{ inlineWriteBytes: -1 }, RangeError, /'inlineWriteBytes'/],
    [{ createIfMissing: 'yes' }, TypeError, /'createIfMissing' must be a boolean, got string/],
    [{ errorIfExists: 1 }, TypeError, /'errorIfExists' must be a boolean, got number/],
    [{ mmap: null }, TypeError, /'mmap' must be a boolean, got null/],
    [{ compression: 'lz' }, TypeError, /'compression' must be a boolean, got string/],
    [{ sync: 'true' }, TypeError, /'sync' must be a boolean/],
    [{ keyEncoding: 'binary' }, TypeError, /'keyEncoding' must be one of 'utf8', 'buffer', 'view', 'json', got 'binary'/],
    [{ valueEncoding: 1 }, TypeError, /'valueEncoding' must be one of/],
    [{ testHooks: 5 }, TypeError, /'testHooks' must be an object/],
    [{ testHooks: { flushDelayMs: -1 } }, RangeError, /'testHooks\.flushDelayMs'/]
  ]
  try {
    for (const [options, ErrorType, message] of cases) {
      await assert.rejects(open(dir, options), (err) => {
        assert.ok(err instanceof ErrorType, `${JSON.stringify(options)}: expected ${ErrorType.name}, got ${err}`)
        assert.match(err.message, message)
        return true
      })
    }
    await assert.rejects(open(dir, 'fast'), { name: 'TypeError', message: /^options must be an object, got string$/ })
    await assert.rejects(open(dir, null), { name: 'TypeError', message: /^options must be an object, got null$/ })
    await assert.rejects(open(42), { name: 'TypeError', message: /^location must be a string, got number$/ })
    await assert.rejects(open(''), { name: 'RangeError', message: /^location must not be empty$/ })
    assert.equal(fs.existsSync(dir), false)
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true })
  }
  await withDb({}, async (db) => {
    await assert.rejects(db.put('k', 'v', { sync: 'yes' }), { name: 'TypeError', message: /'sync' must be a boolean, got string/ })
    await assert.rejects(db.del('k', 'sync'), { name: 'TypeError', message: /^options must be an object, got string$/ })
    await assert.rejects(db.get('k', { valueEncoding: 'hex' }), { name: 'TypeError', message: /'valueEncoding' must be one of/ })
    await assert.rejects(db.batch().put('k', 'v').write({ sync: 1 }), { name: 'TypeError', message: /'sync' must be a boolean/ })
  })
})

test('every method of a closed database fails with LsmError CLOSED; close twice is fine', async () => {
  const dir = tempDir()
  try {
    const db = await open(dir)
    await db.put('k', 'v')
    const early = db.batch().put('a', '1')
    assert.equal(db.status, 'open')
    const closing = db.close()
    assert.equal(db.status, 'closing')
    // While closing: already CLOSED for new calls, no hang.
    await assert.rejects(db.put('x', 'y'), isClosedError)
    assert.throws(() => db.getSync('k'), isClosedError)
    const again = db.close()
    assert.equal(again, closing, 'a second close() returns the same promise')
    await closing
    await again
    await db.close()
    assert.equal(db.status, 'closed')

    await assert.rejects(db.put('k', 'v'), isClosedError)
    await assert.rejects(db.get('k'), isClosedError)
    assert.throws(() => db.getSync('k'), isClosedError)
    await assert.rejects(db.getMany(['k']), isClosedError)
    await assert.rejects(db.has('k'), isClosedError)
    assert.throws(() => db.hasSync('k'), isClosedError)
    await assert.rejects(db.del('k'), isClosedError)
    await assert.rejects(db.batch([{ type: 'put', key: 'k', value: 'v' }]), isClosedError)
    assert.throws(() => db.batch(), isClosedError)
    assert.throws(() => early.put('b', '2'), isClosedError)
    assert.throws(() => early.del('b'), isClosedError)
    await assert.rejects(early.write(), isClosedError)
    await assert.rejects(db.flush(), isClosedError)
    assert.throws(() => db.stats(), isClosedError)
    // Closed wins over bad arguments: the state is the more useful error.
    await assert.rejects(db.put(1, 2), isClosedError)
    await db[Symbol.asyncDispose]()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a written or closed chained batch fails with LsmError CLOSED', async () => {
  await withDb({}, async (db) => {
    const batch = db.batch().put('a', '1')
    await batch.write()
    assert.equal(batch.length, 0)
    assert.throws(() => batch.put('b', '2'), isClosedError)
    await assert.rejects(batch.write(), isClosedError)
    const discarded = db.batch().put('c', '3')
    discarded.close()
    discarded.close()
    assert.throws(() => discarded.del('c'), isClosedError)
    await assert.rejects(discarded.write(), isClosedError)
    assert.equal(await db.get('a'), '1')
    assert.equal(await db.get('c'), undefined)
  })
})
