#!/usr/bin/env node
'use strict'
// bench/run.js — owns the command line, the run loop, the printed tables, the JSON results and
// the HTML chart. By default the physical-limit probe runs first, then each engine runs in its
// own child process (one after another, each in its own fresh temp directory), so CPU time, peak
// RSS and disk bytes written are that engine's alone; --in-process runs them all in this one.
// `npm run bench -- --help` for options.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { fork } = require('node:child_process')
const { ENGINE_NAMES, createEngine } = require('./engines')
const { WORKLOADS, workloadLabel, Runner, ENTRY_BYTES } = require('./workloads')
const { KEY_SIZE, VALUE_SIZE, collectGarbage, fmtInt, fmtBytes, fmtUs, environment } = require('./util')
const { runProbe, limits } = require('./probe')
const { renderHtml, renderSvg } = require('./chart')

const LARGE_N = 5_000_000

const HELP = `usage: node bench/run.js [options]
  --n N              keys per fill / key space (default 1000000, env BENCH_N)
  --large            the large tier: --n ${LARGE_N}
  --sync-n M         durable puts in fillsync with 1 writer (default max(2000, N/100), env BENCH_SYNC_N);
                     fillsync with C in flight and fillput (non-durable puts, each awaited) make
                     5 x M, so that they too run long enough to measure
  --reads R          gets per read workload (default N, env BENCH_READS)
  --batch B          puts per batch in fillseq/fillrandom/overwrite (default 1000)
  --concurrency C    operations in flight for fillsync and async gets (default 64)
  --write-rate W     puts/s of readwhilewriting's writer (default 10000)
  --keys FORM        'buffer' (default) or 'string': how keys are passed to every engine
  --seed S           PRNG seed (default 42)
  --only LIST        engines, comma separated (${ENGINE_NAMES.join(',')})
  --workloads LIST   workloads, comma separated (${WORKLOADS.map((w) => w.name).join(',')})
  --in-process       run every engine in this process (default: one child process per engine)
  --rounds K         run every engine K times, alternating the engine order between rounds, and
                     report each workload's median round (default 1); the summary then also shows
                     the spread of the per-round ratios
  --no-probe         skip the physical-limit probe
  --lsmkv JSON       extra open options for lsmkv only, e.g. '{"compression":false}'
  --out FILE         JSON results (default bench/results/latest.json); the HTML report (.html)
                     and the throughput chart alone (.svg) go next to it`

const BOOLEAN_FLAGS = ['help', 'large', 'in-process', 'no-probe']

function parseArgs (argv) {
  const flags = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') { flags.help = true; continue }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!m) throw new Error(`unexpected argument ${arg}`)
    if (BOOLEAN_FLAGS.includes(m[1]) && m[2] === undefined) { flags[m[1]] = true; continue }
    flags[m[1]] = m[2] !== undefined ? m[2] : argv[++i]
    if (flags[m[1]] === undefined) throw new Error(`--${m[1]} needs a value`)
  }
  const int = (name, value, fallback, min = 1) => {
    if (value === undefined || value === '') return fallback
    const x = Number(String(value).replace(/_/g, ''))
    if (!Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer >= ${min}, got ${value}`)
    return x
  }
  const list = (name, value, known) => {
    if (value === undefined) return known
    const items = value.split(',').map((s) => s.trim()).filter(Boolean)
    const bad = items.filter((s) => !known.includes(s))
    if (bad.length) throw new Error(`--${name}: unknown ${bad.join(', ')} (known: ${known.join(', ')})`)
    return known.filter((s) => items.includes(s))
  }
  const known = ['n', 'sync-n', 'reads', 'batch', 'concurrency', 'write-rate', 'keys', 'seed', 'only', 'workloads', 'lsmkv', 'rounds', 'out', ...BOOLEAN_FLAGS]
  const unknown = Object.keys(flags).filter((k) => !known.includes(k))
  if (unknown.length) throw new Error(`unknown option --${unknown[0]}\n${HELP}`)

  if (flags.large && flags.n !== undefined) throw new Error('--large and --n are exclusive')
  const n = flags.large ? LARGE_N : int('n', flags.n ?? process.env.BENCH_N, 1_000_000)
  const keyForm = flags.keys ?? 'buffer'
  if (keyForm !== 'buffer' && keyForm !== 'string') throw new Error(`--keys must be buffer or string, got ${keyForm}`)
  if (n >= 10 ** KEY_SIZE) throw new Error('--n too large for 16-digit keys')
  let lsmkvOptions = {}
  if (flags.lsmkv !== undefined) {
    try { lsmkvOptions = JSON.parse(flags.lsmkv) } catch (err) { throw new Error(`--lsmkv must be a JSON object: ${err.message}`) }
    if (lsmkvOptions === null || typeof lsmkvOptions !== 'object' || Array.isArray(lsmkvOptions)) throw new Error('--lsmkv must be a JSON object')
  }
  const syncN = int('sync-n', flags['sync-n'] ?? process.env.BENCH_SYNC_N, Math.max(2000, Math.floor(n / 100)))
  return {
    help: !!flags.help,
    n,
    syncN,
    // Group commit makes the in-flight run ~30x faster than the 1-writer run: at M puts it would
    // last ~50 ms here, short enough for one slow fdatasync to move its result by a third.
    syncGroupN: syncN * 5,
    reads: int('reads', flags.reads ?? process.env.BENCH_READS, n),
    batch: int('batch', flags.batch, 1000),
    concurrency: int('concurrency', flags.concurrency, 64),
    writeRate: int('write-rate', flags['write-rate'], 10000),
    keyForm,
    lsmkvOptions,
    seed: int('seed', flags.seed, 42, 0),
    engines: list('only', flags.only, ENGINE_NAMES),
    workloads: list('workloads', flags.workloads, WORKLOADS.map((w) => w.name)),
    inProcess: !!flags['in-process'],
    rounds: int('rounds', flags.rounds, 1),
    probe: !flags['no-probe'],
    out: flags.out ?? path.join(__dirname, 'results', 'latest.json')
  }
}

const log = (...args) => console.error(...args) // progress on stderr, the tables on stdout

function table (rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  const line = (r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

const engineMeta = (e) => ({ name: e.name, version: e.version ?? null, fill: e.fill, durable: e.durable, notes: e.notes })

// Runs the selected workloads of one engine in this process; onResult(workload, result) after each.
async function runEngine (engine, cfg, root, onResult) {
  const runner = new Runner(engine, cfg, fs.mkdtempSync(path.join(root, engine.name + '-')))
  try {
    for (const w of WORKLOADS.filter((w) => cfg.workloads.includes(w.name))) {
      collectGarbage()
      let r
      try {
        r = await w.run(runner)
      } catch (err) { // keep the other engines' numbers; skip this engine's remaining workloads
        onResult(w.name, { error: String(err && err.stack ? err.stack : err) })
        log(`${engine.name} ${w.name} failed:`, err)
        break
      }
      delete r.diskWriteBytesAtStop
      onResult(w.name, r)
      const lat = r.latency
      log(`${engine.name.padEnd(14)} ${w.name.padEnd(16)} ` + (r.skipped
        ? `n/a (${r.skipped})`
        : `${fmtInt(r.opsPerSec).padStart(11)} ops/s ${r.elapsedMs.toFixed(0).padStart(7)} ms` +
          (lat ? `  p50 ${fmtUs(lat.p50Us)} p99 ${fmtUs(lat.p99Us)} p99.9 ${fmtUs(lat.p999Us)}` : '') +
          `  cpu ${r.cpuMs.toFixed(0)} ms  peak RSS ${r.peakRssMiB} MiB` +
          (r.writeAmp !== undefined ? `  wamp ${r.writeAmp.toFixed(2)}` : '') +
          `${r.prefilled ? ' (prefilled untimed)' : ''}${r.error ? ' ' + r.error : ''}`))
    }
  } finally {
    await runner.close().catch((err) => log(`${engine.name} close failed:`, err))
  }
}

// The child side of the one-process-per-engine mode: cfg and engine come from the parent.
async function childMain () {
  const { cfg, engineName, root } = JSON.parse(process.env.LSMKV_BENCH_CHILD)
  const send = (msg) => new Promise((resolve) => process.send(msg, resolve))
  const engine = createEngine(engineName)
  const reason = engine.load()
  if (reason) { await send({ type: 'skip', reason }); return }
  await send({ type: 'meta', meta: engineMeta(engine) })
  const pending = []
  await runEngine(engine, cfg, root, (workload, result) => pending.push(send({ type: 'result', workload, result })))
  await Promise.all(pending)
  await send({ type: 'done' })
}

// Runs the engine in this process; resolves like runEngineChild.
async function runEngineInProcess (name, cfg, root) {
  const engine = createEngine(name)
  const reason = engine.load()
  if (reason) return { skip: reason }
  const results = {}
  await runEngine(engine, cfg, root, (w, r) => { results[w] = r })
  return { meta: engineMeta(engine), results }
}

// Forks one child for the engine; resolves with { meta, results } or { skip }.
function runEngineChild (name, cfg, root) {
  return new Promise((resolve) => {
    const out = { meta: null, results: {}, skip: null, done: false }
    const child = fork(__filename, [], {
      env: { ...process.env, LSMKV_BENCH_CHILD: JSON.stringify({ cfg, engineName: name, root }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    child.on('message', (msg) => {
      if (msg.type === 'skip') out.skip = msg.reason
      else if (msg.type === 'meta') out.meta = msg.meta
      else if (msg.type === 'result') out.results[msg.workload] = msg.result
      else if (msg.type === 'done') out.done = true
    })
    child.on('exit', (code, signal) => {
      if (!out.done && !out.skip) {
        // Crashed (e.g. an uncaught error thrown from a native callback): mark the workload
        // that was running; the ones after it stay absent.
        const next = cfg.workloads.find((w) => !out.results[w])
        const why = `child process exited (${signal || 'code ' + code}) during this workload`
        if (next) out.results[next] = { error: why }
        log(`${name}: ${why}${next ? ' ' + next : ''}`)
        if (!out.meta) out.skip = why
      }
      resolve(out)
    })
  })
}

// Each round's lsmkv / best-peer ratio for a workload (rounds where lsmkv and a peer both ran).
function roundRatios (workload, names, results) {
  const mine = results.lsmkv?.[workload]?.rounds ?? []
  const peers = names.filter((x) => x !== 'lsmkv').map((p) => results[p]?.[workload]?.rounds ?? [])
  const out = []
  mine.forEach((ops, i) => {
    const best = Math.max(0, ...peers.map((r) => r[i] ?? 0))
    if (ops && best) out.push(ops / best)
  })
  return out
}

// Folds K rounds of one engine's results into one: per workload, the round with the median
// ops/s (the lower median for even K), with every round's ops/s in round order as `rounds`
// (null where that round failed or skipped it).
function medianRounds (rounds) {
  const merged = {}
  for (const w of new Set(rounds.flatMap((r) => Object.keys(r)))) {
    const all = rounds.map((r) => r[w])
    const ok = all.filter((r) => r?.opsPerSec !== undefined).sort((a, b) => a.opsPerSec - b.opsPerSec)
    const pick = ok.length ? ok[Math.floor((ok.length - 1) / 2)] : all.find(Boolean)
    merged[w] = { ...pick, rounds: all.map((r) => r?.opsPerSec ?? null) }
  }
  return merged
}

function summaryTable (cfg, names, results, lim) {
  const peers = names.filter((x) => x !== 'lsmkv')
  const header = ['ops/s', 'writes', ...names]
  const hasRatio = names.includes('lsmkv') && peers.length > 0
  if (hasRatio) header.push('lsmkv/best peer')
  const spread = hasRatio && cfg.rounds > 1
  if (spread) header.push(`per-round ratios (${cfg.rounds})`)
  if (names.includes('lsmkv')) header.push('lsmkv % of limit')
  const rows = [header]
  for (const w of WORKLOADS.filter((w) => cfg.workloads.includes(w.name))) {
    const cell = (name) => {
      const r = results[name]?.[w.name]
      if (!r) return '-'
      if (r.skipped) return 'n/a'
      if (r.opsPerSec === undefined) return 'failed'
      return fmtInt(r.opsPerSec) + (r.error ? ' (!)' : '')
    }
    const row = [workloadLabel(w, cfg), w.durability ?? '-', ...names.map(cell)]
    const mine = results.lsmkv?.[w.name]
    if (hasRatio) {
      const best = Math.max(0, ...peers.map((p) => results[p]?.[w.name]?.opsPerSec ?? 0))
      row.push(mine?.opsPerSec && best ? (mine.opsPerSec / best).toFixed(2) + 'x' : '-')
    }
    if (spread) {
      const ratios = roundRatios(w.name, names, results)
      row.push(ratios.length ? `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x` : '-')
    }
    if (names.includes('lsmkv')) {
      const l = w.limit && lim[w.limit]
      row.push(mine?.opsPerSec && l ? (100 * mine.opsPerSec / l.opsPerSec).toFixed(1) + '%' : '-')
    }
    rows.push(row)
  }
  return table(rows)
}

function detailTable (cfg, names, results) {
  const rows = [['workload', 'engine', 'ops/s', 'latency unit', 'p50', 'p99', 'p99.9', 'CPU/op', 'CPU util', 'peak RSS', 'RSS growth', 'disk write', 'w-amp', 'dir size']]
  for (const w of WORKLOADS.filter((w) => cfg.workloads.includes(w.name))) {
    for (const name of names) {
      const r = results[name]?.[w.name]
      if (!r || r.opsPerSec === undefined) continue
      const l = r.latency || {}
      rows.push([
        w.name, name, fmtInt(r.opsPerSec), l.unit ? l.unit + (l.stride > 1 ? ` (1/${l.stride})` : '') : '-',
        fmtUs(l.p50Us), fmtUs(l.p99Us), fmtUs(l.p999Us),
        fmtUs(r.cpuPerOpUs), (100 * r.cpuMs / r.elapsedMs).toFixed(0) + '%',
        r.peakRssMiB + ' MiB', (r.peakRssMiB - r.rssStartMiB).toFixed(1) + ' MiB', fmtBytes(r.diskWriteBytes), r.writeAmp !== undefined ? r.writeAmp.toFixed(2) : '-',
        r.dirBytes !== undefined ? fmtBytes(r.dirBytes) : '-'
      ])
    }
  }
  return table(rows)
}

function probeLines (probe, lim) {
  if (!probe) return ['physical limits: not probed (--no-probe)']
  const out = [`physical limits of this machine (probed in ${probe.seconds.toFixed(1)} s):`]
  out.push(`  disk sequential write: ${probe.disk.mbPerSec.toFixed(0)} MB/s (256 MiB of 1 MiB write()s + fdatasync)`)
  for (const s of probe.sync) {
    out.push(`  pwrite ${s.size} B + fdatasync (group of ${s.group} put${s.group > 1 ? 's' : ''}): p50 ${fmtUs(s.p50Us)}, p99 ${fmtUs(s.p99Us)}, mean ${fmtUs(s.meanUs)}`)
  }
  if (probe.napi.skipped) out.push(`  N-API call: not measured (${probe.napi.skipped})`)
  else out.push(`  N-API call: empty ${fmtUs(probe.napi.emptyNs / 1000)}, with one Buffer argument read ${fmtUs(probe.napi.oneArgNs / 1000)}`)
  out.push(`  memcpy (Buffer.copy): ${probe.memcpy.gbPerSec.toFixed(1)} GB/s for 64 MiB; ${fmtUs(probe.memcpy.copy100Ns / 1000)} per 100 B copy`)
  out.push('  limits used for "% of limit":')
  for (const [k, l] of Object.entries(lim)) out.push(`    ${k.padEnd(10)} ${fmtInt(l.opsPerSec).padStart(12)} ops/s  ${l.how}`)
  return out
}

function report (cfg, engines, results, probe, lim) {
  const names = engines.map((e) => e.name)
  const env = environment()
  const out = [
    '',
    `lsmkv benchmark: N=${fmtInt(cfg.n)} keys of ${KEY_SIZE} B ('%016d', passed as ${cfg.keyForm}s), ` +
      `values ${VALUE_SIZE} B (~50% compressible), seed ${cfg.seed}` +
      (Object.keys(cfg.lsmkvOptions).length > 0 ? `; lsmkv opened with ${JSON.stringify(cfg.lsmkvOptions)}` : ''),
    `fill*/overwrite: batches of ${cfg.batch}, one at a time; fillput: ${fmtInt(cfg.syncGroupN)} puts, each awaited; ` +
      `fillsync: ${fmtInt(cfg.syncN)} puts by 1 writer, ` +
      `${fmtInt(cfg.syncGroupN)} with ${cfg.concurrency} in flight; reads: ${fmtInt(cfg.reads)} uniform random keys ` +
      `(async: ${cfg.concurrency} in flight; readmissing: absent keys inside the key range; readhot: first 1%); ` +
      `getMany: 100 keys a call, one call at a time; readwhilewriting: ${cfg.writeRate} puts/s by one writer on the same event loop`,
    `${env.node}, ${env.cpus} x ${env.cpuModel}, ${env.platform}, tmpdir ${env.tmpdir}; ` +
      (cfg.inProcess ? 'all engines in one process' : 'one child process per engine') +
      (cfg.rounds > 1 ? `; ${cfg.rounds} rounds, engine order alternating, each cell the median round` : ''),
    'durability ("writes" column) — fill: survives a process crash but not a power loss; sync: durable (fsync) before ack:'
  ]
  for (const e of engines) out.push(`  ${e.name.padEnd(14)} fill: ${e.fill}; sync: ${e.durable}`)
  out.push('notes:')
  for (const e of engines) out.push(`  ${e.name.padEnd(14)} ${e.version ? 'v' + e.version + '; ' : ''}${e.notes}`)
  out.push('', ...probeLines(probe, lim))
  out.push('', summaryTable(cfg, names, results, lim))
  out.push('', 'details — latency is per op unless the unit says otherwise; (1/k): one op in k timed; ' +
    'CPU includes background threads; peak RSS: VmHWM over the workload (includes the harness\'s prepared keys, ~100-250 MiB at N=1M); RSS growth: peak - RSS at its start; ' +
    'disk write: /proc/self/io write_bytes in the timed region; w-amp = (disk write + background writes until the disk goes quiet after the workload) / (writes x 116 B); dir size after the workload', '')
  out.push(detailTable(cfg, names, results))
  const errors = names.flatMap((name) => Object.entries(results[name] || {})
    .filter(([, r]) => r.error).map(([w, r]) => `  (!) ${name} ${w}: ${r.error.split('\n')[0]}`))
  if (errors.length) out.push('', ...errors)
  return out.join('\n')
}

async function main () {
  if (process.env.LSMKV_BENCH_CHILD) return childMain()
  let cfg
  try {
    cfg = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(err.message)
    process.exit(2)
  }
  if (cfg.help) { console.log(HELP); return }

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-bench-'))
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true })
  process.once('exit', cleanup) // also after an uncaught error thrown from a native callback
  process.once('SIGINT', () => process.exit(130))

  const started = Date.now()
  const engines = []
  const skipped = {}
  const results = {}
  let probe = null
  try {
    if (cfg.probe) probe = runProbe({ dir: root, groups: [...new Set([1, cfg.concurrency])], entryBytes: ENTRY_BYTES, log })
    const rounds = {} // engine name -> [results of each round]
    for (let round = 0; round < cfg.rounds; round++) {
      const order = round % 2 === 0 ? cfg.engines : [...cfg.engines].reverse()
      if (cfg.rounds > 1) log(`round ${round + 1} of ${cfg.rounds}: ${order.join(', ')}`)
      for (const name of order) {
        if (skipped[name]) continue
        const out = await (cfg.inProcess ? runEngineInProcess : runEngineChild)(name, cfg, root)
        if (out.skip) { skipped[name] = out.skip; log(`skipping ${name}: ${out.skip}`); continue }
        if (!rounds[name]) { rounds[name] = []; engines.push(out.meta) }
        rounds[name][round] = out.results
      }
    }
    // Engines in the order asked for, whatever order the rounds ran them in.
    engines.sort((a, b) => cfg.engines.indexOf(a.name) - cfg.engines.indexOf(b.name))
    for (const name of Object.keys(rounds)) {
      results[name] = cfg.rounds > 1 ? medianRounds(Array.from(rounds[name], (r) => r ?? {})) : rounds[name][0]
    }
  } finally {
    cleanup()
  }
  if (!engines.length) { console.error('no engine ran'); process.exit(1) }

  const lim = limits(probe, cfg, ENTRY_BYTES)
  console.log(report(cfg, engines, results, probe, lim))
  const { help, out, ...config } = cfg
  const json = {
    date: new Date().toISOString(),
    totalSeconds: (Date.now() - started) / 1000,
    env: environment(),
    config: { ...config, keySize: KEY_SIZE, valueSize: VALUE_SIZE },
    probe,
    limits: lim,
    workloads: WORKLOADS.filter((w) => cfg.workloads.includes(w.name))
      .map((w) => ({ name: w.name, label: workloadLabel(w, cfg), durability: w.durability, limit: w.limit })),
    engines: Object.fromEntries(engines.map((e) => [e.name, {
      version: e.version, fill: e.fill, fillsync: e.durable, notes: e.notes, workloads: results[e.name]
    }])),
    skipped
  }
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(json, null, 2) + '\n')
  const base = out.replace(/\.json$/, '')
  fs.writeFileSync(base + '.html', renderHtml(json))
  fs.writeFileSync(base + '.svg', renderSvg(json)) // the throughput chart alone, e.g. for the README
  const rel = (p) => path.relative(process.cwd(), p) || p
  log(`\nresults written to ${rel(out)}, ${rel(base + '.html')} (chart) and ${rel(base + '.svg')} (${json.totalSeconds.toFixed(1)} s total)`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
