'use strict'
// Lifecycle stress (issue 5 §12, issue 7 part 2): many iterations each of
//   - close() with writes, flushes and iterators in flight;
//   - worker threads that open, use and close a database, are terminated
//     mid-call, or exit with iterators open (addon also loaded in the main
//     thread), and the same with the addon loaded only in workers;
//   - a child process that exits (process.exit() or by returning) with work
//     in flight.
// Zero crashes; every failure carries a code; every acknowledged write is
// found after reopening. The single cases live in iterator-lifecycle.test.js
// and worker.test.js; this file repeats them under random timing.
//
//   LSMKV_LIFECYCLE_ITERATIONS=<n>  iterations per group (default 100)
//   LSMKV_SEED=<n>                  replay the random choices

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { open, LsmError } = require('..')
const { tempDir } = require('./helpers')
const { runIterations, runWorker, workerKey, workerValue } = require('./fixtures/lifecycle-harness')
const { prng } = require('./prng')

const ITERATIONS = Number(process.env.LSMKV_LIFECYCLE_ITERATIONS ?? 100)
const SEED = Number(process.env.LSMKV_SEED ?? Math.floor(Math.random() * 2 ** 31))
const hasCode = (err) => err instanceof LsmError && typeof err.code === 'string' && err.code.length > 0
const isCode = (code) => (err) => err instanceof LsmError && err.code === code

// Opens `dir` and returns the entries of `expected` (key -> value) that are
// not there.
async function missingAfterReopen (dir, expected) {
  const db = await open(dir)
  try {
    return [...expected].filter(([k, v]) => db.getSync(k) !== v).map(([k]) => k)
  } finally {
    await db.close()
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

// One round: writes (puts, array and chained batches), a flush, a compaction
// and iterators in every state are in flight when close() is called.
async function closeWhileBusy (rand, round, counts) {
  const dir = tempDir('lsmkv-lcc-')
  try {
    const db = await open(dir, { memtableSize: 8 * 1024, l0CompactionTrigger: 2 })
    const prefill = Array.from({ length: 50 }, (_, i) => ({ type: 'put', key: `p${i}`, value: `p${i}` }))
    await db.batch(prefill)
    const acknowledged = new Map(prefill.map((o) => [o.key, o.value]))
    const outcomes = []
    const track = (promise, entries) => outcomes.push(promise.then(
      () => { for (const [k, v] of entries) acknowledged.set(k, v); return 'resolved' },
      (err) => { assert.ok(hasCode(err), `round ${round}: a write rejected without a code: ${err}`); return err.code }))
    let n = 0
    const issueWrites = (count) => {
      for (let i = 0; i < count; i++) {
        const id = n++
        const k = `r${id}`
        const v = `v${id}`.repeat(1 + (id % 20))
        const form = id % 4
        if (form === 0) track(db.batch([{ type: 'put', key: k, value: v }, { type: 'del', key: `p${id % 50}` }]), [[k, v]])
        else if (form === 1) track(db.batch().put(k, v).write(), [[k, v]])
        else track(db.put(k, v, { sync: id % 17 === 0 }), [[k, v]])
        if (form === 0) acknowledged.delete(`p${id % 50}`) // may be deleted; checked only if it resolved
      }
    }
    // Iterators: mid-read sync, async with a next() issued, one never read,
    // one on a snapshot.
    const readSync = db.iterator()
    readSync.nextSync()
    const readAsync = db.keys({ reverse: true })
    const pendingNext = readAsync.next()
    const untouched = db.values()
    const snap = db.snapshot()
    const onSnap = db.iterator({ snapshot: snap })
    issueWrites(20 + Math.floor(rand() * 200))
    const background = []
    if (rand() < 0.5) background.push(db.flush())
    if (rand() < 0.3) background.push(db.compactRange())
    // Close at different moments: the same tick, after some writes landed,
    // or a few turns later with writes still being issued.
    const when = Math.floor(rand() * 3)
    if (when === 1) await tick()
    if (when === 2) {
      for (let t = 0; t < 3; t++) {
        issueWrites(20)
        await tick()
      }
    }
    const lastNext = readAsync.next() // before close: served
    const closing = db.close()
    // After close(): rejected with CLOSED, never acknowledged.
    await assert.rejects(db.put('late', 'x'), isCode('CLOSED'))
    await assert.rejects(db.batch([{ type: 'put', key: 'late', value: 'x' }]), isCode('CLOSED'))
    await assert.rejects(readAsync.next(), isCode('ITERATOR_CLOSED'))
    await closing
    const results = await Promise.all(outcomes)
    for (const p of background) {
      await p.then(() => {}, (err) => assert.ok(hasCode(err), `round ${round}: flush/compaction rejected without a code: ${err}`))
    }
    // Writes issued before close() are committed (R8).
    assert.equal(results.filter((r) => r === 'resolved').length, results.length, `round ${round}: ${results.join(',')}`)
    counts.writes += results.length
    assert.equal((await pendingNext).done, false)
    assert.equal((await lastNext).done, false)
    for (const it of [readSync, readAsync, untouched, onSnap]) {
      assert.throws(() => it.nextSync(), isCode('ITERATOR_CLOSED'))
      await assert.rejects(it.nextv(3), isCode('ITERATOR_CLOSED'))
    }
    assert.equal(snap.released, true)
    // Only keys never deleted by a resolved write are checked.
    const missing = await missingAfterReopen(dir, acknowledged)
    assert.deepEqual(missing, [], `round ${round}: acknowledged writes missing after reopen`)
    counts.checked += acknowledged.size
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

test(`close() with writes and iterators in flight, ${ITERATIONS} rounds (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const rand = prng(SEED)
  const counts = { writes: 0, checked: 0 }
  for (let round = 0; round < ITERATIONS; round++) await closeWhileBusy(rand, round, counts)
  console.log(`[reliability] lifecycle close-while-busy seed=${SEED} rounds=${ITERATIONS} writes-in-flight=${counts.writes} ` +
    `acknowledged-checked=${counts.checked} lost=0 uncoded-errors=0 crashes=0`)
})

test(`worker threads: use, terminate mid-call, exit with work in flight, ${ITERATIONS} workers (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const verify = async (dir, ids) => missingAfterReopen(dir, new Map(ids.map((id) => [workerKey(id), workerValue(id)])))
  const { counts, failures } = await runIterations({ iterations: ITERATIONS, seed: SEED, verify })
  console.log(`[reliability] lifecycle workers seed=${SEED} ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ')} failures=${failures.length}`)
  assert.deepEqual(failures, [])
  assert.equal(counts.iterations, ITERATIONS)
})

// A worker terminated while its flush / compactRange threads still run: the
// env cleanup hook closes the database and the path reopens with everything.
test('terminating workers while flush and compactRange threads run: nothing lost (10 workers)', { timeout: 120_000 }, async () => {
  for (let i = 0; i < 10; i++) {
    const dir = tempDir('lsmkv-lcf-')
    try {
      const res = await runWorker({ dir, mode: 'bgthreads', start: i * 1000 }, { afterOpenMs: i % 3 })
      assert.equal(res.error, null)
      assert.equal(res.opened, true)
      assert.equal(res.acked.length, 50)
      assert.deepEqual(await missingAfterReopen(dir, new Map(res.acked.map((id) => [workerKey(id), workerValue(id)]))), [])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
})

function runChild (args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

// Seed 1867337116 crashed the child (SIGSEGV, heap corruption, V8 and
// node-addon-api fatal errors) in about half the runs before the binding
// fixes described in RELIABILITY.md; it is replayed on every run.
for (const seed of [SEED, 1867337116]) {
  test(`the addon loaded only in worker threads: ${ITERATIONS} workers in a child process (seed ${seed})`, { timeout: 300_000 }, async () => {
    const r = await runChild([path.join(__dirname, 'fixtures', 'lifecycle-worker-only.js'), String(ITERATIONS), String(seed)])
    assert.equal(r.signal, null, `child died with ${r.signal}: ${r.stderr}`)
    assert.equal(r.code, 0, r.stderr)
    const { counts, failures, mainLoadedAddon } = JSON.parse(r.stdout)
    console.log(`[reliability] lifecycle workers-only seed=${seed} ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ')} failures=${failures.length}`)
    assert.equal(mainLoadedAddon, false)
    assert.deepEqual(failures, [])
    assert.equal(counts.iterations, ITERATIONS)
  })
}

test(`a process exiting with work in flight exits 0 and keeps every acknowledged write, ${ITERATIONS} processes (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const hows = ['exit-now', 'exit-later', 'exit-callback', 'return']
  const rand = prng(SEED)
  const counts = { processes: 0, acked: 0 }
  const one = async (i) => {
    const dir = tempDir('lsmkv-lce-')
    try {
      const how = hows[i % hows.length]
      const seed = Math.floor(rand() * 1e6)
      const r = await runChild([path.join(__dirname, 'fixtures', 'exit-writer.js'), dir, how, String(seed)])
      const context = `#${i} ${how} seed ${seed}`
      assert.equal(r.signal, null, `${context}: child died with ${r.signal}: ${r.stderr}`)
      assert.equal(r.code, 0, `${context}: ${r.stderr}`)
      const ids = r.stdout.split('\n').filter((l) => l.startsWith('A ')).map((l) => Number(l.slice(2)))
      assert.ok(ids.length >= 20, `${context}: only ${ids.length} writes acknowledged`)
      const expected = new Map(ids.map((id) => [`e${id}`, `v${id}`.padEnd(10 + (id % 40) * 8, '.')]))
      assert.deepEqual(await missingAfterReopen(dir, expected), [], `${context}: acknowledged writes missing`)
      counts.acked += ids.length
      counts.processes++
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  let next = 0
  await Promise.all([0, 1, 2].map(async () => { while (next < ITERATIONS) await one(next++) }))
  console.log(`[reliability] lifecycle process-exit seed=${SEED} processes=${counts.processes} (${hows.join('/')}) ` +
    `acknowledged-checked=${counts.acked} lost=0 nonzero-exits=0 signals=0`)
})
