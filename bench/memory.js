#!/usr/bin/env node
// Issue 6's memory targets for lsmkv alone, in a fresh process:
//  - fillrandom (N db_bench keys and values, batches of 1000, random order,
//    keys made per batch so the harness holds no data set): peak RSS above
//    the RSS just before open(), sampled after every batch, against the
//    memtable budget (memtableSize x (1 + maxImmutableMemtables)) + 64 MiB;
//  - a full forward and a full reverse scan (async iterator): JS heap used,
//    sampled every 10,000 entries, after a GC, against the heap before it.
//
//   node --expose-gc bench/memory.js [--n 1000000] [--seed 42]
//
// Prints one JSON line. Nothing is asserted (figures belong to bench/).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')
const { makeRng, formatKey, permutation, makeValues, intFlag } = require('./util')

const MiB = 1024 * 1024
const MEMTABLE_SIZE = 16 * MiB // lsmkv's defaults (README, Options)
const MAX_IMMUTABLE = 2

const mib = (bytes) => Math.round(bytes / MiB * 10) / 10

// RssAnon and RssFile from /proc/self/status (Linux), in MiB; null elsewhere.
function rssSplit () {
  let status
  try {
    status = fs.readFileSync('/proc/self/status', 'utf8')
  } catch {
    return { anon: null, file: null }
  }
  const kb = (name) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))
    return m ? mib(Number(m[1]) * 1024) : null
  }
  return { anon: kb('RssAnon'), file: kb('RssFile') }
}

async function scanHeap (db, reverse) {
  global.gc()
  const before = process.memoryUsage().heapUsed
  let peak = before
  let entries = 0
  for await (const entry of db.iterator({ reverse })) {
    if (entry === undefined) throw new Error('iterator yielded nothing')
    if (++entries % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
  }
  global.gc()
  const after = process.memoryUsage().heapUsed
  return { entries, heapBeforeMiB: mib(before), heapPeakMiB: mib(peak), heapAfterGcMiB: mib(after) }
}

async function main () {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc')
  const n = intFlag('n', 1_000_000)
  const seed = intFlag('seed', 42)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-memory-'))
  const rng = makeRng(seed)
  const values = makeValues(seed)
  const order = permutation(n, rng)
  global.gc()
  const rss0 = process.memoryUsage.rss()
  const split0 = rssSplit()
  const db = await open(dir, { valueEncoding: 'buffer', memtableSize: MEMTABLE_SIZE, maxImmutableMemtables: MAX_IMMUTABLE })
  try {
    let peak = rss0
    let peakSplit = rssSplit()
    for (let b = 0; b < n; b += 1000) {
      const ops = []
      for (let i = b; i < Math.min(n, b + 1000); i++) {
        ops.push({ type: 'put', key: formatKey(order[i]), value: values[order[i] % values.length] })
      }
      await db.batch(ops)
      const rss = process.memoryUsage.rss()
      if (rss > peak) {
        peak = rss
        peakSplit = rssSplit()
      }
    }
    const budget = MEMTABLE_SIZE * (1 + MAX_IMMUTABLE)
    const fill = {
      rssBeforeOpenMiB: mib(rss0),
      anonBeforeOpenMiB: split0.anon,
      fileBeforeOpenMiB: split0.file,
      peakRssMiB: mib(peak),
      peakGrowthMiB: mib(peak - rss0),
      // At the peak, RSS in private memory and in mapped file pages (the
      // node binary, and SSTable pages that compactions and gets touched).
      peakAnonMiB: peakSplit.anon,
      peakFileMiB: peakSplit.file,
      limitMiB: mib(budget + 64 * MiB),
      memtableBudgetMiB: mib(budget)
    }
    const forward = await scanHeap(db, false)
    const reverse = await scanHeap(db, true)
    console.log(JSON.stringify({ n, fillrandom: fill, readseq: forward, readreverse: reverse }))
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
