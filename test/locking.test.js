// LOCK semantics (DESIGN §6, issue 5 §8): the lock is an OFD lock held for
// the DB's lifetime, so it dies with its holder (kill -9 frees it at once)
// and, unlike a classic fcntl lock, is not dropped when the holder process
// happens to open and close the LOCK file through another descriptor.
// Also covered elsewhere: a second open in the same process and from
// another process (p0-regressions.test.js), a worker holder
// (worker.test.js), a second instance (api.test.js).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open, LsmError } = require('..')

const root = path.join(__dirname, '..')

function tmpdir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-lock-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

// Runs `code` in a child node process; resolves with its trimmed stdout.
function runChild (code) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', () => resolve(out.trim()))
    child.on('error', reject)
  })
}

function tryOpenScript (dir) {
  return `require(${JSON.stringify(root)}).open(${JSON.stringify(dir)})
    .then(async (db) => { await db.close(); console.log('OPENED') }, (e) => console.log(e.code))`
}

test('a holder killed with SIGKILL frees the lock at once', async (t) => {
  const dir = tmpdir(t)
  const holder = spawn(process.execPath, ['-e', `require(${JSON.stringify(root)}).open(${JSON.stringify(dir)})
    .then(async (db) => { await db.put('k', 'v', { sync: true }); console.log('HOLDING'); setInterval(() => {}, 1000) })`],
  { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    holder.stdout.on('data', (d) => { if (String(d).includes('HOLDING')) resolve() })
    holder.on('exit', (code) => reject(new Error(`holder exited early (${code})`)))
  })
  holder.removeAllListeners('exit')
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  const exited = new Promise((resolve) => holder.on('exit', resolve))
  holder.kill('SIGKILL')
  await exited
  // No retry loop: the kernel released the lock with the process.
  const db = await open(dir)
  assert.strictEqual(db.getSync('k'), 'v')
  await db.close()
})

test('opening and closing LOCK through another descriptor in the holder keeps the lock', async (t) => {
  const dir = tmpdir(t)
  const db = await open(dir)
  // With a classic POSIX (fcntl F_SETLK) lock this close would drop the lock.
  fs.closeSync(fs.openSync(path.join(dir, 'LOCK'), 'r'))
  fs.closeSync(fs.openSync(path.join(dir, 'LOCK'), 'r+'))
  assert.strictEqual(await runChild(tryOpenScript(dir)), 'LOCKED')
  await assert.rejects(open(dir), (err) => err instanceof LsmError && err.code === 'LOCKED')
  await db.close()
  assert.strictEqual(await runChild(tryOpenScript(dir)), 'OPENED')
})
