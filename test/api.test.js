'use strict'
// Round trips through the public API: every read and write method with each
// encoding, batches (array and chained) and their atomicity, group commit of
// many writes in one turn, flush/stats/events, close + reopen.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const lsmkv = require('../dist/index.js')
const { tempDir, withDb } = require('./helpers')
const { open, Database, Batch, LsmError } = lsmkv

const KiB = 1024



test('exports', async () => {
  assert.equal(typeof open, 'function')
  assert.equal(typeof Database, 'function')
  assert.equal(typeof Batch, 'function')
  assert.equal(typeof LsmError, 'function')
  const err = new LsmError('boom', 'IO_ERROR', { cause: new Error('inner') })
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'LsmError')
  assert.equal(err.code, 'IO_ERROR')
  assert.equal(err.cause.message, 'inner')
  assert.equal('cause' in new LsmError('x', 'CLOSED'), false)
  const esm = await import('../dist/index.mjs')
  assert.equal(esm.open, open)
  assert.equal(esm.LsmError, LsmError)
  assert.equal(esm.default, lsmkv)
})

test('utf8: put/get/getSync/has/hasSync/del round trip', async () => {
  await withDb({}, async (db, dir) => {
    assert.equal(db.location, dir)
    assert.equal(db.status, 'open')
    assert.ok(db instanceof Database)
    assert.equal(await db.get('missing'), undefined)
    assert.equal(db.getSync('missing'), undefined)
    assert.equal(await db.has('missing'), false)
    assert.equal(db.hasSync('missing'), false)

    await db.put('hello', 'world')
    assert.equal(await db.get('hello'), 'world')
    assert.equal(db.getSync('hello'), 'world')
    assert.equal(await db.has('hello'), true)
    assert.equal(db.hasSync('hello'), true)

    // Strings and bytes are the same key space.
    assert.equal(db.getSync(Buffer.from('hello')), 'world')
    assert.equal(db.getSync(new Uint8Array(Buffer.from('hello'))), 'world')
    await db.put(Buffer.from('bytes'), new Uint8Array([0x68, 0x69]))
    assert.equal(db.getSync('bytes'), 'hi')

    const unicode = 'ключ 🔑 キー'
    await db.put(unicode, 'значение ✓ 値')
    assert.equal(db.getSync(unicode), 'значение ✓ 値')

    await db.put('hello', 'again')
    assert.equal(db.getSync('hello'), 'again')
    await db.del('hello')
    assert.equal(await db.get('hello'), undefined)
    assert.equal(db.hasSync('hello'), false)
    await db.del('never-existed')

    await db.put('sync', 'yes', { sync: true })
    assert.equal(db.getSync('sync'), 'yes')
    await db.del('sync', { sync: true })
    assert.equal(db.getSync('sync'), undefined)
  })
})

test("'buffer' values are Buffers that later reads never overwrite", async () => {
  await withDb({ valueEncoding: 'buffer' }, async (db) => {
    await db.put('a', 'first')
    await db.put('b', Buffer.from([0, 1, 2, 255]))
    const a = db.getSync('a')
    assert.ok(Buffer.isBuffer(a))
    assert.deepEqual(a, Buffer.from('first'))
    const b = await db.get('b')
    assert.deepEqual(b, Buffer.from([0, 1, 2, 255]))
    // A later read must not overwrite an earlier result.
    assert.deepEqual(a, Buffer.from('first'))
    assert.equal(db.getSync('a', { valueEncoding: 'utf8' }), 'first')
    const [x, y, z] = await db.getMany(['a', 'nope', 'b'])
    assert.deepEqual([x, y, z], [Buffer.from('first'), undefined, Buffer.from([0, 1, 2, 255])])
    assert.ok(Buffer.isBuffer(x))
  })
})

test('entries of short pages stay intact after later reads reuse the shared buffer', async () => {
  await withDb({ keyEncoding: 'buffer', valueEncoding: 'buffer' }, async (db) => {
    await db.batch(Array.from({ length: 50 }, (_, i) => ({ type: 'put', key: `k${i + 10}`, value: `value-${i + 10}` })))
    const it = db.iterator()
    it.seek(Buffer.from('k20'))
    const first = it.nextvSync(3) // a short page: it arrives through the shared value buffer
    const again = db.iterator()
    again.seek(Buffer.from('k40'))
    again.nextvSync(3) // overwrites the shared buffer
    assert.strictEqual(db.getSync(Buffer.from('k55')).toString(), 'value-55') // so does a getSync
    assert.deepStrictEqual(first.map(([k, v]) => [k.toString(), v.toString()]),
      [['k20', 'value-20'], ['k21', 'value-21'], ['k22', 'value-22']])
    it.close()
    again.close()
  })
})

test('point reads keep every earlier value intact across result pools, at every size', async () => {
  // Sizes around the pool's 4 KiB reserve and 16 KiB size, and past both.
  const sizes = [0, 1, 100, 4095, 4096, 4097, 12 * KiB, 16 * KiB, 16 * KiB + 1, 40 * KiB]
  const expected = []
  for (let i = 0; i < 400; i++) {
    const size = sizes[i % sizes.length] + (i % 7)
    expected.push(Buffer.alloc(size, i % 251))
  }
  await withDb({ valueEncoding: 'buffer' }, async (db) => {
    await db.batch(expected.map((value, i) => ({ type: 'put', key: `k${i}`, value })))
    const got = []
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < expected.length; i++) {
        // hasSync and misses in between must not disturb the values handed out.
        assert.equal(db.hasSync(`k${i}`), true)
        assert.equal(db.getSync(`missing${i}`), undefined)
        const v = round === 0 ? db.getSync(`k${i}`)
          : round === 1 ? await db.get(`k${i}`)
            : db.getSync(`k${i}`, { valueEncoding: 'view' })
        got.push([i, v])
      }
    }
    for (const [i, v] of got) assert.ok(Buffer.from(v).equals(expected[i]), `k${i}`)
    // A value's memory is the pool the engine writes into: a transfer copies it
    // instead of detaching it.
    const v = db.getSync('k2')
    structuredClone(v.buffer, { transfer: [v.buffer] })
    assert.ok(v.byteLength > 0 && v.equals(expected[2]))
    assert.ok(db.getSync('k2').equals(expected[2]))
  })
})

test("'view' values are plain Uint8Arrays", async () => {
  await withDb({ valueEncoding: 'view', keyEncoding: 'view' }, async (db) => {
    const key = new Uint8Array([1, 2, 3])
    await db.put(key, new Uint8Array([9, 8, 7]))
    const v = db.getSync(key)
    assert.ok(v instanceof Uint8Array)
    assert.equal(Buffer.isBuffer(v), false)
    assert.deepEqual([...v], [9, 8, 7])
    const again = db.getSync(new Uint8Array([1, 2, 3]))
    assert.deepEqual([...v], [9, 8, 7])
    assert.deepEqual([...again], [9, 8, 7])
    const [many] = await db.getMany([key])
    assert.equal(Buffer.isBuffer(many), false)
    assert.deepEqual([...many], [9, 8, 7])
    // Strings are still accepted as input.
    await db.put('s', 'x')
    assert.deepEqual([...(await db.get('s'))], [0x78])
  })
})

test("'json' values and keys", async () => {
  await withDb({ valueEncoding: 'json' }, async (db) => {
    const doc = { name: 'Ada', tags: ['a', 'b'], n: 1.5, nested: { ok: true }, nil: null }
    await db.put('doc', doc)
    assert.deepEqual(await db.get('doc'), doc)
    assert.deepEqual(db.getSync('doc'), doc)
    await db.put('num', 42)
    await db.put('str', 'text')
    await db.put('bool', false)
    assert.equal(db.getSync('num'), 42)
    assert.equal(db.getSync('str'), 'text')
    assert.equal(db.getSync('bool'), false)
    assert.equal(db.getSync('doc', { valueEncoding: 'utf8' }), JSON.stringify(doc))
    assert.deepEqual(await db.getMany(['num', 'missing', 'doc']), [42, undefined, doc])
    await db.batch([{ type: 'put', key: 'arr', value: [1, 2] }, { type: 'del', key: 'num' }])
    assert.deepEqual(db.getSync('arr'), [1, 2])
    assert.equal(db.hasSync('num'), false)
    await db.batch().put('obj', { x: 1 }).write()
    assert.deepEqual(db.getSync('obj'), { x: 1 })
  })
  await withDb({ keyEncoding: 'json', valueEncoding: 'json' }, async (db) => {
    await db.put(['users', 1], { id: 1 })
    assert.deepEqual(db.getSync(['users', 1]), { id: 1 })
    assert.equal(db.getSync('["users",1]', { keyEncoding: 'utf8' }) !== undefined, true)
    assert.equal(db.hasSync(['users', 2]), false)
  })
})

test('empty values and values larger than the shared value buffer', async () => {
  for (const valueEncoding of ['utf8', 'buffer', 'view', 'json']) {
    await withDb({ valueEncoding }, async (db) => {
      const big = 'v'.repeat(200 * KiB)
      const input = valueEncoding === 'json' ? { big } : big
      await db.put('big', input)
      await db.put('small', valueEncoding === 'json' ? 'x' : 'x')
      await db.put('empty', valueEncoding === 'json' ? '' : '')
      const asText = (v) => valueEncoding === 'json'
        ? JSON.stringify(v)
        : typeof v === 'string' ? v : Buffer.from(v).toString()
      const out = db.getSync('big')
      assert.equal(asText(out), asText(input))
      assert.equal(asText(await db.get('big')), asText(input))
      const [m1, m2, m3] = await db.getMany(['big', 'small', 'empty'])
      assert.equal(asText(m1), asText(input))
      assert.equal(asText(m2), valueEncoding === 'json' ? '"x"' : 'x')
      assert.equal(asText(m3), valueEncoding === 'json' ? '""' : '')
      if (valueEncoding === 'view') assert.equal(Buffer.isBuffer(out), false)
      if (valueEncoding === 'buffer') assert.ok(Buffer.isBuffer(out))
    })
  }
})

test('getMany keeps order, repeats and missing keys', async () => {
  await withDb({}, async (db) => {
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
      { type: 'put', key: 'c', value: '' }
    ])
    assert.deepEqual(await db.getMany([]), [])
    assert.deepEqual(await db.getMany(['c', 'x', 'a', 'a', Buffer.from('b')]), ['', undefined, '1', '1', '2'])
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`)
    await db.batch(keys.map((key, i) => ({ type: 'put', key, value: `v${i}` })))
    const values = await db.getMany(keys)
    assert.deepEqual(values, keys.map((_, i) => `v${i}`))
    assert.deepEqual(await db.getMany(['k1'], { valueEncoding: 'buffer' }), [Buffer.from('v1')])
  })
})

test('array batch applies puts and deletes atomically', async () => {
  await withDb({}, async (db) => {
    await db.put('gone', 'soon')
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'del', key: 'gone' },
      { type: 'put', key: 'b', value: '2' },
      { type: 'put', key: 'a', value: '3' }
    ])
    assert.equal(db.getSync('a'), '3', 'later op on the same key wins')
    assert.equal(db.getSync('b'), '2')
    assert.equal(db.getSync('gone'), undefined)
    await db.batch([])

    // Readers see all of a batch or none of it. A scan of the keys races the
    // commit, so it may straddle the moment the batch becomes visible: that
    // shows as absent...absent present...present. A key seen before an
    // earlier one of the same batch (present then absent) means a torn batch,
    // and a scan during which the published sequence did not move must see
    // all or nothing.
    const n = 200
    for (let round = 0; round < 10; round++) {
      const ops = Array.from({ length: n }, (_, i) => ({ type: 'put', key: `r${round}:${i}`, value: 'x'.repeat(100) }))
      let done = false
      const write = db.batch(ops).then(() => { done = true })
      while (!done) {
        const seqBefore = db.stats().lastSequence
        let visible = 0
        let tornAt = -1
        for (let i = 0; i < n; i++) {
          if (db.hasSync(`r${round}:${i}`)) visible++
          else if (visible > 0 && tornAt < 0) tornAt = i
        }
        const seqAfter = db.stats().lastSequence
        assert.equal(tornAt, -1, `key ${tornAt} of a batch missing after earlier keys were visible`)
        if (seqBefore === seqAfter) assert.ok(visible === 0 || visible === n, `saw ${visible} of ${n} keys of one batch`)
        await new Promise((resolve) => setImmediate(resolve))
      }
      await write
      assert.equal((await db.getMany(ops.map((o) => o.key))).filter((v) => v !== undefined).length, n)
    }
  })
})

test('chained batch: put/del/length/clear/write', async () => {
  await withDb({}, async (db) => {
    await db.put('old', 'x')
    const batch = db.batch()
    assert.ok(batch instanceof Batch)
    assert.equal(batch.length, 0)
    assert.equal(batch.put('a', '1').put('b', '2').del('old'), batch)
    assert.equal(batch.length, 3)
    assert.equal(db.getSync('a'), undefined, 'nothing is visible before write()')
    await batch.write({ sync: true })
    assert.equal(db.getSync('a'), '1')
    assert.equal(db.getSync('b'), '2')
    assert.equal(db.getSync('old'), undefined)

    const cleared = db.batch().put('c', '3')
    assert.equal(cleared.clear(), cleared)
    assert.equal(cleared.length, 0)
    cleared.put('d', '4')
    await cleared.write()
    assert.equal(db.getSync('c'), undefined)
    assert.equal(db.getSync('d'), '4')

    await db.batch().write()

    const binary = db.batch().put(Buffer.from([1]), new Uint8Array([2, 3]))
    await binary.write()
    assert.deepEqual(db.getSync(Buffer.from([1]), { valueEncoding: 'buffer' }), Buffer.from([2, 3]))
  })
})

test('many writes in one turn all resolve, in order, and are readable', async () => {
  await withDb({}, async (db) => {
    const before = db.stats()
    const n = 10000
    const writes = []
    for (let i = 0; i < n; i++) writes.push(db.put(`key${i}`, `value${i}`))
    writes.push(db.batch([{ type: 'put', key: 'key0', value: 'overwritten' }, { type: 'del', key: 'key1' }]))
    writes.push(db.batch().put('key2', 'chained').write())
    writes.push(db.del('key3'))
    writes.push(db.put('big', Buffer.alloc(5 * 1024 * 1024, 1))) // forces a second group
    for (let i = 0; i < 100; i++) writes.push(db.put(`after${i}`, 'x'))
    await Promise.all(writes)
    assert.equal(db.getSync('key0'), 'overwritten')
    assert.equal(db.getSync('key1'), undefined)
    assert.equal(db.getSync('key2'), 'chained')
    assert.equal(db.getSync('key3'), undefined)
    assert.equal(db.getSync('key9999'), 'value9999')
    assert.equal(db.getSync('after99'), 'x')
    const values = await db.getMany(Array.from({ length: n }, (_, i) => `key${i}`))
    for (let i = 4; i < n; i++) assert.equal(values[i], `value${i}`)
    const after = db.stats()
    assert.ok(after.puts - before.puts >= n, 'every put counted')
    assert.ok(after.batches - before.batches < 100, `writes of one turn are grouped (${after.batches - before.batches} batches)`)
  })
})

test('writes settle in the order they were issued, inline or through the commit thread', async () => {
  // Non-sync groups may be committed on the JS thread (inlineWriteBytes);
  // one must never settle before an earlier group still in the engine.
  for (const inlineWriteBytes of [0, 256 * KiB]) {
    await withDb({ inlineWriteBytes }, async (db) => {
      const settled = []
      const writes = []
      for (let i = 0; i < 200; i++) {
        writes.push(db.put(`k${i}`, `v${i}`, { sync: i % 2 === 0 }).then(() => { settled.push(i) }))
        await new Promise(setImmediate) // the next put is the next turn's group
      }
      await Promise.all(writes)
      assert.deepEqual(settled, Array.from({ length: 200 }, (_, i) => i))
      for (let i = 0; i < 200; i++) assert.equal(db.getSync(`k${i}`), `v${i}`)
      // With nothing else in flight, an awaited non-sync put commits inline
      // (unless turned off); a sync one never does.
      const before = db.stats().inlineCommits
      for (let i = 0; i < 10; i++) await db.put(`n${i}`, 'x')
      await db.put('s', 'x', { sync: true })
      assert.equal(db.stats().inlineCommits - before, inlineWriteBytes === 0 ? 0 : 10)
      if (inlineWriteBytes === 0) assert.equal(db.stats().inlineCommits, 0)
    })
  }
})

test('sync open option applies to every write', async () => {
  await withDb({ sync: true }, async (db) => {
    const before = db.stats().walSyncs
    await db.put('a', '1')
    assert.ok(db.stats().walSyncs > before)
    assert.equal(db.getSync('a'), '1')
  })
})

test('flush, stats and the flush event', async () => {
  await withDb({}, async (db) => {
    const events = []
    db.on('flush', (info) => events.push(info))
    for (let i = 0; i < 100; i++) db.put(`f${i}`, `v${i}`)
    await db.flush() // includes the writes issued just before
    const s = db.stats()
    for (const field of ['puts', 'deletes', 'gets', 'batches', 'bytesWritten', 'walBytes', 'walSyncs', 'groupCommits', 'inlineCommits',
      'flushes', 'flushBytes', 'stalls', 'stallMicros', 'memtableBytes', 'immutableMemtables', 'immutableMemtableBytes',
      'lastSequence', 'obsoleteFilesRemoved']) {
      assert.equal(typeof s[field], 'number', field)
    }
    assert.ok(Array.isArray(s.levels))
    assert.ok(s.flushes >= 1)
    assert.ok(s.lastSequence >= 100)
    assert.ok(s.levels.some((l) => l.files > 0))
    for (let i = 0; i < 100; i++) assert.equal(db.getSync(`f${i}`), `v${i}`)
    const deadline = Date.now() + 2000
    while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(events.length >= 1, 'flush event emitted')
    assert.equal(typeof events[0], 'object')
    // Reads from the new SSTable after a flush, then newer memtable data on top.
    await db.put('f0', 'newer')
    assert.equal(db.getSync('f0'), 'newer')
    await db.flush()
    assert.equal(db.getSync('f0'), 'newer')
    assert.deepEqual(await db.getMany(['f0', 'f1']), ['newer', 'v1'])
  })
})

test('Symbol.asyncDispose closes the database and releases the lock', async () => {
  const dir = tempDir()
  try {
    const db = await open(dir)
    assert.equal(typeof db[Symbol.asyncDispose], 'function')
    await db.put('k', 'v')
    await db[Symbol.asyncDispose]()
    assert.equal(db.status, 'closed')
    const again = await open(dir)
    assert.equal(again.getSync('k'), 'v')
    await again.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('reopen sees every acknowledged write, including writes issued right before close()', async () => {
  const dir = tempDir()
  try {
    const db = await open(dir, { valueEncoding: 'json' })
    await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put', key: `k${i}`, value: { i } })))
    await db.del('k7')
    await db.flush()
    await db.put('k8', { i: 'updated' })
    const last = db.put('last', { bye: true }) // same turn as close()
    const closing = db.close()
    await last
    await closing

    const reopened = await open(dir, { valueEncoding: 'json' })
    try {
      assert.deepEqual(reopened.getSync('k0'), { i: 0 })
      assert.deepEqual(reopened.getSync('k499'), { i: 499 })
      assert.equal(reopened.getSync('k7'), undefined)
      assert.deepEqual(reopened.getSync('k8'), { i: 'updated' })
      assert.deepEqual(await reopened.get('last'), { bye: true })
    } finally {
      await reopened.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('opening a directory twice fails with LOCKED; errorIfExists / createIfMissing', async () => {
  const dir = tempDir()
  try {
    const db = await open(dir)
    await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
    await db.close()
    await assert.rejects(open(dir, { errorIfExists: true }), LsmError)
    const missing = path.join(dir, 'not-here')
    await assert.rejects(open(missing, { createIfMissing: false }), LsmError)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
