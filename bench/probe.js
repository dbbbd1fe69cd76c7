'use strict'
// bench/probe.js — owns the physical-limit probe run before the engines: raw sequential write
// bandwidth of the benchmark's disk, pwrite + fdatasync latency at the group sizes the durable
// workloads produce, the cost of an empty N-API call, and memcpy (Buffer.copy) bandwidth. Each
// workload's result is then shown as a fraction of the limit it runs into (limits()).

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { nowUs, Histogram } = require('./util')

const MiB = 2 ** 20

// Sequential write: `total` bytes in 1 MiB write()s, then one fdatasync; bytes / total time.
function seqWrite (dir, total = 256 * MiB) {
  const file = path.join(dir, 'seqwrite.probe')
  const buf = Buffer.alloc(MiB, 0x5a)
  const fd = fs.openSync(file, 'w')
  try {
    const t0 = nowUs()
    for (let off = 0; off < total; off += MiB) fs.writeSync(fd, buf, 0, MiB, off)
    fs.fdatasyncSync(fd)
    const us = nowUs() - t0
    return { bytes: total, seconds: us / 1e6, mbPerSec: total / MiB / (us / 1e6) }
  } finally {
    fs.closeSync(fd)
    fs.rmSync(file, { force: true })
  }
}

// Appends of `size` bytes with pwrite + fdatasync each, as a WAL group commit does.
function syncLatency (dir, size, rounds) {
  const file = path.join(dir, `sync-${size}.probe`)
  const buf = Buffer.alloc(size, 0x33)
  const fd = fs.openSync(file, 'w')
  const hist = new Histogram(`pwrite ${size} B + fdatasync`)
  try {
    let pos = 0
    for (let i = 0; i < rounds; i++) {
      const t = nowUs()
      fs.writeSync(fd, buf, 0, size, pos)
      fs.fdatasyncSync(fd)
      hist.add(nowUs() - t)
      pos += size
    }
    return { size, ...hist.summary() }
  } finally {
    fs.closeSync(fd)
    fs.rmSync(file, { force: true })
  }
}

// Builds a one-function addon (returns undefined) with the system compiler against the installed
// Node headers, and times calls to it. null (with a reason) when no compiler/headers.
function napiCall (dir) {
  const headers = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node']
    .find((d) => fs.existsSync(path.join(d, 'node_api.h')))
  if (!headers) return { skipped: 'node_api.h not found' }
  const src = path.join(dir, 'noop.c')
  const out = path.join(dir, 'noop.node')
  fs.writeFileSync(src, `#include <node_api.h>
static napi_value Noop(napi_env env, napi_callback_info info) { return NULL; }
static napi_value Noop1(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return NULL;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "noop", NAPI_AUTO_LENGTH, Noop, NULL, &fn);
  napi_set_named_property(env, exports, "noop", fn);
  napi_create_function(env, "noop1", NAPI_AUTO_LENGTH, Noop1, NULL, &fn);
  napi_set_named_property(env, exports, "noop1", fn);
  return exports;
}
`)
  try {
    execFileSync(process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-I', headers, '-o', out, src], { stdio: 'pipe' })
  } catch (err) {
    return { skipped: `cc failed: ${String(err.stderr || err.message).split('\n')[0]}` }
  }
  const addon = require(out)
  const arg = Buffer.alloc(16)
  const time = (fn, calls) => {
    for (let i = 0; i < 1e5; i++) fn(arg) // warm up (JIT)
    const t0 = nowUs()
    for (let i = 0; i < calls; i++) fn(arg)
    return (nowUs() - t0) * 1000 / calls
  }
  return { emptyNs: time(addon.noop, 5e6), oneArgNs: time(addon.noop1, 5e6) }
}

// Buffer.copy bandwidth: large (64 MiB, memory-bound) and small (100 B, per-call overhead).
function memcpy () {
  const a = Buffer.alloc(64 * MiB, 1)
  const b = Buffer.alloc(64 * MiB)
  a.copy(b)
  let t0 = nowUs()
  const rounds = 16
  for (let i = 0; i < rounds; i++) a.copy(b)
  const bigGBs = rounds * 64 * MiB / 2 ** 30 / ((nowUs() - t0) / 1e6)
  const small = Buffer.alloc(100)
  const calls = 2e6
  t0 = nowUs()
  for (let i = 0; i < calls; i++) a.copy(small, 0, (i & 1023) * 100, (i & 1023) * 100 + 100)
  const smallNs = (nowUs() - t0) * 1000 / calls
  return { gbPerSec: bigGBs, copy100Ns: smallNs }
}

// groups: put counts per fsync to probe (1 = one writer; C = C puts in flight, one group commit).
function runProbe ({ dir = os.tmpdir(), groups = [1, 64], entryBytes = 116, log = () => {} } = {}) {
  const work = fs.mkdtempSync(path.join(dir, 'probe-'))
  try {
    const t0 = nowUs()
    // fdatasync first: right after the 256 MiB write, writeback of other files inflates it.
    log('probe: fdatasync latency ...')
    // ~30 bytes of WAL record framing per put on top of key + value.
    const sync = groups.map((g) => ({ group: g, ...syncLatency(work, g * (entryBytes + 30), 500) }))
    log('probe: sequential write ...')
    const disk = seqWrite(work)
    log('probe: N-API call, memcpy ...')
    const napi = napiCall(work)
    const mem = memcpy()
    return { disk, sync, napi, memcpy: mem, seconds: (nowUs() - t0) / 1e6 }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

// The limit each workload is judged against, in the workload's own ops/s, with how it's derived.
function limits (probe, cfg, entryBytes) {
  if (!probe) return {}
  const out = {}
  const groupFor = (g) => probe.sync.find((s) => s.group === g) || null
  out.disk = {
    opsPerSec: probe.disk.mbPerSec * MiB / entryBytes,
    how: `seq write ${probe.disk.mbPerSec.toFixed(0)} MB/s / ${entryBytes} B (every byte written once)`
  }
  const g1 = groupFor(1)
  // Median, not mean: the mean is dominated by a few multi-ms outliers of this virtual disk.
  if (g1) out.fsync1 = { opsPerSec: 1e6 / g1.p50Us, how: `1 / p50(pwrite ${g1.size} B + fdatasync) = 1 / ${g1.p50Us.toFixed(0)} us` }
  const gc = groupFor(cfg.concurrency)
  if (gc) {
    out.fsyncGroup = {
      opsPerSec: cfg.concurrency * 1e6 / gc.p50Us,
      how: `${cfg.concurrency} puts per p50(pwrite ${gc.size} B + fdatasync) = ${cfg.concurrency} / ${gc.p50Us.toFixed(0)} us`
    }
  }
  if (probe.napi && probe.napi.oneArgNs) {
    out.napi = { opsPerSec: 1e9 / probe.napi.oneArgNs, how: `1 / N-API call with one argument (${probe.napi.oneArgNs.toFixed(0)} ns)` }
  }
  out.memcpy = {
    opsPerSec: probe.memcpy.gbPerSec * 2 ** 30 / entryBytes,
    how: `memcpy ${probe.memcpy.gbPerSec.toFixed(1)} GB/s / ${entryBytes} B`
  }
  return out
}

module.exports = { runProbe, limits }
