'use strict'
// bench/util.js — owns the small helpers shared by the benchmark: the seeded PRNG, key
// formatting (present and missing keys), the value pool, the "N operations with C in flight"
// driver, timing/formatting helpers and the environment description.

const os = require('node:os')
const fs = require('node:fs')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')

const KEY_SIZE = 16
const VALUE_SIZE = 100
const VALUE_POOL = 10007 // distinct values; value of key k is pool[k % VALUE_POOL]

// mulberry32: small, fast, deterministic 32-bit PRNG.
function makeRng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (t ^ (t >>> 14)) >>> 0
  }
  const below = (n) => Math.floor((next() / 4294967296) * n) // uniform int in [0, n)
  return { next, below }
}

// Derive a per-workload seed so a workload's inputs don't depend on which others ran.
function subSeed (seed, name) {
  let h = seed >>> 0
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return h
}

// Keys are `%016d` of the key number (16 bytes).
const formatKey = (k) => String(k).padStart(KEY_SIZE, '0')

// A missing key: a present key with its last digit replaced by '.', so it has the same size and
// sorts just before key 10*floor(k/10) — inside the populated range, between two present keys,
// so table range checks cannot reject it; bloom filters (or the B-tree) have to.
const missingKey = (k) => String(Math.floor(k / 10)).padStart(KEY_SIZE - 1, '0') + '.'

// Fisher-Yates permutation of 0..n-1.
function permutation (n, rng) {
  const a = new Uint32Array(n)
  for (let i = 0; i < n; i++) a[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1)
    const t = a[i]; a[i] = a[j]; a[j] = t
  }
  return a
}

// VALUE_POOL distinct 100-byte values: 50 random bytes + 50 repeated bytes, so a block of them
// compresses to roughly half. Views into one shared buffer.
function makeValues (seed) {
  const rng = makeRng(seed)
  const buf = Buffer.allocUnsafe(VALUE_POOL * VALUE_SIZE)
  const values = new Array(VALUE_POOL)
  const half = VALUE_SIZE >> 1
  for (let v = 0; v < VALUE_POOL; v++) {
    const off = v * VALUE_SIZE
    for (let i = 0; i < half; i++) buf[off + i] = rng.next() & 0xff
    buf.fill(0x61 + (v % 26), off + half, off + VALUE_SIZE)
    values[v] = buf.subarray(off, off + VALUE_SIZE)
  }
  return values
}

// Run fn(0..count-1) with at most `concurrency` calls in flight; resolves when all are done.
async function inFlight (count, concurrency, fn) {
  let next = 0
  const worker = async () => { while (next < count) await fn(next++) }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker))
}

const now = () => process.hrtime.bigint()

// Full GC between phases, so garbage from one phase isn't collected inside the next one's timing.
let gcFn = null
function collectGarbage () {
  if (gcFn === null) {
    try {
      v8.setFlagsFromString('--expose-gc')
      gcFn = globalThis.gc || vm.runInNewContext('gc')
    } catch { gcFn = () => {} }
  }
  gcFn()
}

const fmtInt = (x) => Math.round(x).toLocaleString('en-US')

function packageVersion (name) {
  try {
    let dir = path.dirname(require.resolve(name))
    for (;;) {
      const p = path.join(dir, 'package.json')
      if (fs.existsSync(p)) {
        const pkg = JSON.parse(fs.readFileSync(p, 'utf8'))
        if (pkg.name === name) return pkg.version
      }
      const up = path.dirname(dir)
      if (up === dir) return null
      dir = up
    }
  } catch { return null }
}

function environment () {
  const cpus = os.cpus()
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model : 'unknown',
    totalMemGB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    tmpdir: os.tmpdir()
  }
}

module.exports = {
  KEY_SIZE,
  VALUE_SIZE,
  makeRng,
  subSeed,
  formatKey,
  missingKey,
  permutation,
  makeValues,
  inFlight,
  now,
  collectGarbage,
  fmtInt,
  packageVersion,
  environment
}
