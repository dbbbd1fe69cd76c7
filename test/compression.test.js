// The `compression` option: SSTable values stored LZ-compressed (default)
// read back exactly like raw ones, through every read path, across reopen,
// compaction and a switch of the option between opens; and the directory is
// smaller for compressible data.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { open, verify } = require('..')
const { tempDir } = require('./helpers')

const key = (i) => `k${String(i).padStart(6, '0')}`

// db_bench-like values (a random half repeated), random ones, tiny and empty
// ones, and one large repetitive value.
function valueFor (i) {
  if (i === 4) return Buffer.alloc(1 << 20, 'abc')
  switch (i % 5) {
    case 0: { const half = crypto.randomBytes(50); return Buffer.concat([half, half]) }
    case 1: return crypto.randomBytes(100)
    case 2: return Buffer.from(String(i))
    case 3: return Buffer.alloc(0)
    default: return Buffer.alloc(300, i % 251)
  }
}

// Table bytes in `dir`; a table compaction deletes between the listing and
// its stat no longer takes space.
function dirBytes (dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.sst'))
    .reduce((n, f) => n + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0)
}

async function fill (dir, compression, expected) {
  const db = await open(dir, { compression, valueEncoding: 'buffer', memtableSize: 256 * 1024 })
  for (let i = 0; i < 5000; i += 100) {
    const ops = []
    for (let j = i; j < i + 100; j++) {
      expected.set(key(j), valueFor(j))
      ops.push({ type: 'put', key: key(j), value: expected.get(key(j)) })
    }
    await db.batch(ops)
  }
  await db.compactRange()
  return db
}

async function checkAll (db, expected) {
  for (const [k, v] of expected) assert.deepEqual(db.getSync(k), v, k)
  const some = [...expected.keys()].filter((_, i) => i % 7 === 0)
  assert.deepEqual(await db.getMany(some), some.map((k) => expected.get(k)))
  let n = 0
  for await (const [k, v] of db.iterator()) {
    assert.deepEqual(v, expected.get(k), k)
    n++
  }
  assert.equal(n, expected.size)
  const reversed = db.iterator({ reverse: true, gte: key(1000), lt: key(1100) }).all()
  assert.deepEqual((await reversed).map(([k]) => k), [...expected.keys()].filter((k) => k >= key(1000) && k < key(1100)).reverse())
}

test('compressed and raw tables hold the same data; compressed ones are smaller', async () => {
  const dirs = [tempDir(), tempDir()]
  const expected = [new Map(), new Map()]
  const dbs = [await fill(dirs[0], true, expected[0]), await fill(dirs[1], false, expected[1])]
  try {
    for (let i = 0; i < 2; i++) await checkAll(dbs[i], expected[i])
    const [lz, raw] = dirs.map(dirBytes)
    // 1/5 of the values are random (incompressible) and the 1 MiB one collapses.
    assert.ok(lz < raw * 0.7, `compressed ${lz} B vs raw ${raw} B`)
    const report = await verify(dirs[0])  // decodes every stored value
    assert.equal(report.ok, true, JSON.stringify(report.issues))
  } finally {
    for (const db of dbs) await db.close()
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('switching compression between opens: old tables stay readable, compaction mixes them', async () => {
  const dir = tempDir()
  const expected = new Map()
  let db = await fill(dir, true, expected)
  await db.close()
  db = await open(dir, { compression: false, valueEncoding: 'buffer' })
  try {
    await checkAll(db, expected)
    const ops = []
    for (let i = 0; i < 5000; i += 3) {
      const v = valueFor(i + 1)
      expected.set(key(i), v)
      ops.push({ type: 'put', key: key(i), value: v })
    }
    await db.batch(ops)
    await db.flush()
    await checkAll(db, expected)  // raw L0 over compressed L1
    await db.compactRange()
    await checkAll(db, expected)
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
