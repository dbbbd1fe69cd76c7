'use strict'
// The metamorphic test's op log and reference model (test/metamorphic.test.js
// replays the log against the engine). generateLog(seed, n) is a pure
// function of its arguments: it tracks which snapshot and iterator slots are
// live itself, so the same log can be replayed under any configuration.
// Ops are plain JSON (printable on a divergence); keys are hex strings, and
// values are {len, fill} descriptors turned into bytes by valueBytes().
// Hex order is bytewise order, so the model sorts hex strings.

const { prng } = require('./prng')

// Bytes around the places bytewise order is easy to get wrong: 0x00, the
// 0x7f/0x80 sign boundary, 0xff. Lengths 1-3 give prefixes of each other.
const ALPHABET = ['00', '61', '7f', '80', 'ff']

function keySpace () {
  const keys = []
  for (const a of ALPHABET) {
    keys.push(a)
    for (const b of ALPHABET) {
      keys.push(a + b)
      for (const c of ALPHABET) keys.push(a + b + c)
    }
  }
  // A few long keys sharing a long prefix (restart points, key compression).
  for (let i = 0; i < 6; i++) keys.push('61'.repeat(120 + 40 * i) + ALPHABET[i % ALPHABET.length])
  return keys
}

const KEYS = keySpace()

function rng (seed) {
  const next = prng(seed)
  const int = (n) => Math.floor(next() * n)
  return { next, int, pick: (a) => a[int(a.length)], chance: (p) => next() < p }
}

const valueCache = new Map()

// The bytes of a value descriptor. `fill` differs between writes, so a stale
// version of the same length still reads differently.
function valueBytes (v) {
  const id = `${v.len}:${v.fill}`
  let buf = valueCache.get(id)
  if (buf === undefined) {
    buf = Buffer.allocUnsafe(v.len)
    for (let i = 0; i < v.len; i++) buf[i] = ((v.fill >>> ((i & 3) * 8)) ^ (i * 7)) & 0xff
    if (valueCache.size > 4096) valueCache.clear()
    valueCache.set(id, buf)
  }
  return buf
}

function randomValue (r) {
  const p = r.next()
  // Empty, small, medium, and several-KB values (a few fill a tiny memtable).
  const len = p < 0.12 ? 0 : p < 0.65 ? 1 + r.int(64) : p < 0.9 ? 65 + r.int(1000) : 2048 + r.int(6144)
  return { len, fill: r.int(2 ** 32) }
}

function randomKey (r) { return r.pick(KEYS) }

// A bound: mostly a key of the space, sometimes one that is not in it.
function randomBound (r) {
  if (r.chance(0.8)) return randomKey(r)
  return Array.from({ length: 1 + r.int(4) }, () => r.pick(['00', '30', '61', '62', '90', 'ff'])).join('')
}

function randomRange (r) {
  const range = {}
  const lower = r.int(3)
  if (lower === 1) range.gt = randomBound(r)
  if (lower === 2) range.gte = randomBound(r)
  const upper = r.int(3)
  if (upper === 1) range.lt = randomBound(r)
  if (upper === 2) range.lte = randomBound(r)
  return range
}

function randomWrite (r) {
  return r.chance(0.75)
    ? { type: 'put', key: randomKey(r), value: randomValue(r) }
    : { type: 'del', key: randomKey(r) }
}

// Relative frequencies of the op kinds.
const WEIGHTS = [
  ['put', 24], ['del', 8], ['batch', 7],
  ['get', 7], ['getSync', 7], ['getMany', 4], ['has', 4],
  ['iterate', 9], ['iterOpen', 2], ['iterStep', 6], ['iterSeek', 2], ['iterClose', 1],
  ['snapshot', 1.5], ['release', 1],
  ['flush', 1], ['compactRange', 0.7], ['clear', 0.6], ['reopen', 0.35]
]
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0)

const SNAPSHOT_SLOTS = 3
const ITERATOR_SLOTS = 3

/** The op log of `n` ops for `seed`. */
function generateLog (seed, n) {
  const r = rng(seed)
  const snaps = new Array(SNAPSHOT_SLOTS).fill(false)
  const iters = new Array(ITERATOR_SLOTS).fill(false)
  const live = (slots) => slots.flatMap((on, i) => on ? [i] : [])
  const free = (slots) => slots.flatMap((on, i) => on ? [] : [i])
  // A read through a live snapshot 30% of the time; results as Uint8Array
  // views (rather than Buffers) 30% of the time.
  const maybeSnap = (op) => {
    const s = live(snaps)
    if (s.length > 0 && r.chance(0.3)) op.snap = r.pick(s)
    if (r.chance(0.3)) op.view = true
    return op
  }
  const log = []
  while (log.length < n) {
    let x = r.next() * TOTAL_WEIGHT
    let kind = WEIGHTS[WEIGHTS.length - 1][0]
    for (const [name, w] of WEIGHTS) {
      if ((x -= w) < 0) { kind = name; break }
    }
    // Writes are awaited one by one 60% of the time; otherwise they stay in
    // flight until the next read (or flush / clear / close, which must
    // include them).
    const wait = r.chance(0.6)
    const sync = r.chance(0.03)
    switch (kind) {
      case 'put': log.push({ op: 'put', key: randomKey(r), value: randomValue(r), wait, sync }); break
      case 'del': log.push({ op: 'del', key: randomKey(r), wait, sync }); break
      case 'batch':
        log.push({
          op: 'batch',
          form: r.pick(['array', 'chained']),
          ops: Array.from({ length: 1 + r.int(12) }, () => randomWrite(r)),
          wait,
          sync
        })
        break
      case 'get':
      case 'getSync':
      case 'has':
        log.push(maybeSnap({ op: kind, key: r.chance(0.9) ? randomKey(r) : randomBound(r), sync: r.chance(0.5) }))
        break
      case 'getMany':
        log.push(maybeSnap({ op: 'getMany', keys: Array.from({ length: r.int(12) }, () => randomKey(r)) }))
        break
      case 'iterate': {
        const how = r.pick(['nextSync', 'next', 'nextv', 'nextvSync', 'all', 'allSync', 'forof', 'forawait'])
        const op = maybeSnap({
          op: 'iterate',
          range: randomRange(r),
          reverse: r.chance(0.4),
          limit: r.chance(0.3) ? r.pick([0, 1, 2, 7, 30, -1]) : undefined,
          mode: r.pick(['entries', 'keys', 'values']),
          how
        })
        if (how.startsWith('next') && r.chance(0.35)) op.seek = { pre: r.int(6), target: randomBound(r) }
        log.push(op)
        break
      }
      case 'iterOpen': {
        const f = free(iters)
        if (f.length === 0) continue
        const slot = r.pick(f)
        iters[slot] = true
        log.push(maybeSnap({
          op: 'iterOpen',
          slot,
          range: randomRange(r),
          reverse: r.chance(0.4),
          limit: r.chance(0.2) ? r.pick([1, 5, 40]) : undefined,
          mode: r.pick(['entries', 'keys', 'values'])
        }))
        break
      }
      case 'iterStep':
      case 'iterSeek':
      case 'iterClose': {
        const l = live(iters)
        if (l.length === 0) continue
        const slot = r.pick(l)
        if (kind === 'iterStep') log.push({ op: 'iterStep', slot, n: 1 + r.int(25), how: r.pick(['nextSync', 'next', 'nextv', 'nextvSync']) })
        else if (kind === 'iterSeek') log.push({ op: 'iterSeek', slot, target: randomBound(r) })
        else { iters[slot] = false; log.push({ op: 'iterClose', slot }) }
        break
      }
      case 'snapshot': {
        const f = free(snaps)
        if (f.length === 0) continue
        const slot = r.pick(f)
        snaps[slot] = true
        log.push({ op: 'snapshot', slot })
        break
      }
      case 'release': {
        const l = live(snaps)
        if (l.length === 0) continue
        const slot = r.pick(l)
        snaps[slot] = false
        log.push({ op: 'release', slot })
        break
      }
      case 'flush': log.push({ op: 'flush' }); break
      case 'compactRange': {
        // Whole, or [start, end] (both inclusive; either may be open).
        const op = { op: 'compactRange' }
        if (r.chance(0.6)) {
          if (r.chance(0.8)) op.start = randomBound(r)
          if (r.chance(0.8)) op.end = randomBound(r)
        }
        log.push(op)
        break
      }
      case 'clear': log.push({ op: 'clear', range: r.chance(0.1) ? {} : randomRange(r) }); break
      case 'reopen':
        // close() releases every snapshot and iterator.
        snaps.fill(false)
        iters.fill(false)
        log.push({ op: 'reopen' })
        break
    }
  }
  return log
}

function inRange (key, range) {
  if (range.gt !== undefined && !(key > range.gt)) return false
  if (range.gte !== undefined && !(key >= range.gte)) return false
  if (range.lt !== undefined && !(key < range.lt)) return false
  if (range.lte !== undefined && !(key <= range.lte)) return false
  return true
}

/** The reference: hex key -> value descriptor, with sorted views cached. */
class Model {
  constructor (map = new Map()) {
    this.map = map
    this.sortedCache = null
  }

  apply (w) {
    if (w.type === 'put') this.map.set(w.key, w.value)
    else this.map.delete(w.key)
    this.sortedCache = null
  }

  clear (range) {
    for (const key of this.map.keys()) if (inRange(key, range)) this.map.delete(key)
    this.sortedCache = null
  }

  copy () { return new Model(new Map(this.map)) }

  /** [hexKey, valueDescriptor] pairs in key order. */
  sorted () {
    if (this.sortedCache === null) this.sortedCache = [...this.map.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    return this.sortedCache
  }

  /** What an iterator over `range` yields, in its direction, before `limit`. */
  scan (range, reverse) {
    const list = this.sorted().filter(([k]) => inRange(k, range))
    return reverse ? list.reverse() : list
  }
}

/** The position a seek to `target` moves to in a scan list (in its direction). */
function seekIndex (list, target, reverse) {
  const i = list.findIndex(([k]) => reverse ? k <= target : k >= target)
  return i === -1 ? list.length : i
}

module.exports = { generateLog, valueBytes, Model, seekIndex, KEYS }
