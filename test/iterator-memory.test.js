'use strict'
// Memory stays flat while iterating many keys: an iterator holds at most a
// page or two, so RSS and heap growth stay bounded however long the scan.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { open } = require('..')

const N = Number(process.env.LSMKV_MEMORY_KEYS ?? 1_000_000)
const MiB = 1024 * 1024

test(`iterating ${N} keys keeps RSS and heap bounded`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-itmem-'))
  // pread, not mmap: mapped table pages would count in RSS as the scan
  // touches them, hiding what the iterator itself holds.
  const db = await open(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', mmap: false })
  try {
    const value = Buffer.alloc(16, 1)
    for (let i = 0; i < N; i += 10_000) {
      const ops = []
      for (let j = i; j < Math.min(N, i + 10_000); j++) {
        const k = Buffer.alloc(8)
        k.writeUInt32BE(j, 4)
        ops.push({ type: 'put', key: k, value })
      }
      await db.batch(ops)
    }
    await db.flush()
    if (global.gc) global.gc()
    const base = process.memoryUsage()
    let maxRss = base.rss
    let maxHeap = base.heapUsed + base.arrayBuffers
    let n = 0
    for (const [k, v] of db.iterator()) {
      if (k.length !== 8 || v.length !== 16) assert.fail('bad entry')
      if ((++n & 0xffff) === 0) {
        const m = process.memoryUsage()
        maxRss = Math.max(maxRss, m.rss)
        maxHeap = Math.max(maxHeap, m.heapUsed + m.arrayBuffers)
      }
    }
    assert.equal(n, N)
    let m = 0
    for await (const k of db.keys({ reverse: true })) {
      if (k.length !== 8) assert.fail('bad key')
      if ((++m & 0xffff) === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss)
    }
    assert.equal(m, N)
    const rssGrowth = (maxRss - base.rss) / MiB
    const heapGrowth = (maxHeap - base.heapUsed - base.arrayBuffers) / MiB
    console.log(`# rss +${rssGrowth.toFixed(1)} MiB, heap + array buffers +${heapGrowth.toFixed(1)} MiB`)
    assert.ok(rssGrowth < 64, `RSS grew by ${rssGrowth.toFixed(1)} MiB`)
    assert.ok(heapGrowth < 64, `heap grew by ${heapGrowth.toFixed(1)} MiB`)
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
