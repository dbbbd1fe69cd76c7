// Shared helpers of the JS tests: fresh temp directories and a database
// that is closed and removed whatever the test body does.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')

function tempDir (prefix = 'lsmkv-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

// Opens a database in a fresh directory, runs fn(db, dir), then closes the
// database and removes the directory.
async function withDb (options, fn) {
  const dir = tempDir()
  const db = await open(dir, options)
  try {
    await fn(db, dir)
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

module.exports = { tempDir, withDb }
