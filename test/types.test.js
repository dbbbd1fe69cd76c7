// The published declarations work for consumers (issue 7 §7): small
// consumers in test/types/ import `lsmkv` and `lsmkv/level` as ESM (.mts /
// .ts) and as CommonJS (.cts) and are compiled against dist/ (through the
// package's own "exports", by self-reference) under module node16, nodenext
// and bundler, with skipLibCheck off. `@ts-expect-error` lines in them make
// sure misuse is still an error (the types are not `any`).
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const { spawn } = require('node:child_process')
const path = require('node:path')

const tsc = require.resolve('typescript/bin/tsc')
const dir = path.join(__dirname, 'types')

function compile (config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', path.join(dir, config), '--pretty', 'false'], { cwd: dir })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, out }))
  })
}

// The three compilations run in parallel; each test waits for its own.
const modes = ['node16', 'nodenext', 'bundler']
const results = new Map(modes.map((mode) => [mode, compile(`tsconfig.${mode}.json`)]))

for (const mode of modes) {
  test(`consumers compile under module ${mode} (ESM and CommonJS)`, async () => {
    const { status, out } = await results.get(mode)
    assert.strictEqual(status, 0, out)
  })
}
