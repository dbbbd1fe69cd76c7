// db.checkpoint(dir): a copy opened while the source keeps taking writes
// holds exactly the data as of the call; bad targets are refused clearly.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { open, verify, LsmError } = require('..')
const { tempDir, withDb } = require('./helpers')

const small = { memtableSize: 16 * 1024, blockSize: 512, l0CompactionTrigger: 2, targetFileSize: 64 * 1024, levelBase: 64 * 1024 }

async function contents (db) {
  const out = new Map()
  for await (const [k, v] of db.iterator()) out.set(k, v)
  return out
}

test('a checkpoint taken during writes opens to exactly the state as of the call', async () => {
  await withDb(small, async (db) => {
    const model = new Map()
    for (let i = 0; i < 3000; i++) {
      await db.put(`k${i % 700}`, `v${i}`)
      model.set(`k${i % 700}`, `v${i}`)
    }
    await db.del('k5')
    model.delete('k5')
    // Issued before the call, still in flight: included.
    const before = []
    for (let i = 0; i < 200; i++) {
      before.push(db.put(`late${i}`, 'x'))
      model.set(`late${i}`, 'x')
    }
    const target = path.join(tempDir(), 'ckpt')
    const taking = db.checkpoint(target)
    // The source keeps taking writes while the checkpoint runs; writes issued
    // after the call may land in it only as a prefix, in commit order.
    const after = []
    for (let i = 0; i < 2000; i++) after.push(db.put(`z${String(i).padStart(5, '0')}`, `after${i}`))
    await Promise.all([taking, ...before, ...after])
    const copy = await open(target)
    try {
      const got = await contents(copy)
      let prefix = 0
      while (got.has(`z${String(prefix).padStart(5, '0')}`)) prefix++
      for (let i = 0; i < prefix; i++) model.set(`z${String(i).padStart(5, '0')}`, `after${i}`)
      assert.deepStrictEqual(got, new Map([...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
      // Independent: writes to the copy do not reach the source.
      await copy.put('only-in-copy', '1')
      assert.strictEqual(await db.get('only-in-copy'), undefined)
    } finally {
      await copy.close()
    }
    assert.strictEqual(await db.get('z01999'), 'after1999')
    const report = await verify(target)
    assert.strictEqual(report.ok, true, JSON.stringify(report.issues))
    fs.rmSync(path.dirname(target), { recursive: true, force: true })
  })
})

test('checkpoint into an existing empty directory; tables are hard links', async () => {
  await withDb({}, async (db) => { // one table, no compaction to unlink it meanwhile
    for (let i = 0; i < 2000; i++) await db.put(`k${i}`, 'v'.repeat(50))
    await db.flush()
    const target = tempDir()
    await db.checkpoint(target)
    const tables = fs.readdirSync(target).filter((f) => f.endsWith('.sst'))
    assert.ok(tables.length >= 1)
    assert.ok(tables.every((f) => fs.statSync(path.join(target, f)).nlink === 2), 'linked, not copied')
    assert.ok(fs.existsSync(path.join(target, 'CURRENT')))
    assert.ok(!fs.readdirSync(target).some((f) => f.endsWith('.log')), 'no WAL in a checkpoint')
    const copy = await open(target)
    assert.strictEqual((await copy.keys().all()).length, 2000)
    await copy.close()
    fs.rmSync(target, { recursive: true, force: true })
  })
})

test('checkpoint refuses a non-empty directory, bad arguments and a closed database', async () => {
  const dir = tempDir()
  const db = await open(dir)
  await db.put('a', '1')
  const busy = tempDir()
  fs.writeFileSync(path.join(busy, 'keep'), 'x')
  await assert.rejects(db.checkpoint(busy), (err) => err instanceof LsmError && err.code === 'INVALID_ARGUMENT' && /not empty/.test(err.message))
  assert.deepStrictEqual(fs.readdirSync(busy), ['keep'])
  await assert.rejects(db.checkpoint(dir), /not empty/)
  await assert.rejects(db.checkpoint(''), TypeError)
  await assert.rejects(db.checkpoint(42), /dir must be a string/)
  await db.close()
  await assert.rejects(db.checkpoint(path.join(busy, 'x')), (err) => err.code === 'CLOSED')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(busy, { recursive: true, force: true })
})
