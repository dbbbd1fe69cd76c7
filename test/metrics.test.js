// Observability: db.metrics() (counters and latency percentiles, object and
// Prometheus text format), the 'closing' / 'closed' events, the logger
// option, NODE_DEBUG=lsmkv, and silence by default.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { open, LsmError } = require('..')
const { tempDir, withDb } = require('./helpers')

const KINDS = ['get', 'getSync', 'put', 'del', 'batch', 'iteratorPage', 'flush', 'compaction', 'walSync']

function assertOrdered (l, kind) {
  assert.ok(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max,
    `${kind}: min ${l.min} <= p50 ${l.p50} <= p90 ${l.p90} <= p99 ${l.p99} <= p999 ${l.p999} <= max ${l.max}`)
  assert.ok(l.count > 0 ? l.sum > 0 && l.mean > 0 : l.sum === 0 && l.mean === 0, `${kind}: sum and mean`)
}

test('metrics() counts operations and times each kind', async () => {
  await withDb({}, async (db) => {
    const before = db.metrics()
    for (const kind of KINDS) {
      assert.strictEqual(before.operations[kind], 0, kind)
      assert.strictEqual(before.latency[kind].count, 0, kind)
      assert.strictEqual(before.latency[kind].p99, 0, kind)
    }
    assert.deepStrictEqual(before.sampling, { get: 64, getSync: 64 })

    const puts = []
    for (let i = 0; i < 10; i++) puts.push(db.put(`k${i}`, `v${i}`))
    await Promise.all(puts)
    await db.del('k0')
    await db.batch([{ type: 'put', key: 'b1', value: '1' }, { type: 'del', key: 'k1' }])
    await db.batch().put('b2', '2').write()
    await db.put('synced', 'x', { sync: true })
    for (let i = 0; i < 128; i++) db.getSync(`k${i % 10}`)
    for (let i = 0; i < 64; i++) await db.get('k5')
    let seen = 0
    for (const entry of db.iterator()) if (entry) seen++
    await db.flush()
    await db.compactRange()

    const m = db.metrics()
    const s = db.stats()
    assert.strictEqual(m.operations.put, 11)
    assert.strictEqual(m.operations.del, 1)
    assert.strictEqual(m.operations.batch, 2)
    assert.strictEqual(m.operations.getSync, 128)
    assert.strictEqual(m.operations.get, 64)
    // Writes: every acknowledged member is one sample.
    assert.strictEqual(m.latency.put.count, 11)
    assert.strictEqual(m.latency.del.count, 1)
    assert.strictEqual(m.latency.batch.count, 2)
    // Reads: 1 call in 64.
    assert.strictEqual(m.latency.getSync.count, 2)
    assert.strictEqual(m.latency.get.count, 1)
    assert.strictEqual(seen, 11)
    assert.ok(m.operations.iteratorPage >= 1)
    assert.strictEqual(m.latency.iteratorPage.count, m.operations.iteratorPage)
    // Engine events, timed in the engine, agree with stats().
    assert.strictEqual(m.latency.flush.count, s.flushes)
    assert.ok(s.flushes >= 1)
    assert.strictEqual(m.latency.compaction.count, s.compactions)
    assert.ok(s.compactions >= 1)
    assert.strictEqual(m.latency.walSync.count, s.walSyncs)
    assert.ok(s.walSyncs >= 1)
    assert.strictEqual(m.operations.walSync, s.walSyncs)
    for (const kind of KINDS) assertOrdered(m.latency[kind], kind)

    assert.strictEqual(m.bytesWritten.user, s.bytesWritten)
    assert.ok(m.bytesWritten.user > 0)
    assert.strictEqual(m.bytesWritten.disk, s.walBytes + s.flushBytes + s.compactionBytesWritten)
    assert.strictEqual(m.flushes, s.flushes)
    assert.strictEqual(m.compactions, s.compactions)
    assert.strictEqual(m.stalls, s.stalls)
    assert.deepStrictEqual(Object.keys(m.stats), Object.keys(s))
  })
})

test('metrics() counts stalls and their time', async () => {
  await withDb({ memtableSize: 64 * 1024, maxImmutableMemtables: 1, testHooks: { flushDelayMs: 30 } }, async (db) => {
    const value = 'x'.repeat(200)
    for (let b = 0; b < 20; b++) {
      await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put', key: `s${b}-${i}`, value })))
    }
    const m = db.metrics()
    assert.ok(m.stalls > 0)
    assert.ok(m.stallMicros > 0)
    assert.strictEqual(m.stalls, m.stats.stalls)
    assert.strictEqual(m.operations.batch, 20)
  })
})

test('metrics() validates its options and fails once closed', async () => {
  const dir = tempDir()
  const db = await open(dir)
  assert.throws(() => db.metrics(null), TypeError)
  assert.throws(() => db.metrics({ format: 'json' }), /Option 'format' must be 'object' or 'prometheus', got 'json'/)
  assert.throws(() => db.metrics({ formt: 'prometheus' }), /Unknown metrics option 'formt'/)
  assert.throws(() => db.metrics({ format: 'prometheus', labels: { 'bad-name': 'x' } }), RangeError)
  assert.throws(() => db.metrics({ format: 'prometheus', labels: { __name__: 'x' } }), RangeError)
  assert.throws(() => db.metrics({ format: 'prometheus', labels: { op: 'x' } }), /must not use 'op'/)
  assert.throws(() => db.metrics({ format: 'prometheus', labels: { db: 1 } }), /Option 'labels.db' must be a string/)
  await db.close()
  assert.throws(() => db.metrics(), (err) => err instanceof LsmError && err.code === 'CLOSED')
  fs.rmSync(dir, { recursive: true, force: true })
})

// --- Prometheus -------------------------------------------------------------

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/

// Labels of a sample line starting at `text[0] === '{'`; returns [labels, rest].
function parseLabels (text, lineNo) {
  const labels = {}
  let i = 1
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i)
    assert.ok(eq > i, `line ${lineNo}: label name`)
    const name = text.slice(i, eq)
    assert.match(name, LABEL_NAME, `line ${lineNo}: label name ${name}`)
    assert.ok(!(name in labels), `line ${lineNo}: duplicate label ${name}`)
    assert.strictEqual(text[eq + 1], '"', `line ${lineNo}: quoted value`)
    let value = ''
    i = eq + 2
    for (;;) {
      const c = text[i]
      assert.ok(c !== undefined && c !== '\n', `line ${lineNo}: unterminated label value`)
      if (c === '"') break
      if (c === '\\') {
        const e = text[i + 1]
        assert.ok(e === '\\' || e === '"' || e === 'n', `line ${lineNo}: bad escape \\${e}`)
        value += e === 'n' ? '\n' : e
        i += 2
      } else {
        value += c
        i++
      }
    }
    labels[name] = value
    i++
    if (text[i] === ',') i++
    else assert.strictEqual(text[i], '}', `line ${lineNo}: , or }`)
  }
  return [labels, text.slice(i + 1)]
}

// A strict parser of the text exposition format: every line is a HELP/TYPE
// comment, another comment, blank, or `name{labels} value`; a family's TYPE
// comes before its samples, once; values are Prometheus floats.
function parsePrometheus (text) {
  assert.ok(text.endsWith('\n'), 'ends with a newline')
  const types = new Map()
  const helps = new Set()
  const samples = []
  const closed = new Set()
  let current = null
  text.slice(0, -1).split('\n').forEach((line, index) => {
    const lineNo = index + 1
    if (line === '') return
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
      if (m === null) return  // a plain comment
      const [, kind, name, rest] = m
      assert.match(name, METRIC_NAME, `line ${lineNo}`)
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(rest), `line ${lineNo}: type ${rest}`)
        assert.ok(!types.has(name), `line ${lineNo}: second TYPE for ${name}`)
        assert.ok(!samples.some((s) => s.family === name), `line ${lineNo}: TYPE after samples of ${name}`)
        types.set(name, rest)
      } else {
        assert.ok(!helps.has(name), `line ${lineNo}: second HELP for ${name}`)
        helps.add(name)
      }
      return
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)
    assert.ok(nameMatch, `line ${lineNo}: sample name in ${JSON.stringify(line)}`)
    const name = nameMatch[0]
    let rest = line.slice(name.length)
    let labels = {}
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, lineNo)
    const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest)
    assert.ok(valueMatch, `line ${lineNo}: value in ${JSON.stringify(line)}`)
    assert.match(valueMatch[1], FLOAT, `line ${lineNo}: numeric value`)
    const family = types.has(name) ? name : name.replace(/_(sum|count|bucket)$/, '')
    assert.ok(types.has(family), `line ${lineNo}: ${name} has no TYPE before it`)
    const type = types.get(family)
    if (type === 'counter') assert.match(name, /_total$/, `line ${lineNo}: counters end in _total`)
    if (type === 'summary' && name === family) assert.ok('quantile' in labels, `line ${lineNo}: summary quantile label`)
    if (current !== family) {
      assert.ok(!closed.has(family), `line ${lineNo}: samples of ${family} are not contiguous`)
      if (current !== null) closed.add(current)
      current = family
    }
    const value = valueMatch[1] === 'NaN' ? NaN : valueMatch[1].endsWith('Inf') ? (valueMatch[1][0] === '-' ? -Infinity : Infinity) : Number(valueMatch[1])
    samples.push({ family, name, labels, value })
  })
  for (const name of types.keys()) assert.ok(helps.has(name), `HELP for ${name}`)
  return samples
}

function valueOf (samples, name, labels = {}) {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  assert.strictEqual(found.length, 1, `one sample ${name} ${JSON.stringify(labels)}, got ${found.length}`)
  return found[0].value
}

test("metrics({ format: 'prometheus' }) is valid exposition text whose values follow the operations", async () => {
  await withDb({}, async (db) => {
    const first = parsePrometheus(db.metrics({ format: 'prometheus' }))
    assert.strictEqual(valueOf(first, 'lsmkv_operations_total', { op: 'put' }), 0)
    assert.strictEqual(valueOf(first, 'lsmkv_latency_seconds_count', { op: 'flush' }), 0)
    assert.ok(Number.isNaN(valueOf(first, 'lsmkv_latency_seconds', { op: 'flush', quantile: '0.99' })))
    for (const s of first) assert.match(s.name, /^lsmkv_/)

    const writes = []
    for (let i = 0; i < 25; i++) writes.push(db.put(`key${i}`, 'value'))
    await Promise.all(writes)
    await db.put('s', 'v', { sync: true })
    for (let i = 0; i < 64; i++) db.getSync('key1')
    await db.flush()

    const text = db.metrics({ format: 'prometheus' })
    const after = parsePrometheus(text)
    assert.strictEqual(valueOf(after, 'lsmkv_operations_total', { op: 'put' }), 26)
    assert.strictEqual(valueOf(after, 'lsmkv_operations_total', { op: 'getSync' }), 64)
    assert.strictEqual(valueOf(after, 'lsmkv_latency_seconds_count', { op: 'put' }), 26)
    assert.strictEqual(valueOf(after, 'lsmkv_latency_seconds_count', { op: 'getSync' }), 1)
    assert.strictEqual(valueOf(after, 'lsmkv_flushes_total'), 1)
    assert.strictEqual(valueOf(after, 'lsmkv_latency_seconds_count', { op: 'flush' }), 1)
    const s = db.stats()
    assert.strictEqual(valueOf(after, 'lsmkv_user_bytes_written_total'), s.bytesWritten)
    assert.strictEqual(valueOf(after, 'lsmkv_disk_bytes_written_total', { kind: 'wal' }), s.walBytes)
    assert.strictEqual(valueOf(after, 'lsmkv_disk_bytes_written_total', { kind: 'flush' }), s.flushBytes)
    assert.strictEqual(valueOf(after, 'lsmkv_level_files', { level: '0' }), 1)
    const flushP50 = valueOf(after, 'lsmkv_latency_seconds', { op: 'flush', quantile: '0.5' })
    assert.ok(flushP50 > 0 && flushP50 < 60, `flush p50 ${flushP50} s`)
    assert.strictEqual(flushP50, db.metrics().latency.flush.p50 / 1e6)
    const walSyncs = valueOf(after, 'lsmkv_operations_total', { op: 'walSync' })
    assert.strictEqual(walSyncs, s.walSyncs)
    assert.strictEqual(valueOf(after, 'lsmkv_latency_seconds_count', { op: 'walSync' }), walSyncs)
  })
})

test('Prometheus labels are added to every sample and escaped', async () => {
  await withDb({}, async (db) => {
    const tricky = 'a "quoted" \\ back\\slash\nnew line'
    const text = db.metrics({ format: 'prometheus', labels: { db: tricky, shard: '7' } })
    assert.ok(text.includes('db="a \\"quoted\\" \\\\ back\\\\slash\\nnew line"'), 'escaped in the text')
    const samples = parsePrometheus(text)
    assert.ok(samples.length > 50)
    for (const s of samples) {
      assert.strictEqual(s.labels.db, tricky)
      assert.strictEqual(s.labels.shard, '7')
    }
  })
})

test('a Prometheus scrape over HTTP', async () => {
  await withDb({}, async (db) => {
    await db.put('a', 'b')
    const server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain; version=0.0.4')
      res.end(db.metrics({ format: 'prometheus' }))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address()
      const body = await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
          assert.strictEqual(res.headers['content-type'], 'text/plain; version=0.0.4')
          let data = ''
          res.setEncoding('utf8')
          res.on('data', (chunk) => { data += chunk })
          res.on('end', () => resolve(data))
        }).on('error', reject)
      })
      assert.strictEqual(valueOf(parsePrometheus(body), 'lsmkv_operations_total', { op: 'put' }), 1)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

// --- events -----------------------------------------------------------------

test("'closing' fires once when close() is called, 'closed' once when the lock is released", async () => {
  const dir = tempDir()
  const db = await open(dir)
  await db.put('k', 'v')
  const events = []
  let reopened = null
  db.on('closing', (...args) => {
    events.push(['closing', db.status, args.length])
  })
  db.on('closed', (...args) => {
    events.push(['closed', db.status, args.length])
    // The lock is released by now: another handle can open the directory.
    reopened = open(dir)
  })
  const first = db.close()
  assert.deepStrictEqual(events, [['closing', 'closing', 0]], "'closing' fires before close() returns")
  const second = db.close()
  assert.strictEqual(first, second)
  await Promise.all([first, second])
  assert.deepStrictEqual(events, [['closing', 'closing', 0], ['closed', 'closed', 0]], "'closed' fires before close() resolves")
  await db.close()
  assert.strictEqual(events.length, 2, 'each fires once')
  const again = await reopened
  assert.strictEqual(again.getSync('k'), 'v')
  await again.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test("a throwing 'closing' / 'closed' listener does not change what close() returns", () => {
  // In a child process: the test runner treats any uncaught exception as a failure.
  const script = `
    const { open } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const seen = []
    process.on('uncaughtException', (err) => { seen.push(err.message) })
    ;(async () => {
      const db = await open(process.argv[1])
      db.on('closing', () => { throw new Error('closing listener bug') })
      db.on('closed', () => { throw new Error('closed listener bug') })
      const p = db.close()
      await p
      await new Promise((resolve) => setImmediate(resolve))
      process.stdout.write(JSON.stringify({ status: db.status, seen }))
    })()
  `
  const dir = tempDir()
  try {
    const r = spawnSync(process.execPath, ['-e', script, dir], { encoding: 'utf8' })
    assert.strictEqual(r.status, 0, r.stderr)
    assert.deepStrictEqual(JSON.parse(r.stdout), { status: 'closed', seen: ['closing listener bug', 'closed listener bug'] })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

// --- logging ----------------------------------------------------------------

function recordingLogger () {
  const lines = []
  const at = (level) => (message, record) => { lines.push({ level, message, record }) }
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

test('the logger option is validated', async () => {
  const dir = tempDir()
  await assert.rejects(open(dir, { logger: 'console' }), /Option 'logger' must be an object with debug, info, warn and error methods, got/)
  await assert.rejects(open(dir, { logger: null }), TypeError)
  await assert.rejects(open(dir, { logger: { debug () {}, info () {}, warn () {} } }), /Option 'logger' must have a error\(\) method/)
  await assert.rejects(open(dir, { loger: {} }), /did you mean 'logger'/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('the logger receives open, flush, compaction, stall and close as structured messages', async () => {
  const dir = tempDir()
  const { lines, logger } = recordingLogger()
  const db = await open(dir, { logger, memtableSize: 64 * 1024, maxImmutableMemtables: 1, testHooks: { flushDelayMs: 30 } })
  const value = 'x'.repeat(200)
  for (let b = 0; b < 10; b++) {
    await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put', key: `s${b}-${i}`, value })))
  }
  await db.compactRange()
  await db.close()
  const byEvent = (event) => lines.filter((l) => l.record.event === event)
  for (const l of lines) assert.strictEqual(l.record.location, dir)
  assert.deepStrictEqual(byEvent('open').map((l) => l.level), ['info'])
  assert.deepStrictEqual(byEvent('closing').map((l) => l.level), ['info'])
  assert.deepStrictEqual(byEvent('closed').map((l) => l.level), ['info'])
  const flushes = byEvent('flush')
  assert.ok(flushes.length > 0)
  assert.ok(flushes.every((l) => l.level === 'debug' && typeof l.record.fileNumber === 'number' && typeof l.message === 'string'))
  const compactions = byEvent('compaction')
  assert.ok(compactions.length > 0)
  assert.ok(compactions.every((l) => typeof l.record.micros === 'number' && typeof l.record.outputBytes === 'number'))
  const stalls = byEvent('stall')
  assert.ok(stalls.length > 0)
  assert.ok(stalls.every((l) => l.level === 'warn' && l.record.reason === 'immutable-queue-full'))
  assert.ok(byEvent('group-commit').length >= 10)
  const order = lines.map((l) => l.record.event).filter((e) => e === 'open' || e === 'closing' || e === 'closed')
  assert.deepStrictEqual(order, ['open', 'closing', 'closed'])
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a failed open is logged as an error; a throwing logger is ignored', async () => {
  const dir = tempDir()
  const holder = await open(dir)
  const { lines, logger } = recordingLogger()
  await assert.rejects(open(dir, { logger }), (err) => err.code === 'LOCKED')
  assert.strictEqual(lines.length, 1)
  assert.strictEqual(lines[0].level, 'error')
  assert.strictEqual(lines[0].record.event, 'open-failed')
  assert.strictEqual(lines[0].record.code, 'LOCKED')
  await holder.close()
  const thrower = () => { throw new Error('logger bug') }
  const db = await open(dir, { logger: { debug: thrower, info: thrower, warn: thrower, error: thrower } })
  await db.put('k', 'v')
  await db.flush()
  await db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

// --- silence and NODE_DEBUG -----------------------------------------------

const CYCLE = `
const { open } = require(${JSON.stringify(path.join(__dirname, '..'))})
;(async () => {
  const db = await open(process.argv[1])
  await db.put('a', '1')
  await db.batch([{ type: 'put', key: 'b', value: '2' }, { type: 'del', key: 'a' }])
  await db.put('c', '3', { sync: true })
  db.getSync('b'); await db.get('c')
  for (const entry of db.iterator()) void entry
  await db.flush()
  await db.compactRange()
  db.metrics(); db.metrics({ format: 'prometheus' })
  await db.close()
})().catch((err) => { process.exitCode = 3; throw err })
`

function runCycle (env) {
  const dir = tempDir()
  try {
    const r = spawnSync(process.execPath, ['-e', CYCLE, dir], { env, encoding: 'utf8' })
    assert.strictEqual(r.status, 0, r.stderr)
    return r
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

test('a normal open / write / read / close cycle prints nothing', () => {
  const env = { ...process.env }
  delete env.NODE_DEBUG
  const r = runCycle(env)
  assert.strictEqual(r.stdout, '')
  assert.strictEqual(r.stderr, '')
})

test('NODE_DEBUG=lsmkv logs open, flush, compaction and close to stderr', () => {
  const r = runCycle({ ...process.env, NODE_DEBUG: 'lsmkv' })
  assert.strictEqual(r.stdout, '')
  for (const event of ['open', 'group-commit', 'flush', 'compaction', 'closing', 'closed']) {
    assert.match(r.stderr, new RegExp(`^LSMKV \\d+: \\w+: .*"event":"${event}"`, 'm'), event)
  }
})
