// Regression tests for the Python prototype's data-loss bugs (issue 2 §4):
// each P0 is impossible by construction in lsmkv, and these prove it.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open, LsmError } = require('..')
const { specialPairs } = require('./fixtures/special-data')

function tmpdir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-p0-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function walFiles (dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log'))
}

async function assertSpecialPairs (db) {
  for (const [k, v] of specialPairs()) {
    const got = await db.get(k)
    assert.ok(got !== undefined, `missing key ${k.subarray(0, 32).toString('hex')}`)
    assert.ok(Buffer.compare(got, v) === 0, `wrong value for key ${k.subarray(0, 32).toString('hex')}`)
  }
}

test('P0-1: awkward keys and values survive put -> close -> reopen', async (t) => {
  const dir = tmpdir(t)
  const opts = { keyEncoding: 'buffer', valueEncoding: 'buffer' }
  let db = await open(dir, opts)
  await Promise.all(specialPairs().map(([k, v]) => db.put(k, v)))
  await assertSpecialPairs(db)
  await db.close()
  db = await open(dir, opts)
  await assertSpecialPairs(db)
  await db.close()
})

test('P0-1: awkward keys and values survive put -> kill -9 -> reopen', async (t) => {
  const dir = tmpdir(t)
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'special-writer.js'), dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d) => { err += d })
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('ACKED')) resolve() })
    child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)))
  })
  child.removeAllListeners('exit')
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGKILL')
  await exited
  const db = await open(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await assertSpecialPairs(db)
  await db.close()
})

test('P0-2/4/5: 10 concurrent writers plus repeated flush() lose nothing', async (t) => {
  const dir = tmpdir(t)
  let db = await open(dir, { memtableSize: 256 * 1024 })
  const writers = []
  for (let w = 0; w < 10; w++) {
    writers.push((async () => {
      for (let i = 0; i < 1500; i++) await db.put(`w${w}-${i}`, `v${w}-${i}`, { sync: i % 10 === 0 })
    })())
  }
  let flushing = true
  const flusher = (async () => {
    let n = 0
    while (flushing) {
      await db.flush()
      n++
      await new Promise((resolve) => setImmediate(resolve))
    }
    return n
  })()
  await Promise.all(writers)
  flushing = false
  const flushes = await flusher
  assert.ok(flushes > 1, 'flush() ran concurrently with the writers')
  await db.close()
  db = await open(dir)
  for (let w = 0; w < 10; w++) {
    for (let i = 0; i < 1500; i++) assert.strictEqual(db.getSync(`w${w}-${i}`), `v${w}-${i}`)
  }
  await db.close()
})

test('P0-5: a flush of 100k entries never rewrites the WAL', async (t) => {
  const dir = tmpdir(t)
  const db = await open(dir, { memtableSize: 256 << 20 })
  for (let b = 0; b < 100; b++) {
    const ops = []
    for (let i = 0; i < 1000; i++) ops.push({ type: 'put', key: `k${b * 1000 + i}`, value: `value-${i}` })
    await db.batch(ops)
  }
  const [wal] = walFiles(dir)
  const walSize = fs.statSync(path.join(dir, wal)).size
  const before = db.stats()
  assert.strictEqual(before.walBytes, walSize, 'WAL holds exactly what the writes appended')
  await db.flush()
  const after = db.stats()
  assert.strictEqual(after.walBytes, before.walBytes, 'flush appended nothing to any WAL')
  assert.ok(!fs.existsSync(path.join(dir, wal)), 'the flushed segment is deleted, not rewritten')
  for (const f of walFiles(dir)) assert.strictEqual(fs.statSync(path.join(dir, f)).size, 0, `${f} is empty`)
  assert.strictEqual(after.flushes, 1)
  assert.strictEqual(db.getSync('k99999'), 'value-999')
  await db.close()
})

test('P0-6: rotation with a slowed flush stalls writers and drops nothing', async (t) => {
  const dir = tmpdir(t)
  let db = await open(dir, { memtableSize: 64 * 1024, maxImmutableMemtables: 1, testHooks: { flushDelayMs: 30 } })
  const stalls = []
  db.on('stall', (e) => stalls.push(e))
  const value = 'x'.repeat(200)
  for (let b = 0; b < 40; b++) {
    const ops = []
    for (let i = 0; i < 100; i++) ops.push({ type: 'put', key: `s${b}-${i}`, value })
    await db.batch(ops)
  }
  const st = db.stats()
  assert.ok(st.stalls > 0, 'writers stalled')
  assert.ok(st.flushes > 5, 'many flushes ran')
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(stalls.length > 0, "a 'stall' event fired")
  assert.strictEqual(stalls[0].reason, 'immutable-queue-full')
  await db.close()
  db = await open(dir)
  for (let b = 0; b < 40; b++) {
    for (let i = 0; i < 100; i++) assert.strictEqual(db.getSync(`s${b}-${i}`), value)
  }
  await db.close()
})

test('P0-9: close() with unflushed writes in several memtables keeps all, leaves no WAL data', async (t) => {
  const dir = tmpdir(t)
  let db = await open(dir, { memtableSize: 32 * 1024, maxImmutableMemtables: 4, testHooks: { flushDelayMs: 20 } })
  for (let b = 0; b < 20; b++) {
    const writes = []
    for (let i = b * 250; i < (b + 1) * 250; i++) writes.push(db.put(`u${i}`, `v${i}`))
    await Promise.all(writes) // one group commit per turn; memtables rotate between them
  }
  const st = db.stats()
  assert.ok(st.immutableMemtables > 1, `several memtables still unflushed at close (${st.immutableMemtables})`)
  await db.close()
  for (const f of walFiles(dir)) assert.strictEqual(fs.statSync(path.join(dir, f)).size, 0, `${f} still holds data`)
  db = await open(dir)
  for (let i = 0; i < 5000; i++) assert.strictEqual(db.getSync(`u${i}`), `v${i}`)
  await db.close()
})

test('LOCKED: a second open in the same process fails, and succeeds after close', async (t) => {
  const dir = tmpdir(t)
  const db = await open(dir)
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await db.close()
  const again = await open(dir)
  await again.close()
})

test('LOCKED: a second open from another process fails', async (t) => {
  const dir = tmpdir(t)
  const db = await open(dir)
  const script = `require(${JSON.stringify(path.join(__dirname, '..'))}).open(${JSON.stringify(dir)})
    .then(() => { console.log('OPENED'); process.exit(0) }, (e) => { console.log(e.code); process.exit(0) })`
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let s = ''
    child.stdout.on('data', (d) => { s += d })
    child.on('exit', () => resolve(s.trim()))
    child.on('error', reject)
  })
  assert.strictEqual(out, 'LOCKED')
  await db.close()
})

function flipByte (file, offset) {
  const fd = fs.openSync(file, 'r+')
  const b = Buffer.alloc(1)
  fs.readSync(fd, b, 0, 1, offset)
  b[0] ^= 0x40
  fs.writeSync(fd, b, 0, 1, offset)
  fs.closeSync(fd)
}

test('CORRUPTION: a flipped byte in a mid-file WAL record fails open, naming the file', async (t) => {
  const dir = tmpdir(t)
  // Build a WAL with several records and copy it aside while the DB is open
  // (a crash image), then corrupt the first record.
  const db = await open(dir)
  for (let i = 0; i < 20; i++) await db.put(`key${i}`, `value${i}`, { sync: true })
  const image = tmpdir(t)
  for (const f of fs.readdirSync(dir)) if (f !== 'LOCK') fs.copyFileSync(path.join(dir, f), path.join(image, f))
  await db.close()
  const [wal] = walFiles(image).filter((f) => fs.statSync(path.join(image, f)).size > 0)
  flipByte(path.join(image, wal), 12)
  await assert.rejects(open(image), (err) => {
    assert.ok(err instanceof LsmError)
    assert.strictEqual(err.code, 'CORRUPTION')
    assert.match(err.message, new RegExp(wal.replace('.', '\\.')))
    assert.match(err.message, /offset 0/)
    return true
  })
})

test('CORRUPTION: a flipped byte in an SSTable block is reported, naming the file', async (t) => {
  const dir = tmpdir(t)
  let db = await open(dir, { bloomBitsPerKey: 0 })
  const ops = []
  for (let i = 0; i < 2000; i++) ops.push({ type: 'put', key: `key${String(i).padStart(5, '0')}`, value: `value${i}` })
  await db.batch(ops)
  await db.close()
  const [sst] = fs.readdirSync(dir).filter((f) => f.endsWith('.sst'))
  flipByte(path.join(dir, sst), 100) // inside the first data block
  let err = null
  try {
    db = await open(dir)
    for (let i = 0; i < 2000; i++) db.getSync(`key${String(i).padStart(5, '0')}`)
    await db.close()
  } catch (e) {
    err = e
    if (db && db.status === 'open') await db.close()
  }
  assert.ok(err instanceof LsmError, 'the flip was detected')
  assert.strictEqual(err.code, 'CORRUPTION')
  assert.match(err.message, new RegExp(sst.replace('.', '\\.')))
})
