'use strict'
// Model-based iterator test: random puts and deletes over a small binary key
// space, with data spread across the active memtable, immutable memtables
// (tiny memtables + a slowed flush thread), L0 tables (flush) and, when the
// engine has it, deeper levels (compactRange). After each round, thousands of
// random range queries (gt/gte/lt/lte, reverse, limit, seek, keys/values,
// paging through next/nextv/all, snapshots) are compared with a sorted
// reference. Replay a failure with LSMKV_SEED=<printed seed>.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')

const SEED = Number(process.env.LSMKV_SEED ?? Math.floor(Math.random() * 2 ** 31))
const ROUNDS = Number(process.env.LSMKV_ROUNDS ?? 24)
const QUERIES = Number(process.env.LSMKV_QUERIES ?? 150)

function rng (seed) {
  let s = seed >>> 0 || 1
  const next = () => {
    // xorshift32
    s ^= s << 13; s >>>= 0
    s ^= s >>> 17
    s ^= s << 5; s >>>= 0
    return s / 2 ** 32
  }
  return { next, int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)] }
}

// Bytes chosen to exercise bytewise order (0x00, 0x7f/0x80 sign boundary, 0xff).
const ALPHABET = [0x00, 0x01, 0x61, 0x7f, 0x80, 0xff]
function keySpace () {
  const keys = []
  const rec = (prefix) => {
    if (prefix.length > 0) keys.push(Buffer.from(prefix))
    if (prefix.length === 3) return
    for (const b of ALPHABET) rec([...prefix, b])
  }
  rec([])
  return keys
}

class Model {
  constructor () { this.map = new Map() }
  put (k, v) { this.map.set(k.toString('hex'), [k, v]) }
  del (k) { this.map.delete(k.toString('hex')) }
  clone () { const m = new Model(); m.map = new Map(this.map); return m }
  sorted () { return [...this.map.values()].sort((a, b) => Buffer.compare(a[0], b[0])) }
}

function inRange (k, q) {
  if (q.gt !== undefined && Buffer.compare(k, q.gt) <= 0) return false
  if (q.gte !== undefined && Buffer.compare(k, q.gte) < 0) return false
  if (q.lt !== undefined && Buffer.compare(k, q.lt) >= 0) return false
  if (q.lte !== undefined && Buffer.compare(k, q.lte) > 0) return false
  return true
}

// What the iterator must yield: `pre` entries, then (after a seek) the rest.
function expected (entries, q, pre, seekTarget) {
  let list = entries.filter(([k]) => inRange(k, q))
  if (q.reverse) list.reverse()
  const limit = q.limit === undefined || q.limit === -1 ? Infinity : q.limit
  const first = list.slice(0, Math.min(pre, limit))
  if (seekTarget === undefined) return list.slice(0, limit)
  list = list.filter(([k]) => q.reverse ? Buffer.compare(k, seekTarget) <= 0 : Buffer.compare(k, seekTarget) >= 0)
  return first.concat(list.slice(0, Math.max(0, limit - first.length)))
}

function project (entries, mode) {
  if (mode === 'keys') return entries.map(([k]) => k.toString('hex'))
  if (mode === 'values') return entries.map(([, v]) => v.toString('hex'))
  return entries.map(([k, v]) => k.toString('hex') + '=' + v.toString('hex'))
}

function randomBound (r, keys) {
  if (r.next() < 0.8) return r.pick(keys)
  // A key that may not exist, possibly outside the space.
  return Buffer.from(Array.from({ length: 1 + r.int(4) }, () => r.pick([0x00, 0x30, 0x61, 0x90, 0xff])))
}

function randomQuery (r, keys) {
  const q = {}
  const lower = r.int(3)
  if (lower === 1) q.gt = randomBound(r, keys)
  if (lower === 2) q.gte = randomBound(r, keys)
  const upper = r.int(3)
  if (upper === 1) q.lt = randomBound(r, keys)
  if (upper === 2) q.lte = randomBound(r, keys)
  if (r.next() < 0.5) q.reverse = true
  if (r.next() < 0.3) q.limit = r.pick([0, 1, 2, 5, 17, 40, -1])
  return q
}

async function runQuery (db, r, keys, entries, q, snapshot, label) {
  const mode = r.pick(['entries', 'keys', 'values'])
  const how = r.pick(['sync', 'next', 'nextv', 'all', 'forof', 'forawait'])
  const doSeek = how !== 'all' && how !== 'forof' && how !== 'forawait' && r.next() < 0.35
  const pre = doSeek ? r.int(6) : 0
  const seekTarget = doSeek ? randomBound(r, keys) : undefined
  const options = { ...q, keyEncoding: 'buffer', valueEncoding: 'buffer' }
  if (snapshot) options.snapshot = snapshot
  const it = mode === 'keys' ? db.keys(options) : mode === 'values' ? db.values(options) : db.iterator(options)
  const got = []
  const take = (v) => got.push(mode === 'entries' ? v : mode === 'keys' ? [v, Buffer.alloc(0)] : [Buffer.alloc(0), v])
  const readSome = async (n) => {
    for (let i = 0; i < n; i++) {
      const res = how === 'sync' ? it.nextSync() : await it.next()
      if (res.done) return
      take(res.value)
    }
  }
  const readRest = async () => {
    if (how === 'nextv') {
      for (;;) {
        const page = r.next() < 0.5 ? it.nextvSync(1 + r.int(7)) : await it.nextv(1 + r.int(50))
        if (page.length === 0) break
        page.forEach(take)
      }
    } else if (how === 'all') {
      (await it.all()).forEach(take)
    } else if (how === 'forof') {
      for (const v of it) take(v)
    } else if (how === 'forawait') {
      for await (const v of it) take(v)
    } else {
      await readSome(Infinity)
    }
  }
  if (doSeek) {
    await readSome(pre)
    it.seek(seekTarget)
  }
  await readRest()
  it.close()
  const want = expected(entries, q, pre, seekTarget)
  const project2 = (list) => mode === 'entries' ? project(list, 'entries') : project(list, mode)
  const describe = () => JSON.stringify({ label, mode, how, pre, seek: seekTarget?.toString('hex'), ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v])) })
  assert.deepEqual(project2(got), project2(want), `divergence (LSMKV_SEED=${SEED}): ${describe()}`)
}

test(`iterators match a sorted model across memtable, immutable memtables and tables (seed ${SEED})`, async (t) => {
  console.log(`# iterator-model seed ${SEED} (replay: LSMKV_SEED=${SEED})`)
  const r = rng(SEED)
  const keys = keySpace()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-itmodel-'))
  const db = await open(dir, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    memtableSize: 4096,
    maxImmutableMemtables: 3,
    testHooks: { flushDelayMs: 3 }
  })
  const hasCompact = typeof db.compactRange === 'function'
  if (!hasCompact) t.diagnostic('db.compactRange() not available: deeper levels not exercised')
  const model = new Model()
  let cases = 0
  let snap = null
  let snapModel = null
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Writes: several batches and single ops, in flight together.
      const pending = []
      const writes = 50 + r.int(250)
      for (let i = 0; i < writes; i++) {
        const k = r.pick(keys)
        if (r.next() < 0.3) {
          model.del(k)
          pending.push(db.del(k))
        } else {
          const v = Buffer.alloc(r.int(120), r.int(256))
          model.put(k, v)
          pending.push(db.put(k, v))
        }
      }
      await Promise.all(pending)
      const step = r.int(10)
      if (step < 3) await db.flush()
      else if (step === 3 && hasCompact) await db.compactRange()
      else if (step === 4) {
        const q = randomQuery(r, keys)
        delete q.reverse
        delete q.limit
        for (const [k] of model.sorted()) if (inRange(k, q)) model.del(k)
        await db.clear(q)
      }
      if (r.next() < 0.3) {
        if (snap) snap.release()
        snap = db.snapshot()
        snapModel = model.clone()
      }

      const entries = model.sorted()
      const snapEntries = snapModel ? snapModel.sorted() : null
      for (let i = 0; i < QUERIES; i++) {
        const q = randomQuery(r, keys)
        if (snap && r.next() < 0.25) await runQuery(db, r, keys, snapEntries, q, snap, `round ${round} snapshot`)
        else await runQuery(db, r, keys, entries, q, undefined, `round ${round}`)
        cases++
      }
    }
    if (snap) snap.release()
    t.diagnostic(`${cases} cases, ${model.map.size} live keys, stats: ${JSON.stringify(db.stats().levels.map((l) => l.files))}`)
    assert.ok(cases >= 3000)
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
