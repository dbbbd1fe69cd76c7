#!/usr/bin/env node
// Builds the engine's GoogleTest suite with CMake and runs it through ctest.
// `LSM_SANITIZE=address|thread` builds a sanitizer variant in its own
// directory. Exits non-zero if configuring, building or any test fails.
'use strict'
const { spawnSync } = require('node:child_process')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const sanitize = process.env.LSM_SANITIZE || ''
const buildDir = path.join(root, 'build', sanitize ? `native-${sanitize}` : 'native')
const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length))

function run (cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.error) {
    console.error(`test:native: cannot run ${cmd}: ${r.error.message} (cmake and libgtest-dev are needed for the C++ tests)`)
    process.exit(1)
  }
  if (r.status !== 0) process.exit(r.status || 1)
}

run('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', `-DLSM_SANITIZE=${sanitize}`])
run('cmake', ['--build', buildDir, '-j', jobs])
// Extra arguments go to ctest (e.g. `-R PowerLossTest`; npm run test:crash).
run('ctest', ['--test-dir', buildDir, '--output-on-failure', '-j', jobs, ...process.argv.slice(2)])
