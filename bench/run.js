#!/usr/bin/env node
'use strict'
// bench/run.js — owns the command line, the run loop (each engine, one after another, runs the
// selected workloads in this process, in its own fresh temp directory), the printed table and
// bench/results/latest.json. `npm run bench -- --help` for options.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ENGINE_NAMES, createEngine } = require('./engines')
const { WORKLOADS, Runner } = require('./workloads')
const { KEY_SIZE, VALUE_SIZE, collectGarbage, fmtInt, environment } = require('./util')

const HELP = `usage: node bench/run.js [options]
  --n N              keys per fill / key space (default 1000000, env BENCH_N)
  --sync-n M         durable puts in fillsync (default max(2000, N/100), env BENCH_SYNC_N)
  --reads R          gets per read workload (default N, env BENCH_READS)
  --batch B          puts per batch in fillseq/fillrandom (default 1000)
  --concurrency C    operations in flight for fillsync and async gets (default 32)
  --keys FORM        'buffer' (default) or 'string': how keys are passed to every engine
  --seed S           PRNG seed (default 42)
  --only LIST        engines, comma separated (${ENGINE_NAMES.join(',')})
  --workloads LIST   workloads, comma separated (${WORKLOADS.map((w) => w.name).join(',')})
  --out FILE         JSON results (default bench/results/latest.json)`

function parseArgs (argv) {
  const flags = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') { flags.help = true; continue }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!m) throw new Error(`unexpected argument ${arg}`)
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
  const known = ['help', 'n', 'sync-n', 'reads', 'batch', 'concurrency', 'keys', 'seed', 'only', 'workloads', 'out']
  const unknown = Object.keys(flags).filter((k) => !known.includes(k))
  if (unknown.length) throw new Error(`unknown option --${unknown[0]}\n${HELP}`)

  const n = int('n', flags.n ?? process.env.BENCH_N, 1_000_000)
  const keyForm = flags.keys ?? 'buffer'
  if (keyForm !== 'buffer' && keyForm !== 'string') throw new Error(`--keys must be buffer or string, got ${keyForm}`)
  if (n >= 10 ** KEY_SIZE) throw new Error('--n too large for 16-digit keys')
  return {
    help: !!flags.help,
    n,
    syncN: int('sync-n', flags['sync-n'] ?? process.env.BENCH_SYNC_N, Math.max(2000, Math.floor(n / 100))),
    reads: int('reads', flags.reads ?? process.env.BENCH_READS, n),
    batch: int('batch', flags.batch, 1000),
    concurrency: int('concurrency', flags.concurrency, 32),
    keyForm,
    seed: int('seed', flags.seed, 42, 0),
    engines: list('only', flags.only, ENGINE_NAMES),
    workloads: list('workloads', flags.workloads, WORKLOADS.map((w) => w.name)),
    out: flags.out ?? path.join(__dirname, 'results', 'latest.json')
  }
}

const log = (...args) => console.error(...args) // progress on stderr, the table on stdout

function table (rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  const line = (r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

function report (cfg, engines, results) {
  const names = engines.map((e) => e.name)
  const peers = names.filter((x) => x !== 'lsmkv')
  const header = ['ops/s', ...names]
  if (names.includes('lsmkv') && peers.length) header.push('lsmkv / best peer')
  const rows = [header]
  for (const w of WORKLOADS.filter((w) => cfg.workloads.includes(w.name))) {
    const cell = (name) => {
      const r = results[name][w.name]
      if (!r) return '-'
      if (r.skipped) return 'n/a'
      if (r.opsPerSec === undefined) return 'failed'
      return fmtInt(r.opsPerSec) + (r.error ? ' (!)' : '')
    }
    const row = [w.label, ...names.map(cell)]
    if (header.length > names.length + 1) {
      const mine = results.lsmkv[w.name]
      const best = Math.max(0, ...peers.map((p) => results[p][w.name]?.opsPerSec ?? 0))
      row.push(mine?.opsPerSec && best ? (mine.opsPerSec / best).toFixed(2) + 'x' : '-')
    }
    rows.push(row)
  }
  const env = environment()
  const out = [
    '',
    `lsmkv benchmark: N=${fmtInt(cfg.n)} keys of ${KEY_SIZE} B ('%016d', passed as ${cfg.keyForm}s), ` +
      `values ${VALUE_SIZE} B (~50% compressible), seed ${cfg.seed}`,
    `fill*: batches of ${cfg.batch}, one at a time; fillsync: ${fmtInt(cfg.syncN)} puts, ` +
      `${cfg.concurrency} in flight; reads: ${fmtInt(cfg.reads)} uniform random keys ` +
      `(async: ${cfg.concurrency} in flight; readmissing: absent keys inside the key range)`,
    `${env.node}, ${env.cpus} x ${env.cpuModel}, ${env.platform}, tmpdir ${env.tmpdir}`,
    'durability — fill* survive a process crash but not a power loss; fillsync is durable (fsync) before ack:'
  ]
  for (const e of engines) out.push(`  ${e.name.padEnd(14)} fill*: ${e.fill}; fillsync: ${e.durable}`)
  out.push('notes:')
  for (const e of engines) out.push(`  ${e.name.padEnd(14)} ${e.version ? 'v' + e.version + '; ' : ''}${e.notes}`)
  out.push('', table(rows))
  const errors = names.flatMap((name) => Object.entries(results[name])
    .filter(([, r]) => r.error).map(([w, r]) => `  (!) ${name} ${w}: ${r.error.split('\n')[0]}`))
  if (errors.length) out.push('', ...errors)
  return out.join('\n')
}

async function main () {
  let cfg
  try {
    cfg = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(err.message)
    process.exit(2)
  }
  if (cfg.help) { console.log(HELP); return }

  const engines = []
  const skipped = {}
  for (const name of cfg.engines) {
    const engine = createEngine(name)
    const reason = engine.load()
    if (reason) {
      skipped[name] = reason
      log(`skipping ${name}: ${reason}`)
    } else engines.push(engine)
  }
  if (!engines.length) { console.error('no engine to run'); process.exit(1) }

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-bench-'))
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true })
  process.once('exit', cleanup) // also after an uncaught error thrown from a native callback
  process.once('SIGINT', () => process.exit(130))

  const results = {}
  const started = Date.now()
  try {
    for (const engine of engines) {
      results[engine.name] = {}
      const runner = new Runner(engine, cfg, fs.mkdtempSync(path.join(root, engine.name + '-')))
      try {
        for (const w of WORKLOADS.filter((w) => cfg.workloads.includes(w.name))) {
          collectGarbage()
          let r
          try {
            r = await w.run(runner)
          } catch (err) { // keep the other engines' numbers; skip this engine's remaining workloads
            results[engine.name][w.name] = { error: String(err && err.stack ? err.stack : err) }
            log(`${engine.name} ${w.name} failed:`, err)
            break
          }
          results[engine.name][w.name] = r
          log(`${engine.name.padEnd(14)} ${w.name.padEnd(16)} ` + (r.skipped
            ? `n/a (${r.skipped})`
            : `${fmtInt(r.opsPerSec).padStart(11)} ops/s ${r.elapsedMs.toFixed(0).padStart(7)} ms${r.prefilled ? ' (prefilled untimed)' : ''}${r.error ? ' ' + r.error : ''}`))
        }
      } finally {
        await runner.close().catch((err) => log(`${engine.name} close failed:`, err))
      }
    }
  } finally {
    cleanup()
  }

  console.log(report(cfg, engines, results))
  const { help, out, ...config } = cfg
  const json = {
    date: new Date().toISOString(),
    totalSeconds: (Date.now() - started) / 1000,
    env: environment(),
    config: { ...config, keySize: KEY_SIZE, valueSize: VALUE_SIZE },
    engines: Object.fromEntries(engines.map((e) => [e.name, {
      version: e.version ?? null, fill: e.fill, fillsync: e.durable, notes: e.notes, workloads: results[e.name]
    }])),
    skipped
  }
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(json, null, 2) + '\n')
  log(`\nresults written to ${path.relative(process.cwd(), out) || out} (${json.totalSeconds.toFixed(1)} s total)`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
