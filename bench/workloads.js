'use strict'
// bench/workloads.js — owns the db_bench-style workloads: what each one does, the inputs it
// prepares outside the timed region (key order, keys in the engine's form, values) and what is
// timed. One Runner per engine holds the "data" database (keys 0..n-1, left by the last
// fillseq/fillrandom) that the read workloads use.

const fs = require('node:fs')
const path = require('node:path')
const { makeRng, subSeed, formatKey, missingKey, permutation, makeValues, inFlight, now } = require('./util')

// Canonical order; a selection always runs in this order.
const WORKLOADS = [
  { name: 'fillseq', label: 'fillseq (batch 1000)', run: (r) => r.fill('fillseq', false) },
  { name: 'fillrandom', label: 'fillrandom (batch 1000)', run: (r) => r.fill('fillrandom', true) },
  { name: 'fillsync', label: 'fillsync (put, durable)', run: (r) => r.fillSync() },
  { name: 'readrandom', label: 'readrandom (getSync)', run: (r) => r.read('readrandom', 'sync', false) },
  { name: 'readrandomasync', label: 'readrandom (async get)', run: (r) => r.read('readrandomasync', 'async', false) },
  { name: 'readmissing', label: 'readmissing (async get)', run: (r) => r.read('readmissing', 'async', true) },
  { name: 'readseq', label: 'readseq (forward scan, entries/s)', run: (r) => r.scan('readseq', false) },
  { name: 'readreverse', label: 'readreverse (reverse scan, entries/s)', run: (r) => r.scan('readreverse', true) },
  { name: 'seekrandom', label: 'seekrandom (seek + 10 entries, seeks/s)', run: (r) => r.seekRandom() }
]

/** Entries read after each seek in seekrandom. */
const SEEK_READ = 10

// write_bytes of /proc/self/io (bytes this process caused to be written to storage), or null.
function diskWriteBytes () {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

const elapsed = (t0, ops, extra) => {
  const ns = Number(now() - t0)
  return { ops, elapsedMs: ns / 1e6, opsPerSec: ops / (ns / 1e9), ...extra }
}

class Runner {
  // cfg: { n, syncN, reads, batch, concurrency, seed, keyForm }; root: this engine's temp dir
  constructor (engine, cfg, root) {
    this.engine = engine
    this.cfg = cfg
    this.root = root
    this.values = makeValues(cfg.seed)
    this.data = null // { db, dir } holding keys 0..n-1
    this.dirs = 0
  }

  freshDir (tag) {
    const dir = path.join(this.root, `${++this.dirs}-${tag}`)
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }

  keys (numbers, fmt = formatKey) {
    const out = new Array(numbers.length)
    const asBuffer = this.cfg.keyForm === 'buffer'
    for (let i = 0; i < numbers.length; i++) {
      const k = fmt(numbers[i])
      out[i] = asBuffer ? Buffer.from(k, 'latin1') : k
    }
    return out
  }

  valuesFor (numbers) {
    const pool = this.values
    const out = new Array(numbers.length)
    for (let i = 0; i < numbers.length; i++) out[i] = pool[numbers[i] % pool.length]
    return out
  }

  open (dir, durable) {
    return this.engine.open(dir, { durable, keyForm: this.cfg.keyForm })
  }

  async dropData () {
    if (!this.data) return
    await this.data.db.close()
    fs.rmSync(this.data.dir, { recursive: true, force: true })
    this.data = null
  }

  // n keys in batches of cfg.batch into a fresh database, which becomes the data database.
  async fill (name, random) {
    const { n, batch } = this.cfg
    await this.dropData()
    const numbers = random ? permutation(n, makeRng(subSeed(this.cfg.seed, 'fillrandom'))) : Uint32Array.from({ length: n }, (_, i) => i)
    const keys = this.keys(numbers)
    const values = this.valuesFor(numbers)
    const dir = this.freshDir(name)
    const db = await this.open(dir, false)
    this.data = { db, dir }

    const io0 = diskWriteBytes()
    const t0 = now()
    for (let i = 0; i < n; i += batch) await db.putBatch(keys.slice(i, i + batch), values.slice(i, i + batch))
    const result = elapsed(t0, n)
    // Write amplification: bytes this process wrote to disk during the fill
    // (WAL, flushes, compactions so far) / user bytes (/proc/self/io, Linux).
    const io1 = diskWriteBytes()
    if (io0 !== null && io1 !== null) {
      result.diskWriteBytes = io1 - io0
      result.writeAmp = (io1 - io0) / (n * (keys[0].length + values[0].length))
    }
    return result
  }

  // syncN single durable puts of random keys, cfg.concurrency in flight, in a scratch database.
  async fillSync () {
    const { n, syncN, concurrency } = this.cfg
    const rng = makeRng(subSeed(this.cfg.seed, 'fillsync'))
    const numbers = Uint32Array.from({ length: syncN }, () => rng.below(n))
    const keys = this.keys(numbers)
    const values = this.valuesFor(numbers)
    const dir = this.freshDir('fillsync')
    const db = await this.open(dir, true)

    const t0 = now()
    await inFlight(syncN, concurrency, (i) => db.putSync(keys[i], values[i]))
    const result = elapsed(t0, syncN)
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
    return result
  }

  // cfg.reads gets of uniformly random present (or missing) keys against the data database.
  async read (name, mode, missing) {
    const { n, reads, concurrency } = this.cfg
    let prefilled = false
    if (!this.data) { // run alone: load the data untimed, shaped like the default run
      await this.fill('prefill', true)
      prefilled = true
    }
    const { db } = this.data
    if (mode === 'sync' && !db.getSync) return { skipped: 'no sync get' }

    const rng = makeRng(subSeed(this.cfg.seed, name))
    const numbers = Uint32Array.from({ length: reads }, () => rng.below(n))
    const keys = this.keys(numbers, missing ? missingKey : formatKey)
    const get = missing && db.getAbsent ? db.getAbsent : db.get
    let found = 0

    const t0 = now()
    if (mode === 'sync') {
      for (let i = 0; i < reads; i++) if (db.getSync(keys[i]) !== undefined) found++
    } else {
      await inFlight(reads, concurrency, async (i) => { if ((await get(keys[i])) !== undefined) found++ })
    }
    const result = elapsed(t0, reads, { found, prefilled })
    const expected = missing ? 0 : reads
    if (found !== expected) result.error = `found ${found} of ${reads} keys, expected ${expected}`
    return result
  }

  // Iterates every entry of the data database (keys and values, as Buffers)
  // in one scan; ops = entries.
  async scan (name, reverse) {
    const { n } = this.cfg
    let prefilled = false
    if (!this.data) {
      await this.fill('prefill', true)
      prefilled = true
    }
    const { db } = this.data
    const t0 = now()
    const count = await db.scan(reverse)
    const result = elapsed(t0, count, { prefilled })
    if (count !== n) result.error = `scanned ${count} entries, expected ${n}`
    return result
  }

  // cfg.reads / 10 seeks to uniformly random present keys, each followed by
  // reading SEEK_READ entries (fewer only at the end); ops = seeks.
  async seekRandom () {
    const { n } = this.cfg
    const seeks = Math.max(1, Math.floor(this.cfg.reads / 10))
    let prefilled = false
    if (!this.data) {
      await this.fill('prefill', true)
      prefilled = true
    }
    const { db } = this.data
    const rng = makeRng(subSeed(this.cfg.seed, 'seekrandom'))
    const numbers = Uint32Array.from({ length: seeks }, () => rng.below(n))
    const keys = this.keys(numbers)
    const seeker = await db.seeker()
    let read = 0
    const t0 = now()
    for (let i = 0; i < seeks; i++) read += await seeker.seekRead(keys[i], SEEK_READ)
    const result = elapsed(t0, seeks, { prefilled, entries: read })
    await seeker.close()
    let expected = 0
    for (let i = 0; i < seeks; i++) expected += Math.min(SEEK_READ, n - numbers[i])
    if (read !== expected) result.error = `read ${read} entries, expected ${expected}`
    return result
  }

  close () { return this.dropData() }
}

module.exports = { WORKLOADS, Runner }
