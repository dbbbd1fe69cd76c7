'use strict'
// bench/util.js — owns the small helpers shared by the benchmark: the seeded PRNG, key
// formatting (present and missing keys), the value pool, the "N operations with C in flight"
// driver, the latency histogram, the per-workload resource meter (CPU, peak RSS, disk writes),
// timing/formatting helpers and the environment description.

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
const { performance } = require('node:perf_hooks')
const nowUs = () => performance.now() * 1000 // ~100 ns a call here: sample, don't time every op

// Latency samples (microseconds). Timing every op would cost ~200 ns (two clock reads) — as much
// as a getSync — so per-op workloads time one op in `stride` and per-batch ones every batch.
class Histogram {
  constructor (unit = 'op', stride = 1) {
    this.unit = unit // what one sample is: 'op', 'batch of 1000', 'call of 100 keys', ...
    this.stride = stride
    this.samples = new Float64Array(1024)
    this.count = 0
  }

  add (us) {
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2)
      bigger.set(this.samples)
      this.samples = bigger
    }
    this.samples[this.count++] = us
  }

  summary () {
    if (this.count === 0) return null
    const s = this.samples.subarray(0, this.count).sort()
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
    let sum = 0
    for (let i = 0; i < s.length; i++) sum += s[i]
    const r3 = (x) => Math.round(x * 1000) / 1000
    return {
      unit: this.unit,
      stride: this.stride,
      samples: s.length,
      meanUs: r3(sum / s.length),
      p50Us: r3(q(0.5)),
      p99Us: r3(q(0.99)),
      p999Us: r3(q(0.999)),
      maxUs: r3(s[s.length - 1])
    }
  }
}

// write_bytes of /proc/self/io (bytes this process — all its threads — caused to be written to
// storage), or null.
function diskWriteBytes () {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

// Peak resident set size: VmHWM of /proc/self/status, reset to the current RSS by writing 5 to
// /proc/self/clear_refs (Linux >= 4.0). Falls back to sampled process.memoryUsage().rss.
function statusKiB (field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}
function resetPeakRss () {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

// Measures one workload's timed region: wall time, CPU (user+system, all threads — includes
// the engines' background flush/compaction threads), peak RSS, bytes written to disk.
class Meter {
  start () {
    this.hwm = resetPeakRss()
    this.rss0 = process.memoryUsage.rss()
    this.peak = this.rss0
    // Sampling fallback where VmHWM can't be reset (fires only when the loop yields).
    this.timer = this.hwm ? null : setInterval(() => { this.peak = Math.max(this.peak, process.memoryUsage.rss()) }, 10)
    this.io0 = diskWriteBytes()
    this.cpu0 = process.cpuUsage()
    this.t0 = now()
    return this
  }

  stop (ops, extra) {
    const ns = Number(now() - this.t0)
    const cpu = process.cpuUsage(this.cpu0)
    const io1 = diskWriteBytes()
    if (this.timer) clearInterval(this.timer)
    const rss = process.memoryUsage.rss()
    const hwmKiB = this.hwm ? statusKiB('VmHWM') : null
    const peak = Math.max(this.peak, rss, hwmKiB ? hwmKiB * 1024 : 0)
    const MiB = 2 ** 20
    return {
      ops,
      elapsedMs: ns / 1e6,
      opsPerSec: ops / (ns / 1e9),
      cpuMs: (cpu.user + cpu.system) / 1000,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      cpuPerOpUs: (cpu.user + cpu.system) / ops,
      rssStartMiB: Math.round(this.rss0 / MiB * 10) / 10,
      peakRssMiB: Math.round(peak / MiB * 10) / 10,
      diskWriteBytes: this.io0 !== null && io1 !== null ? io1 - this.io0 : null,
      diskWriteBytesAtStop: io1,
      ...extra
    }
  }
}

// Total size of the files under dir (apparent size), or null.
function dirSize (dir) {
  let total = 0
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) total += dirSize(p) ?? 0
      else if (e.isFile()) total += fs.statSync(p).size
    }
  } catch {
    return null
  }
  return total
}

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
const fmtBytes = (b) => b === null || b === undefined
  ? '-'
  : b >= 2 ** 30 ? (b / 2 ** 30).toFixed(2) + ' GiB' : b >= 2 ** 20 ? (b / 2 ** 20).toFixed(1) + ' MiB' : (b / 1024).toFixed(1) + ' KiB'
// Microseconds, 3 significant digits, with a unit.
function fmtUs (us) {
  if (us === null || us === undefined) return '-'
  const sig = (x) => x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
  if (us >= 1e6) return sig(us / 1e6) + ' s'
  if (us >= 1e3) return sig(us / 1e3) + ' ms'
  if (us >= 1) return sig(us) + ' us'
  return sig(us * 1e3) + ' ns'
}

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

// The positive integer after --name on the command line (underscores
// allowed: 1_000_000), or fallback when the flag is absent.
function intFlag (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const x = Number(String(process.argv[i + 1]).replace(/_/g, ''))
  if (!Number.isInteger(x) || x < 1) throw new Error(`--${name} must be a positive integer`)
  return x
}

module.exports = {
  intFlag,
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
  nowUs,
  Histogram,
  Meter,
  diskWriteBytes,
  dirSize,
  collectGarbage,
  fmtInt,
  fmtBytes,
  fmtUs,
  packageVersion,
  environment
}
