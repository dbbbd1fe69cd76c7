// verify(path): every checksum of every file, read-only; damage is reported
// with the file and offset, never thrown, and nothing is modified.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { open, verify, LsmError } = require('..')
const { tempDir } = require('./helpers')

// A closed database with two tables (several data blocks each) and a MANIFEST.
async function build () {
  const dir = tempDir()
  const db = await open(dir, { blockSize: 256 })
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 300; i++) await db.put(`k${round}-${String(i).padStart(4, '0')}`, 'v'.repeat(30))
    await db.flush()
  }
  await db.close()
  return dir
}

const filesOf = (dir, re) => fs.readdirSync(dir).filter((f) => re.test(f)).sort()
const snapshotDir = (dir) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]))

test('a clean database verifies ok, every table block counted', async () => {
  const dir = await build()
  const report = await verify(dir)
  assert.strictEqual(report.ok, true)
  assert.deepStrictEqual(report.issues, [])
  const tables = report.files.filter((f) => f.type === 'table')
  assert.strictEqual(tables.length, 2)
  assert.strictEqual(tables.reduce((a, f) => a + f.entries, 0), 600)
  assert.ok(tables.every((f) => f.records > 1 && f.live && f.ok))
  assert.ok(report.files.some((f) => f.type === 'manifest' && f.live))
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a flipped byte in an SST data block is reported at that block; nothing changes', async () => {
  const dir = await build()
  const [table] = filesOf(dir, /\.sst$/)
  const file = path.join(dir, table)
  const bytes = fs.readFileSync(file)
  bytes[300] ^= 0x20 // in the second data block (blocks are ~256 B + trailer)
  fs.writeFileSync(file, bytes)
  const before = snapshotDir(dir)
  const report = await verify(dir)
  assert.strictEqual(report.ok, false)
  assert.strictEqual(report.issues.length, 1)
  const [issue] = report.issues
  assert.strictEqual(issue.file, table)
  assert.strictEqual(issue.damage, true)
  assert.match(issue.what, /data block/)
  assert.ok(issue.offset > 0 && issue.offset <= 300, `offset ${issue.offset} is the start of the block holding byte 300`)
  assert.deepStrictEqual(snapshotDir(dir), before, 'verify modifies nothing')
  // Open agrees the table is damaged when the block is read.
  const db = await open(dir)
  await assert.rejects(db.keys().all(), (err) => err instanceof LsmError && err.code === 'CORRUPTION')
  await db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a truncated MANIFEST, a damaged footer and a damaged CURRENT are each reported', async () => {
  const dir = await build()
  const [manifest] = filesOf(dir, /^MANIFEST-/)
  fs.truncateSync(path.join(dir, manifest), 20)
  let report = await verify(dir)
  assert.strictEqual(report.ok, false)
  assert.ok(report.issues.some((i) => i.file === manifest && i.damage), JSON.stringify(report.issues))

  const [, second] = filesOf(dir, /\.sst$/)
  const file = path.join(dir, second)
  const bytes = fs.readFileSync(file)
  bytes[bytes.length - 20] ^= 1
  fs.writeFileSync(file, bytes)
  fs.writeFileSync(path.join(dir, 'CURRENT'), 'MANIFEST-000099 00000000\n')
  report = await verify(dir)
  const damaged = new Set(report.issues.filter((i) => i.damage).map((i) => i.file))
  assert.ok(damaged.has('CURRENT'))
  assert.ok(damaged.has(second), JSON.stringify(report.issues))
  assert.match(report.issues.find((i) => i.file === second).what, /footer/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a database open in this process can be verified (no lock needed); bad paths reject', async () => {
  const dir = tempDir()
  const db = await open(dir)
  await db.put('a', '1')
  const report = await verify(dir)
  assert.strictEqual(report.ok, true, JSON.stringify(report.issues))
  assert.ok(report.files.some((f) => f.type === 'wal' && f.records === 1 && f.entries === 1))
  await db.close()
  await assert.rejects(verify(path.join(dir, 'missing')), (err) => err instanceof LsmError && err.code === 'INVALID_ARGUMENT')
  const empty = tempDir()
  await assert.rejects(verify(empty), /not an lsmkv database/)
  await assert.rejects(verify(''), TypeError)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(empty, { recursive: true, force: true })
})
