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

test('the addon loaded only in workers survives their exit (20 workers, main never loads it)', async (t) => {
  // Node unloads an addon when the only environment that loaded it goes
  // away; the addon is linked -z nodelete so background threads finishing
  // a close cannot run unmapped code (this used to SIGSEGV).
  const dir = tmpdir(t)
  const { spawnSync } = require('node:child_process')
  const child = `
    const { Worker } = require('node:worker_threads')
    ;(async () => {
      for (let i = 0; i < 20; i++) {
        const w = new Worker(${JSON.stringify(script)}, { workerData: { dir: ${JSON.stringify(dir)} + '/' + i, count: 50, close: i % 2 === 0 } })
        await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject) })
        await w.terminate()
      }
      console.log('OK')
    })().catch((e) => { console.error(e); process.exit(1) })`
  const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' })
  assert.strictEqual(r.signal, null, `child died with ${r.signal}`)
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(r.stdout.trim(), 'OK')
})
