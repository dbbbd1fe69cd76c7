#!/usr/bin/env node
// `npm run test:fuzz`: builds the libFuzzer targets (test/fuzz, CMake option
// LSM_FUZZ with clang++) in build/fuzz, checks the checked-in seed corpus is
// what the generator writes, replays every corpus file (regression), then
// fuzzes each target for LSM_FUZZ_SECONDS (default 30) seconds. New inputs
// go to a temp dir, never into test/fuzz/corpus (on a failure the temp dir
// is kept: it holds the crashing input). Fails on any crash, leak,
// sanitizer report, timeout or FUZZ_CHECK; prints one [fuzz] line per target
// with runs, corpus size and coverage.
//
//   LSM_FUZZ_SECONDS=N     seconds per target (0: build and replay only)
//   LSM_FUZZ_TARGETS=a,b   only these targets
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const buildDir = path.join(root, 'build', 'fuzz')
const binDir = path.join(buildDir, 'test', 'fuzz')
const corpusRoot = path.join(root, 'test', 'fuzz', 'corpus')
const seconds = Number(process.env.LSM_FUZZ_SECONDS ?? 30)
// Inputs a little larger than the biggest seed of each kind.
const TARGETS = {
  log_reader: { maxLen: 8192 },
  table: { maxLen: 16384 },
  block: { maxLen: 4096 },
  manifest: { maxLen: 4096 },
  write_batch: { maxLen: 4096 },
  lz: { maxLen: 8192 }
}
const only = process.env.LSM_FUZZ_TARGETS ? process.env.LSM_FUZZ_TARGETS.split(',') : Object.keys(TARGETS)
const jobs = String(Math.min(2, os.availableParallelism ? os.availableParallelism() : os.cpus().length))

if (!Number.isFinite(seconds) || seconds < 0) {
  console.error(`test:fuzz: LSM_FUZZ_SECONDS must be a number >= 0, got '${process.env.LSM_FUZZ_SECONDS}'`)
  process.exit(1)
}
for (const t of only) {
  if (!TARGETS[t]) {
    console.error(`test:fuzz: unknown target '${t}' in LSM_FUZZ_TARGETS (known: ${Object.keys(TARGETS).join(', ')})`)
    process.exit(1)
  }
}

function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.error) {
    console.error(`test:fuzz: cannot run ${cmd}: ${r.error.message} (needs cmake, clang++ and libclang-rt-14-dev)`)
    process.exit(1)
  }
  if (r.status !== 0) process.exit(r.status || 1)
  return r
}

// libFuzzer's output, kept whole on failure; figures parsed from it.
function fuzzer (target, args) {
  const r = spawnSync(path.join(binDir, `${target}_fuzz`), args, { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 })
  const out = (r.stdout || '') + (r.stderr || '')
  const sanitizer = /ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|FUZZ_CHECK failed|ERROR: libFuzzer/.test(out)
  if (r.error || r.status !== 0 || sanitizer) {
    process.stderr.write(out)
    console.error(`test:fuzz: ${target} failed (exit ${r.status}${r.signal ? ', ' + r.signal : ''}); ` +
      'the input is saved as crash-*/leak-*/timeout-* in the artifact dir above. Fix the engine, then ' +
      `add the input as test/fuzz/corpus/${target}/regress-<what>.`)
    process.exit(1)
  }
  return out
}

function stat (out, name) {
  const m = out.match(new RegExp(`stat::${name}:\\s*(\\d+)`))
  return m ? Number(m[1]) : 0
}

function lastStatus (out) {
  const lines = out.split('\n').filter(l => /^#\d+\s+(DONE|INITED)/.test(l))
  const m = (lines.at(-1) || '').match(/cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+)/)
  return m ? { cov: +m[1], ft: +m[2], corp: +m[3], bytes: m[4] } : { cov: 0, ft: 0, corp: 0, bytes: '0b' }
}

function filesIn (dir) {
  return fs.readdirSync(dir).filter(f => fs.statSync(path.join(dir, f)).isFile())
}

run('cmake', ['-S', root, '-B', buildDir, '-DLSM_FUZZ=ON', '-DCMAKE_CXX_COMPILER=clang++', '-DCMAKE_BUILD_TYPE=Debug'])
run('cmake', ['--build', buildDir, '-j', jobs])

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-fuzz-'))
try {
  // The generated part of the corpus must be what the generator writes now
  // (regress-* seeds are added by hand and are not generated).
  const regen = path.join(tmp, 'regen')
  for (const t of Object.keys(TARGETS)) fs.mkdirSync(path.join(regen, t), { recursive: true })
  run(path.join(binDir, 'lsm_fuzz_corpus'), [regen])
  const stale = []
  for (const t of Object.keys(TARGETS)) {
    for (const f of filesIn(path.join(regen, t))) {
      const checkedIn = path.join(corpusRoot, t, f)
      if (!fs.existsSync(checkedIn) || !fs.readFileSync(checkedIn).equals(fs.readFileSync(path.join(regen, t, f)))) {
        stale.push(`${t}/${f}`)
      }
    }
  }
  if (stale.length > 0) {
    console.error(`test:fuzz: test/fuzz/corpus is stale (${stale.join(', ')}); regenerate it with ` +
      'build/fuzz/test/fuzz/lsm_fuzz_corpus test/fuzz/corpus')
    process.exit(1)
  }

  const rows = []
  for (const t of only) {
    const seeds = path.join(corpusRoot, t)
    const artifacts = path.join(tmp, 'artifacts', t) + path.sep
    fs.mkdirSync(artifacts, { recursive: true })
    const common = [`-artifact_prefix=${artifacts}`, '-timeout=10', '-rss_limit_mb=1536', '-print_final_stats=1']

    // Regression: every checked-in input, once.
    const replay = fuzzer(t, [...common, '-runs=0', seeds])
    const seedCount = filesIn(seeds).length
    const row = { target: t, seeds: seedCount, replayCov: lastStatus(replay).cov }

    if (seconds > 0) {
      // The first dir receives new inputs; the checked-in one only seeds.
      const work = path.join(tmp, 'corpus', t)
      fs.mkdirSync(work, { recursive: true })
      const out = fuzzer(t, [...common, `-max_total_time=${seconds}`, `-max_len=${TARGETS[t].maxLen}`, work, seeds])
      const s = lastStatus(out)
      Object.assign(row, {
        runs: stat(out, 'number_of_executed_units'),
        newUnits: stat(out, 'new_units_added'),
        cov: s.cov,
        ft: s.ft,
        corpus: `${s.corp} (${s.bytes})`,
        rssMb: stat(out, 'peak_rss_mb')
      })
    }
    rows.push(row)
    const figures = seconds > 0
      ? `seconds=${seconds} runs=${row.runs} new-inputs=${row.newUnits} corpus=${row.corpus} cov=${row.cov} ft=${row.ft} peak-rss-mb=${row.rssMb}`
      : 'fuzzing skipped (LSM_FUZZ_SECONDS=0)'
    console.log(`[fuzz] ${t} seeds=${row.seeds} replayed-ok cov-from-seeds=${row.replayCov} ${figures} crashes=0`)
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
