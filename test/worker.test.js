// The addon is context-aware (issue 2 §1): it loads in worker threads, a
// database open in a worker is LOCKED for everyone else, and a worker that
// is terminated with its database open gets it closed by the env cleanup
// hook (data flushed, LOCK released).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { open, LsmError } = require('..')

const script = path.join(__dirname, 'fixtures', 'worker-open.js')

function tmpdir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-worker-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function startWorker (workerData) {
  const worker = new Worker(script, { workerData })
  const message = new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return { worker, message }
}

test('the addon loads in a worker thread and its writes are visible after close', async (t) => {
  const dir = tmpdir(t)
  const { worker, message } = startWorker({ dir, count: 100, close: true })
  assert.strictEqual(await message, 'written')
  await worker.terminate()
  const db = await open(dir)
  assert.strictEqual(db.getSync('w99'), 'v99')
  await db.close()
})

test('a database open in a worker is LOCKED for the main thread', async (t) => {
  const dir = tmpdir(t)
  const { worker, message } = startWorker({ dir, count: 10, close: false })
  assert.strictEqual(await message, 'written')
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await worker.terminate()
})

test('terminating a worker closes its open database (env cleanup hook)', async (t) => {
  const dir = tmpdir(t)
  const { worker, message } = startWorker({ dir, count: 1000, close: false })
  assert.strictEqual(await message, 'written')
  await worker.terminate()
  // The cleanup hook ran Close(): the LOCK is free and nothing was lost.
  const db = await open(dir)
  for (let i = 0; i < 1000; i++) assert.strictEqual(db.getSync(`w${i}`), `v${i}`)
  await db.close()
})
