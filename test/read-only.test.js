// readOnly opens (issue 7 part 2): a reader in this process while a writer in
// ANOTHER process writes, flushes and compacts; refresh() catching up while
// older iterators and snapshots keep their view; writes rejected with
// READ_ONLY before reaching the engine; nothing in the directory touched.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { open, LsmError } = require('..')
const { tempDir } = require('./helpers')

const writerScript = path.join(__dirname, 'fixtures', 'writer-process.js')
const key = (i) => `k${String(i).padStart(6, '0')}`

// The writer process; send(line) resolves with its one-line answer.
async function startWriter (t, dir) {
  const child = spawn(process.execPath, [writerScript, dir], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.after(() => child.kill('SIGKILL'))
  const waiting = []
  let buffered = ''
  child.stdout.on('data', (d) => {
    buffered += d
    let nl
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      const next = waiting.shift()
      if (next) next(line)
    }
  })
  const reply = () => new Promise((resolve) => waiting.push(resolve))
  const ready = reply()
  assert.strictEqual(await ready, 'READY')
  return {
    async send (line) {
      const answer = reply()
      child.stdin.write(line + '\n')
      const got = await answer
      assert.strictEqual(got, `DONE ${line.split(' ')[0]}`)
    }
  }
}

function listing (dir) {
  return fs.readdirSync(dir).sort().map((name) => `${name}:${fs.statSync(path.join(dir, name)).size}`)
}

function isReadOnly (err) {
  return err instanceof LsmError && err.code === 'READ_ONLY'
}

test('a readOnly open reads, refreshes and keeps old views while another process writes', async (t) => {
  const dir = tempDir()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const writer = await startWriter(t, dir)
  await writer.send('write 0 500 a')
  await writer.send('flush')
  await writer.send('write 500 600 a') // unflushed: only in the writer's WAL

  const db = await open(dir, { readOnly: true })
  t.after(() => db.close())
  assert.strictEqual(db.readOnly, true)
  assert.strictEqual(db.getSync(key(0)), 'a:0')
  assert.strictEqual(db.getSync(key(599)), 'a:599')
  assert.strictEqual(db.getSync(key(600)), undefined)
  const oldIterator = db.iterator()
  const oldSnapshot = db.snapshot()

  // The writer overwrites everything, adds more, flushes and compacts: the
  // tables the reader opened are deleted from the directory.
  await writer.send('write 0 800 b')
  await writer.send('compact')
  await writer.send('write 800 900 b')
  assert.strictEqual(db.getSync(key(700)), undefined, 'not refreshed yet')

  await db.refresh()
  assert.strictEqual(db.getSync(key(0)), 'b:0')
  assert.strictEqual(db.getSync(key(899)), 'b:899')
  assert.strictEqual(db.keys().allSync().length, 900)
  // Views created before the refresh still read the state they started on.
  const old = oldIterator.allSync()
  assert.strictEqual(old.length, 600)
  assert.deepStrictEqual(old[42], [key(42), 'a:42'])
  assert.strictEqual(db.getSync(key(1), { snapshot: oldSnapshot }), 'a:1')
  assert.strictEqual(db.getSync(key(700), { snapshot: oldSnapshot }), undefined)
  oldSnapshot.release()

  // The writer goes away cleanly; the reader keeps working and refreshing.
  await writer.send('close')
  await db.refresh()
  assert.strictEqual(db.getSync(key(899)), 'b:899')
})

// A writer that stored k = v, and a readOnly open of the same directory.
async function writerWithReader (t) {
  const dir = tempDir()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const writer = await open(dir)
  await writer.put('k', 'v')
  const db = await open(dir, { readOnly: true })
  t.after(() => db.close())
  return { writer, db }
}

test('writes through a readOnly database reject with READ_ONLY', async (t) => {
  const { writer, db } = await writerWithReader(t)
  await assert.rejects(db.put('k', 'x'), isReadOnly)
  await assert.rejects(db.del('k'), isReadOnly)
  await assert.rejects(db.batch([{ type: 'put', key: 'a', value: 'b' }]), isReadOnly)
  assert.throws(() => db.batch(), isReadOnly)
  await assert.rejects(db.clear(), isReadOnly)
  await assert.rejects(db.flush(), isReadOnly)
  await assert.rejects(db.compactRange(), isReadOnly)
  assert.strictEqual(db.getSync('k'), 'v')
  await writer.close()
})

test('a readOnly open keeps latency metrics of its reads', async (t) => {
  const { writer, db } = await writerWithReader(t)
  for (let i = 0; i < 128; i++) assert.strictEqual(db.getSync('k'), 'v')
  const m = db.metrics()
  assert.strictEqual(m.operations.getSync, 128)
  assert.strictEqual(m.latency.getSync.count, 2) // 1 in 64 is timed
  assert.ok(m.latency.getSync.max > 0)
  await writer.close()
})

test('a readOnly open of a missing directory fails and creates nothing', async (t) => {
  const parent = tempDir()
  t.after(() => fs.rmSync(parent, { recursive: true, force: true }))
  const dir = path.join(parent, 'missing')
  await assert.rejects(open(dir, { readOnly: true }),
    (err) => err instanceof LsmError && err.code === 'INVALID_ARGUMENT' && /does not exist/.test(err.message))
  assert.strictEqual(fs.existsSync(dir), false)
})

test('a readOnly open takes no lock and leaves every file as it was', async (t) => {
  const dir = tempDir()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const writer = await open(dir, { memtableSize: 64 * 1024 })
  for (let i = 0; i < 100; i++) await writer.put(key(i), 'v')
  await writer.flush()
  await writer.put('tail', 'in the WAL')
  const before = listing(dir)
  const db = await open(dir, { readOnly: true })
  const second = await open(dir, { readOnly: true }) // readers do not exclude each other
  await db.refresh()
  assert.strictEqual(db.getSync('tail'), 'in the WAL')
  assert.strictEqual(second.getSync(key(99)), 'v')
  await db.close()
  await second.close()
  assert.deepStrictEqual(listing(dir), before)
  await writer.close()
})

test('refresh() on a writable database resolves (it is always current)', async (t) => {
  const dir = tempDir()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const db = await open(dir)
  await db.put('k', 'v')
  await db.refresh()
  assert.strictEqual(db.readOnly, false)
  await db.close()
  await assert.rejects(db.refresh(), (err) => err instanceof LsmError && err.code === 'CLOSED')
})
