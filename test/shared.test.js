// shared: true (issue 7 part 3): opens of one path from the main thread and
// worker threads share one reference-counted engine; each close affects only
// its handle; the last close releases the LOCK; options must match; a
// terminated worker drops its reference without closing the others.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { open, LsmError } = require('..')
const { tempDir } = require('./helpers')

const root = path.join(__dirname, '..')
const workerScript = path.join(__dirname, 'fixtures', 'shared-worker.js')
const TERMINATE_ROUNDS = Number(process.env.LSMKV_SHARED_ROUNDS || 100)

function dirFor (t) {
  const dir = tempDir('lsmkv-shared-')
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

// A worker holding a shared handle; ask(msg) resolves with its reply.
async function startWorker (dir, options = {}) {
  const worker = new Worker(workerScript, { workerData: { dir, options } })
  const replies = []
  const waiting = []
  worker.on('message', (m) => {
    const next = waiting.shift()
    next ? next(m) : replies.push(m)
  })
  const next = () => replies.length > 0
    ? Promise.resolve(replies.shift())
    : new Promise((resolve, reject) => { waiting.push(resolve); worker.once('error', reject) })
  const first = await next()
  return {
    worker,
    first,
    ask (msg) {
      const reply = next()
      worker.postMessage(msg)
      return reply
    }
  }
}

// Whether another process can open the directory (the LOCK is free).
function openInAnotherProcess (dir) {
  const code = `require(${JSON.stringify(root)}).open(${JSON.stringify(dir)})
    .then(async (db) => { const v = db.getSync('main'); await db.close(); console.log('OPENED ' + v) }, (e) => console.log(e.code))`
  return spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' }).stdout.trim()
}

test('without shared: true a second open in the process is LOCKED, also against shared opens', async (t) => {
  const dir = dirFor(t)
  const db = await open(dir)
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await assert.rejects(open(dir, { shared: true }), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await db.close()
  const shared = await open(dir, { shared: true })
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await shared.close()
})

test('main thread and two workers share one engine; writes from each are visible to all', async (t) => {
  const dir = dirFor(t)
  const main = await open(dir, { shared: true })
  const w1 = await startWorker(dir)
  const w2 = await startWorker(dir)
  t.after(() => Promise.all([w1.worker.terminate(), w2.worker.terminate()]))
  assert.strictEqual(w1.first, 'open')
  assert.strictEqual(w2.first, 'open')

  await main.put('main', 'm')
  assert.strictEqual(await w1.ask({ cmd: 'put', key: 'w1', value: 'one' }), 'done')
  assert.strictEqual(await w2.ask({ cmd: 'put', key: 'w2', value: 'two' }), 'done')
  assert.strictEqual(main.getSync('w1'), 'one')
  assert.strictEqual(main.getSync('w2'), 'two')
  assert.strictEqual(await w1.ask({ cmd: 'get', key: 'w2' }), 'two')
  assert.strictEqual(await w2.ask({ cmd: 'get', key: 'main' }), 'm')

  // Close order: a worker first, then the main thread; the last worker keeps
  // the engine (and the LOCK) alive on its own.
  assert.strictEqual(await w1.ask({ cmd: 'close' }), 'done')
  assert.strictEqual(main.getSync('w1'), 'one')
  await main.put('after-w1', 'x')
  await main.close()
  assert.throws(() => main.getSync('w1'), (err) => err instanceof LsmError && err.code === 'CLOSED')
  assert.strictEqual(await w2.ask({ cmd: 'get', key: 'after-w1' }), 'x')
  assert.strictEqual(openInAnotherProcess(dir), 'LOCKED')
  assert.strictEqual(await w2.ask({ cmd: 'close' }), 'done')
  // The last close closed the engine: flushed, LOCK released.
  assert.strictEqual(openInAnotherProcess(dir), 'OPENED m')
})

test('the main thread closing last releases the lock', async (t) => {
  const dir = dirFor(t)
  const w1 = await startWorker(dir)
  t.after(() => w1.worker.terminate())
  const main = await open(dir, { shared: true })
  await main.put('main', 'first')
  assert.strictEqual(await w1.ask({ cmd: 'close' }), 'done')
  assert.strictEqual(main.getSync('main'), 'first')
  assert.strictEqual(openInAnotherProcess(dir), 'LOCKED')
  await main.close()
  assert.strictEqual(openInAnotherProcess(dir), 'OPENED first')
})

test('checkpoint and metrics through a shared handle reach the one engine', async (t) => {
  const dir = dirFor(t)
  const a = await open(dir, { shared: true })
  const b = await open(dir, { shared: true })
  await a.put('x', '1')
  await b.put('y', '2')
  const copy = path.join(dir + '-checkpoint')
  t.after(() => fs.rmSync(copy, { recursive: true, force: true }))
  await b.checkpoint(copy)
  for (let i = 0; i < 64; i++) a.getSync('x')
  for (let i = 0; i < 64; i++) b.getSync('y')
  // One engine: both handles' sampled reads land in the same histogram.
  assert.strictEqual(a.metrics().latency.getSync.count, 2)
  assert.strictEqual(b.metrics().latency.getSync.count, 2)
  await a.close()
  await b.close()
  const restored = await open(copy)
  assert.deepStrictEqual([restored.getSync('x'), restored.getSync('y')], ['1', '2'])
  await restored.close()
})

test('a shared open with different engine options is rejected, naming the option', async (t) => {
  const dir = dirFor(t)
  const main = await open(dir, { shared: true, memtableSize: 1024 * 1024 })
  await assert.rejects(open(dir, { shared: true }),
    (err) => err instanceof LsmError && err.code === 'INVALID_ARGUMENT' && /memtableSize/.test(err.message))
  const w = await startWorker(dir, { memtableSize: 1024 * 1024, blockSize: 8192 })
  t.after(() => w.worker.terminate())
  assert.match(w.first, /^error INVALID_ARGUMENT .*blockSize/)
  // Encodings and the sync default are per handle, not engine options.
  const other = await open(dir, { shared: true, memtableSize: 1024 * 1024, valueEncoding: 'json', sync: true })
  await other.put('j', { a: 1 })
  assert.strictEqual(main.getSync('j'), '{"a":1}')
  await other.close()
  await main.close()
})

test(`terminating a worker mid-use drops only its reference (${TERMINATE_ROUNDS} rounds)`, async (t) => {
  const dir = dirFor(t)
  const main = await open(dir, { shared: true })
  await main.put('main', 'alive')
  for (let round = 0; round < TERMINATE_ROUNDS; round++) {
    const w = await startWorker(dir)
    assert.strictEqual(w.first, 'open')
    assert.strictEqual(await w.ask({ cmd: 'busy' }), 'busy')
    await w.worker.terminate()
    await main.put(`round${round}`, String(round))
    assert.strictEqual(main.getSync(`round${round}`), String(round))
  }
  assert.strictEqual(main.getSync('main'), 'alive')
  assert.strictEqual(main.getSync('busy'), 'started', 'the workers wrote through the shared engine')
  assert.strictEqual(openInAnotherProcess(dir), 'LOCKED')
  await main.close()
  // Every terminated worker released its reference: the lock is free now.
  assert.strictEqual(openInAnotherProcess(dir), 'OPENED alive')
})
