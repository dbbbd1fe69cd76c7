// Black-box R2 against the real addon (issue 5 §7): strace makes every
// fdatasync from the Nth on fail with EIO (or every pwrite64, for non-sync
// writes committed on the JS thread). The write that hits it
// rejects with IO_ERROR, later writes with READ_ONLY, an 'error' event
// fires, reads keep working, and reopening without injection returns every
// write acknowledged before the error. Skipped only where strace is
// missing outside CI (.ci/run installs it; in CI its absence fails).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')

const hasStrace = spawnSync('strace', ['-V']).status === 0

test('EIO from fdatasync (sync puts) or pwrite (inline non-sync puts) under strace: IO_ERROR, then READ_ONLY, reads work, acknowledged writes survive',
  { skip: !hasStrace && !process.env.CI ? 'strace is not installed' : false }, async (t) => {
    assert.ok(hasStrace, 'strace is required in CI')
    let total = 0
    // Fail every fdatasync from the Nth on: some sync puts are acknowledged
    // first (each sync put is one fdatasync of the WAL). Or every pwrite64
    // from the Nth on, with non-sync puts (each one WAL pwrite, inline).
    for (const [syscall, when, mode] of [['fdatasync', 12, 'sync'], ['fdatasync', 40, 'sync'], ['pwrite64', 40, 'nosync']]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-eio-'))
      t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
      const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${syscall}`,
        '-e', `inject=${syscall}:error=EIO:when=${when}+`,
        process.execPath, path.join(__dirname, 'fixtures', 'eio-writer.js'), dir, mode], { encoding: 'utf8', timeout: 60000 })
      assert.strictEqual(r.status, 0, `strace/child failed: ${r.stderr}`)
      const out = JSON.parse(r.stdout.trim().split('\n').pop())
      assert.ok(out.acked > 0, JSON.stringify(out))
      assert.strictEqual(out.failed, 'IO_ERROR', JSON.stringify(out))
      assert.strictEqual(out.later, 'READ_ONLY', JSON.stringify(out))
      assert.strictEqual(out.readsOk, true)
      assert.strictEqual(out.errorEvents, 1)
      assert.notStrictEqual(out.closeCode, null, 'close reports the sticky error')
      const db = await open(dir)
      for (let i = 0; i < out.acked; i++) assert.strictEqual(db.getSync(`k${i}`), `v${i}`, `k${i} lost`)
      assert.strictEqual(db.getSync('later'), undefined)
      await db.close()
      total += out.acked
      console.log(`[reliability] strace-eio ${syscall} when=${when} ${mode} acknowledged=${out.acked} lost=0 first-error=${out.failed} later=${out.later} error-events=${out.errorEvents}`)
    }
    assert.ok(total > 0)
  })
