#!/usr/bin/env node
// Issue 4's space target for lsmkv alone: fill N keys (db_bench keys and
// values, batches of 1000, random order), overwrite every key once (another
// random order), let background compaction settle (nothing pending and none
// running for 5 s in a row, at most 10 min), then report the directory size
// against the live data (N x (16 + 100) bytes) and the write amplification.
//
//   node bench/space.js [--n 1000000] [--seed 42]
//
// Prints one JSON line. Nothing is asserted (figures belong to bench/).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')
const { KEY_SIZE, VALUE_SIZE, makeRng, formatKey, permutation, makeValues, intFlag, dirSize } = require('./util')

async function main () {
  const n = intFlag('n', 1_000_000)
  const seed = intFlag('seed', 42)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-space-'))
  const rng = makeRng(seed)
  const values = makeValues(seed)
  const db = await open(dir, { valueEncoding: 'buffer' })
  try {
    for (let pass = 0; pass < 2; pass++) {
      const order = permutation(n, rng)
      for (let b = 0; b < n; b += 1000) {
        const ops = []
        for (let i = b; i < Math.min(n, b + 1000); i++) {
          ops.push({ type: 'put', key: formatKey(order[i]), value: values[(order[i] + pass) % values.length] })
        }
        await db.batch(ops)
      }
    }
    const t0 = Date.now()
    for (let quiet = 0; quiet < 5 && Date.now() - t0 < 600_000;) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const s = db.stats()
      quiet = s.pendingCompactionBytes === 0 && s.runningCompactions === 0 ? quiet + 1 : 0
    }
    const s = db.stats()
    const live = n * (KEY_SIZE + VALUE_SIZE)
    const bytes = dirSize(dir)
    console.log(JSON.stringify({
      n,
      liveBytes: live,
      dirBytes: bytes,
      spaceAmplification: +(bytes / live).toFixed(3),
      writeAmplification: +s.writeAmplification.toFixed(2),
      settleSeconds: Math.round((Date.now() - t0) / 1000),
      levels: s.levels.filter((l) => l.files > 0).map((l) => ({ level: l.level, files: l.files, bytes: l.bytes }))
    }))
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
