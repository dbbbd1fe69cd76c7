'use strict'
// bench/workloads.js — owns the db_bench-style workloads: what each one does, the inputs it
// prepares outside the timed region (key order, keys in the engine's form, values), what is
// timed and what is measured (ops/s, latency histogram, CPU, peak RSS, disk writes, final
// directory size). One Runner per engine holds the "data" database (keys 0..n-1, left by the
// last fillseq/fillrandom and rewritten by overwrite) that the read workloads use.

const fs = require('node:fs')
const path = require('node:path')
const {
  KEY_SIZE, VALUE_SIZE, makeRng, subSeed, formatKey, missingKey, permutation, makeValues, inFlight,
  nowUs, Histogram, Meter, dirSize, diskWriteBytes
} = require('./util')

// Canonical order; a selection always runs in this order. `durability`: which of the engine's
// stated write modes the workload's writes use ('fill' = not synced, 'sync' = durable before
// ack, null = no writes). `limit`: which physical limit of the probe it is judged against.
const WORKLOADS = [
  { name: 'fillseq', label: 'fillseq (batch 1000)', durability: 'fill', limit: 'disk', run: (r) => r.fill('fillseq', false) },
  { name: 'fillrandom', label: 'fillrandom (batch 1000)', durability: 'fill', limit: 'disk', run: (r) => r.fill('fillrandom', true) },
  { name: 'overwrite', label: 'overwrite (batch 1000, random existing keys)', durability: 'fill', limit: 'disk', run: (r) => r.overwrite() },
  { name: 'fillput', label: 'fillput (put, 1 writer, each awaited)', durability: 'fill', limit: null, run: (r) => r.fillPuts('fillput', 1, false) },
  { name: 'fillsync1', label: 'fillsync (put, durable, 1 writer)', durability: 'sync', limit: 'fsync1', run: (r) => r.fillPuts('fillsync1', 1, true) },
  { name: 'fillsync', label: (cfg) => `fillsync (put, durable, ${cfg.concurrency} in flight)`, durability: 'sync', limit: 'fsyncGroup', run: (r) => r.fillPuts('fillsync', r.cfg.concurrency, true) },
  { name: 'readrandom', label: 'readrandom (getSync)', durability: null, limit: 'napi', run: (r) => r.read('readrandom', 'sync', false) },
  { name: 'readrandomasync', label: (cfg) => `readrandom (async get, ${cfg.concurrency} in flight)`, durability: null, limit: null, run: (r) => r.read('readrandomasync', 'async', false) },
  { name: 'getmany', label: 'getMany (100 keys a call, keys/s)', durability: null, limit: null, run: (r) => r.getMany() },
  { name: 'readmissing', label: 'readmissing (async get)', durability: null, limit: null, run: (r) => r.read('readmissing', 'async', true) },
  { name: 'readhot', label: 'readhot (getSync, 1% of keys)', durability: null, limit: 'napi', run: (r) => r.read('readhot', 'sync', false, true) },
  { name: 'readseq', label: 'readseq (forward scan, entries/s)', durability: null, limit: 'memcpy', run: (r) => r.scan('readseq', false) },
  { name: 'readreverse', label: 'readreverse (reverse scan, entries/s)', durability: null, limit: 'memcpy', run: (r) => r.scan('readreverse', true) },
  { name: 'seekrandom', label: 'seekrandom (seek + 10 entries, seeks/s)', durability: null, limit: null, run: (r) => r.seekRandom() },
  { name: 'readwhilewriting', label: (cfg) => `readwhilewriting (getSync; 1 writer, ${cfg.writeRate}/s)`, durability: 'fill', limit: 'napi', run: (r) => r.readWhileWriting() }
]
const workloadLabel = (w, cfg) => typeof w.label === 'function' ? w.label(cfg) : w.label

/** Entries read after each seek in seekrandom. */
const SEEK_READ = 10
/** Keys per getMany call. */
const GETMANY_KEYS = 100
/** One op in SAMPLE_SYNC is timed in per-op synchronous workloads, one in SAMPLE_ASYNC in async ones. */
const SAMPLE_SYNC = 16
const SAMPLE_ASYNC = 4
const ENTRY_BYTES = KEY_SIZE + VALUE_SIZE

class Runner {
  // cfg: { n, syncN, syncGroupN, reads, batch, concurrency, writeRate, seed, keyForm }; root: this engine's temp dir
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
    return this.engine.open(dir, { durable, keyForm: this.cfg.keyForm, lsmkvOptions: this.cfg.lsmkvOptions })
  }

  async dropData () {
    if (!this.data) return
    await this.data.db.close()
    fs.rmSync(this.data.dir, { recursive: true, force: true })
    this.data = null
  }

  // The data database for a read workload; loaded untimed (shaped like the default run) when
  // the workload runs without a fill before it.
  async dataDb () {
    if (this.data) return { db: this.data.db, prefilled: false }
    await this.fill('prefill', true)
    return { db: this.data.db, prefilled: true }
  }

  // After a write workload's timed region: waits (untimed) until the engine's background
  // flushes/compactions stop writing — /proc/self/io write_bytes unchanged for SETTLE_QUIET_MS,
  // at most SETTLE_MAX_MS — so the work a workload caused is charged to it, not to the next one.
  // Then adds write amplification (all disk bytes written, timed region + settling, / user bytes
  // written) and the database's size.
  static async writeStats (result, writes, dir) {
    const SETTLE_POLL_MS = 200
    const SETTLE_QUIET_MS = 600
    const SETTLE_MAX_MS = 20000
    const t0 = Date.now()
    const cpu0 = process.cpuUsage()
    let last = diskWriteBytes()
    let quietSince = Date.now()
    while (last !== null && Date.now() - quietSince < SETTLE_QUIET_MS && Date.now() - t0 < SETTLE_MAX_MS) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
      const b = diskWriteBytes()
      if (b !== last) { last = b; quietSince = Date.now() }
    }
    if (result.diskWriteBytes !== null && last !== null) {
      const settled = last - (result.diskWriteBytesAtStop ?? last)
      result.settleMs = Date.now() - t0
      result.settleCpuMs = (() => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000 })()
      result.settleDiskWriteBytes = settled
      result.writeAmp = (result.diskWriteBytes + settled) / (writes * ENTRY_BYTES)
    }
    delete result.diskWriteBytesAtStop
    if (dir) result.dirBytes = dirSize(dir)
    return result
  }

  // Writes keys/values in batches of cfg.batch, each awaited before the next; per-batch latency.
  async batches (db, keys, values) {
    const { batch } = this.cfg
    const hist = new Histogram(`batch of ${batch}`)
    const meter = new Meter().start()
    for (let i = 0; i < keys.length; i += batch) {
      const t = nowUs()
      await db.putBatch(keys.slice(i, i + batch), values.slice(i, i + batch))
      hist.add(nowUs() - t)
    }
    return meter.stop(keys.length, { latency: hist.summary() })
  }

  // n keys in batches of cfg.batch into a fresh database, which becomes the data database.
  async fill (name, random) {
    const { n } = this.cfg
    await this.dropData()
    const numbers = random ? permutation(n, makeRng(subSeed(this.cfg.seed, 'fillrandom'))) : Uint32Array.from({ length: n }, (_, i) => i)
    const keys = this.keys(numbers)
    const values = this.valuesFor(numbers)
    const dir = this.freshDir(name)
    const db = await this.open(dir, false)
    this.data = { db, dir }
    return Runner.writeStats(await this.batches(db, keys, values), n, dir)
  }

  // n puts of uniformly random existing keys (with replacement), batches of cfg.batch, into the
  // data database: the LSMs compact over live data, the B-tree rewrites pages in place.
  async overwrite () {
    const { n } = this.cfg
    const { db, prefilled } = await this.dataDb()
    const rng = makeRng(subSeed(this.cfg.seed, 'overwrite'))
    const numbers = Uint32Array.from({ length: n }, () => rng.below(n))
    // Another value than the one loaded, so the data really changes.
    const values = this.valuesFor(numbers.map((k) => k + 1))
    const result = await this.batches(db, this.keys(numbers), values)
    result.prefilled = prefilled
    return Runner.writeStats(result, n, this.data.dir)
  }

  // Single puts of random keys, `concurrency` in flight (each awaited before the next with 1), in
  // a scratch database: durable ones (fillsync) syncN of them with one in flight, syncGroupN with
  // more; non-durable ones (fillput) syncGroupN.
  async fillPuts (name, concurrency, durable) {
    const { n } = this.cfg
    const count = concurrency > 1 || !durable ? this.cfg.syncGroupN : this.cfg.syncN
    const rng = makeRng(subSeed(this.cfg.seed, name))
    const numbers = Uint32Array.from({ length: count }, () => rng.below(n))
    const keys = this.keys(numbers)
    const values = this.valuesFor(numbers)
    const dir = this.freshDir(name)
    const db = await this.open(dir, durable)
    const put = durable ? db.putSync : db.put

    const hist = new Histogram('op (issue to ack)')
    const meter = new Meter().start()
    await inFlight(count, concurrency, async (i) => {
      const t = nowUs()
      await put(keys[i], values[i])
      hist.add(nowUs() - t)
    })
    const result = meter.stop(count, { concurrency, latency: hist.summary() })
    await db.close()
    await Runner.writeStats(result, count, dir)
    fs.rmSync(dir, { recursive: true, force: true })
    return result
  }

  // cfg.reads gets of uniformly random present (or missing) keys against the data database;
  // hot: keys drawn from the first 1% of the key space (db_bench readhot).
  async read (name, mode, missing, hot = false) {
    const { n, reads, concurrency } = this.cfg
    const { db, prefilled } = await this.dataDb()
    if (mode === 'sync' && !db.getSync) return { skipped: 'no sync get' }

    const rng = makeRng(subSeed(this.cfg.seed, name))
    const range = hot ? Math.max(1, Math.ceil(n / 100)) : n
    const numbers = Uint32Array.from({ length: reads }, () => rng.below(range))
    const keys = this.keys(numbers, missing ? missingKey : formatKey)
    const get = missing && db.getAbsent ? db.getAbsent : db.get
    let found = 0

    let hist, meter
    if (mode === 'sync') {
      const getSync = db.getSync
      hist = new Histogram('op', SAMPLE_SYNC)
      meter = new Meter().start()
      for (let i = 0; i < reads; i++) {
        if (i % SAMPLE_SYNC === 0) {
          const t = nowUs()
          const v = getSync(keys[i])
          hist.add(nowUs() - t)
          if (v !== undefined) found++
        } else if (getSync(keys[i]) !== undefined) found++
      }
    } else {
      hist = new Histogram('op (issue to resolve)', SAMPLE_ASYNC)
      meter = new Meter().start()
      await inFlight(reads, concurrency, async (i) => {
        if (i % SAMPLE_ASYNC === 0) {
          const t = nowUs()
          const v = await get(keys[i])
          hist.add(nowUs() - t)
          if (v !== undefined) found++
        } else if ((await get(keys[i])) !== undefined) found++
      })
    }
    const result = meter.stop(reads, { found, prefilled, latency: hist.summary() })
    if (mode === 'async') result.concurrency = concurrency
    const expected = missing ? 0 : reads
    if (found !== expected) result.error = `found ${found} of ${reads} keys, expected ${expected}`
    return result
  }

  // cfg.reads random present keys read with getMany, GETMANY_KEYS per call, one call at a time;
  // ops = keys, latency per call.
  async getMany () {
    const { n, reads } = this.cfg
    const { db, prefilled } = await this.dataDb()
    const calls = Math.max(1, Math.floor(reads / GETMANY_KEYS))
    const rng = makeRng(subSeed(this.cfg.seed, 'getmany'))
    const keys = this.keys(Uint32Array.from({ length: calls * GETMANY_KEYS }, () => rng.below(n)))
    const groups = []
    for (let i = 0; i < keys.length; i += GETMANY_KEYS) groups.push(keys.slice(i, i + GETMANY_KEYS))
    let found = 0
    const hist = new Histogram(`call of ${GETMANY_KEYS} keys`)
    const meter = new Meter().start()
    for (let c = 0; c < calls; c++) {
      const t = nowUs()
      const values = await db.getMany(groups[c])
      hist.add(nowUs() - t)
      for (let j = 0; j < values.length; j++) if (values[j] !== undefined) found++
    }
    const result = meter.stop(keys.length, { calls, found, prefilled, latency: hist.summary() })
    if (found !== keys.length) result.error = `found ${found} of ${keys.length} keys`
    return result
  }

  // Iterates every entry of the data database (keys and values, as Buffers)
  // in one scan; ops = entries, latency per 1024 entries.
  async scan (name, reverse) {
    const { n } = this.cfg
    const { db, prefilled } = await this.dataDb()
    const hist = new Histogram('1024 entries')
    const meter = new Meter().start()
    let last = nowUs()
    const tick = () => {
      const t = nowUs()
      hist.add(t - last)
      last = t
    }
    const count = await db.scan(reverse, tick)
    const result = meter.stop(count, { prefilled, latency: hist.summary() })
    if (count !== n) result.error = `scanned ${count} entries, expected ${n}`
    return result
  }

  // cfg.reads / 10 seeks to uniformly random present keys, each followed by
  // reading SEEK_READ entries (fewer only at the end); ops = seeks.
  async seekRandom () {
    const { n } = this.cfg
    const seeks = Math.max(1, Math.floor(this.cfg.reads / 10))
    const { db, prefilled } = await this.dataDb()
    const rng = makeRng(subSeed(this.cfg.seed, 'seekrandom'))
    const numbers = Uint32Array.from({ length: seeks }, () => rng.below(n))
    const keys = this.keys(numbers)
    const seeker = await db.seeker()
    let read = 0
    const hist = new Histogram('seek + 10 entries', SAMPLE_ASYNC)
    const meter = new Meter().start()
    for (let i = 0; i < seeks; i++) {
      if (i % SAMPLE_ASYNC === 0) {
        const t = nowUs()
        read += await seeker.seekRead(keys[i], SEEK_READ)
        hist.add(nowUs() - t)
      } else read += await seeker.seekRead(keys[i], SEEK_READ)
    }
    const result = meter.stop(seeks, { prefilled, entries: read, latency: hist.summary() })
    await seeker.close()
    let expected = 0
    for (let i = 0; i < seeks; i++) expected += Math.min(SEEK_READ, n - numbers[i])
    if (read !== expected) result.error = `read ${read} entries, expected ${expected}`
    return result
  }

  // cfg.reads getSync of random present keys (measured) while one writer puts random existing
  // keys (not synced) at cfg.writeRate puts/s, open loop on the same event loop: the reader
  // yields every READ_SLICE reads, the writer issues the puts that are due at each timer tick
  // (at most MAX_PENDING unacknowledged). Both share the JS thread, as they would in an app;
  // ops/s counts reads over the whole run, latency is the getSync alone.
  async readWhileWriting () {
    const READ_SLICE = 256
    const MAX_PENDING = 1000
    const { n, reads, writeRate } = this.cfg
    const { db, prefilled } = await this.dataDb()
    if (!db.getSync) return { skipped: 'no sync get' }
    const rng = makeRng(subSeed(this.cfg.seed, 'readwhilewriting'))
    const keys = this.keys(Uint32Array.from({ length: reads }, () => rng.below(n)))
    const wNumbers = Uint32Array.from({ length: 1 << 16 }, () => rng.below(n))
    const wKeys = this.keys(wNumbers)
    const wValues = this.valuesFor(wNumbers.map((k) => k + 2))

    let stop = false
    let issued = 0
    let acked = 0
    let writeError = null
    const getSync = db.getSync
    const hist = new Histogram('op', SAMPLE_SYNC)
    const meter = new Meter().start()
    const tw0 = nowUs()
    const writer = (async () => {
      const pending = new Set()
      while (!stop) {
        const due = Math.min(Math.floor((nowUs() - tw0) * writeRate / 1e6) - issued, MAX_PENDING - pending.size)
        for (let j = 0; j < due; j++) {
          const i = issued++ & 0xffff
          const p = db.put(wKeys[i], wValues[i]).then(() => { acked++; pending.delete(p) }, (err) => { writeError = writeError || err; pending.delete(p) })
          pending.add(p)
        }
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      await Promise.all(pending)
    })()
    let found = 0
    for (let i = 0; i < reads; i++) {
      if (i % SAMPLE_SYNC === 0) {
        const t = nowUs()
        const v = getSync(keys[i])
        hist.add(nowUs() - t)
        if (v !== undefined) found++
      } else if (getSync(keys[i]) !== undefined) found++
      if (i % READ_SLICE === READ_SLICE - 1) await new Promise(setImmediate)
    }
    const readEnd = nowUs()
    stop = true
    await writer
    const result = meter.stop(reads, { found, prefilled, latency: hist.summary() })
    // Reads only: the writer's drain after the last read is not part of the read rate.
    result.elapsedMs = (readEnd - tw0) / 1000
    result.opsPerSec = reads / (result.elapsedMs / 1000)
    result.writes = acked
    result.writesPerSec = acked / (result.elapsedMs / 1000)
    await Runner.writeStats(result, Math.max(1, acked), this.data.dir)
    if (writeError) result.error = `writer: ${writeError.message}`
    else if (found !== reads) result.error = `found ${found} of ${reads} keys`
    return result
  }

  close () { return this.dropData() }
}

module.exports = { WORKLOADS, workloadLabel, Runner, SEEK_READ, GETMANY_KEYS, ENTRY_BYTES }
