// level-read-stream (the Level ecosystem's Node.js streams) works on
// lsmkv/level: entries, keys and values stream in order, ranges and
// limits apply, and a stream destroyed early closes its iterator.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { pipeline } = require('node:stream/promises')
const { Writable } = require('node:stream')
const { EntryStream, KeyStream, ValueStream } = require('level-read-stream')
const { LsmLevel } = require('../dist/level.js')

async function withDb (t, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-read-stream-'))
  const db = new LsmLevel(dir, { valueEncoding: 'json', memtableSize: 16 * 1024 })
  t.after(async () => {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const ops = []
  for (let i = 0; i < 3000; i++) ops.push({ type: 'put', key: `key${String(i).padStart(5, '0')}`, value: { i } })
  await db.batch(ops)
  return fn(db)
}

async function collect (stream) {
  const out = []
  await pipeline(stream, new Writable({
    objectMode: true,
    write (chunk, _encoding, done) {
      out.push(chunk)
      done()
    }
  }))
  return out
}

test('EntryStream yields every entry in key order, through pages and SSTables', (t) => withDb(t, async (db) => {
  const entries = await collect(new EntryStream(db))
  assert.strictEqual(entries.length, 3000)
  entries.forEach((e, i) => assert.deepStrictEqual(e, { key: `key${String(i).padStart(5, '0')}`, value: { i } }))
}))

test('KeyStream and ValueStream with range, reverse and limit', (t) => withDb(t, async (db) => {
  const keys = await collect(new KeyStream(db, { gte: 'key00100', lt: 'key00200', reverse: true, limit: 5 }))
  assert.deepStrictEqual(keys, ['key00199', 'key00198', 'key00197', 'key00196', 'key00195'])
  const values = await collect(new ValueStream(db, { gt: 'key02997' }))
  assert.deepStrictEqual(values, [{ i: 2998 }, { i: 2999 }])
}))

test('a stream destroyed early closes its iterator; the db closes cleanly', (t) => withDb(t, async (db) => {
  const stream = new EntryStream(db)
  const first = await new Promise((resolve, reject) => {
    stream.once('data', resolve)
    stream.once('error', reject)
  })
  assert.deepStrictEqual(first, { key: 'key00000', value: { i: 0 } })
  stream.destroy()
  await new Promise((resolve) => stream.once('close', resolve))
  // With an iterator left open, close() would wait on it.
  await db.close()
  assert.strictEqual(db.status, 'closed')
  await db.open()
}))
