'use strict'
// bench/engines.js — owns one adapter per engine (lsmkv and its peers), all exposing the same
// small interface, and the statement of which durability / key form each one is run with.
//
//   engine.load()                     -> null when usable, else a reason string (engine skipped)
//   await engine.open(dir, { durable, keyForm, lsmkvOptions }) -> handle; durable=true only for
//                                        fillsync (see lmdb); keyForm 'buffer' | 'string' (how keys
//                                        are passed); lsmkvOptions: --lsmkv's extra open options
//   handle.putBatch(keys, values)     -> Promise; one atomic batch, not synced (survives a
//                                        process crash, not a power loss)
//   handle.putSync(key, value)        -> Promise; one put acknowledged only once durable
//                                        (fsync'd). "Sync" means durability: the call is async
//   handle.put(key, value)            -> Promise; one put, not synced (readwhilewriting's writer)
//   handle.getSync(key)               -> value | undefined, synchronous; null if the engine has none
//   handle.get(key)                   -> Promise<value | undefined>
//   handle.getMany(keys)              -> Promise<Array<value | undefined>>; the engine's own
//                                        multi-get, one call
//   handle.getAbsent(key)             -> optional; used instead of get() by readmissing when an
//                                        engine's get() cannot handle absent keys (lmdb)
//   await handle.scan(reverse)        -> number of entries; reads every key and value (Buffers)
//   await handle.seeker()             -> { seekRead(key, n) -> entries read (sync or Promise),
//                                        close() }; one reusable cursor where the engine has one
//   await handle.close()
//
// Keys are prepared outside the timed region, as Buffers by default: measured on this machine,
// every peer is as fast or faster with Buffer keys than with strings (rocksdb converts strings
// with Buffer.from() per call). `--keys string` switches all engines to strings. Values are
// always 100-byte Buffers and are read back as Buffers.

const { packageVersion } = require('./util')

const toOps = (keys, values) => {
  const ops = new Array(keys.length)
  for (let i = 0; i < keys.length; i++) ops[i] = { type: 'put', key: keys[i], value: values[i] }
  return ops
}

const levelKeyEncoding = (keyForm) => keyForm === 'buffer' ? 'buffer' : 'utf8'

// Drains an abstract-level iterator page by page; `per` rows per entry; tick(n) after each page
// (pages are 1024 entries, so latency samples are per 1024 entries like the other engines').
async function levelScan (it, page, per = 1, tick = () => {}) {
  let n = 0
  try {
    for (;;) {
      const rows = await page(it)
      if (rows.length === 0) return n
      n += rows.length / per
      tick(n)
    }
  } finally {
    await it.close()
  }
}

const NOSYNC = { sync: false }
const SYNC = { sync: true }

function lsmkv () {
  let open = null
  return {
    name: 'lsmkv',
    fill: '{sync:false}: WAL write() reaches the OS before ack',
    durable: '{sync:true}: WAL synced to disk before ack',
    notes: 'defaults; getSync() / get()',
    load () {
      try {
        open = require('..').open
        if (typeof open !== 'function') return 'require("..").open is not a function'
        this.version = require('../package.json').version
        return null
      } catch (err) {
        return `not loadable yet (${String(err.message).split('\n')[0]}) — build it with npm run build`
      }
    },
    async open (dir, { keyForm, lsmkvOptions } = {}) {
      const db = await open(dir, { ...lsmkvOptions, valueEncoding: 'buffer' })
      const keyEncoding = keyForm === 'string' ? 'utf8' : 'buffer'
      return {
        putBatch: (keys, values) => db.batch(toOps(keys, values), NOSYNC),
        putSync: (key, value) => db.put(key, value, SYNC),
        put: (key, value) => db.put(key, value, NOSYNC),
        getSync: (key) => db.getSync(key),
        get: (key) => db.get(key),
        getMany: (keys) => db.getMany(keys),
        scan: (reverse, tick) => {
          let n = 0
          for (const entry of db.iterator({ reverse, keyEncoding })) {
            if (entry[1] !== undefined) n++
            if ((n & 1023) === 0) tick(n)
          }
          return n
        },
        seeker: () => {
          const it = db.iterator({ keyEncoding })
          return {
            seekRead: (key, count) => {
              it.seek(key)
              return it.nextvSync(count).length
            },
            close: () => it.close()
          }
        },
        close: () => db.close()
      }
    }
  }
}

function classicLevel () {
  let ClassicLevel = null
  return {
    name: 'classic-level',
    fill: 'sync:false (LevelDB WAL write() before ack)',
    durable: 'sync:true (LevelDB WAL fsync before ack)',
    notes: 'LevelDB defaults (snappy, 8 MB cache); getSync() / get()',
    load () {
      try {
        ClassicLevel = require('classic-level').ClassicLevel
        this.version = packageVersion('classic-level')
        return null
      } catch (err) { return String(err.message) }
    },
    async open (dir, { keyForm }) {
      const db = new ClassicLevel(dir, { keyEncoding: levelKeyEncoding(keyForm), valueEncoding: 'buffer' })
      await db.open()
      return {
        putBatch: (keys, values) => db.batch(toOps(keys, values), NOSYNC),
        putSync: (key, value) => db.put(key, value, SYNC),
        put: (key, value) => db.put(key, value, NOSYNC),
        getSync: (key) => db.getSync(key),
        get: (key) => db.get(key),
        getMany: (keys) => db.getMany(keys),
        scan: (reverse, tick) => levelScan(db.iterator({ reverse }), (it) => it.nextv(1024), 1, tick),
        seeker: () => {
          const it = db.iterator()
          return {
            seekRead: async (key, count) => {
              it.seek(key)
              return (await it.nextv(count)).length
            },
            close: () => it.close()
          }
        },
        close: () => db.close()
      }
    }
  }
}

function rocksdb () {
  let RocksLevel = null
  return {
    name: 'rocksdb',
    fill: 'sync:false (RocksDB WAL write() before ack)',
    durable: 'sync:true via batch() (db.put() drops the option); the write runs synchronously on the JS thread, so the in-flight puts are serialized (no group commit)',
    notes: '@nxtedition/rocksdb defaults (zstd, 8 MB cache, bloom 10); sync get = private _getManySync([k]); async get = getMany([k]) (get() throws on missing)',
    load () {
      try {
        RocksLevel = require('@nxtedition/rocksdb').RocksLevel
        this.version = packageVersion('@nxtedition/rocksdb')
        return null
      } catch (err) { return String(err.message) }
    },
    async open (dir, { keyForm }) {
      const db = new RocksLevel(dir, { keyEncoding: levelKeyEncoding(keyForm), valueEncoding: 'buffer' })
      await db.open()
      return {
        putBatch: (keys, values) => db.batch(toOps(keys, values), NOSYNC),
        putSync: (key, value) => db.batch([{ type: 'put', key, value }], SYNC),
        put: (key, value) => db.put(key, value),
        // Not public API, but it is the binding's synchronous MultiGet; no public sync get exists.
        getSync: typeof db._getManySync === 'function' ? (key) => db._getManySync([key])[0] : null,
        get: (key) => db.getMany([key]).then((rows) => rows[0]),
        getMany: (keys) => db.getMany(keys),
        // The binding's synchronous page read (private, like _getManySync); rows are flat [k, v, ...].
        scan: (reverse, tick) => levelScan(db.iterator({ reverse }), (it) => it._nextvSync(1024).rows, 2, tick),
        seeker: () => {
          const it = db.iterator()
          return {
            seekRead: (key, count) => {
              it._seekSync(key)
              return it._nextvSync(count).rows.length / 2
            },
            close: () => it.close()
          }
        },
        close: () => db.close()
      }
    }
  }
}

function lmdb () {
  let openLmdb = null
  return {
    name: 'lmdb',
    // lmdb-js defaults to durable commits (overlappingSync: the put promise resolves once the
    // commit is flushed). For the non-sync fills we use noSync: commits are write()n to the file
    // (no writemap), so they reach the OS page cache: survives a process crash, not a power
    // loss — the same contract as the LSMs' sync:false. fillsync opens its own env with the
    // default durable commits (noSync is per env).
    fill: 'noSync:true (commit write()n to the OS, no fsync)',
    durable: 'default durable commits (overlappingSync, resolves when flushed)',
    notes: 'encoding binary; batch(fn) per 1000; get() (sync) / getAsync(); readmissing uses ' +
      'getMany([k]) (prefetch thread + get): getAsync() on an absent key throws MDB_NOTFOUND ' +
      'uncaught from a native callback in lmdb 3.5.6',
    load () {
      try {
        openLmdb = require('lmdb').open
        this.version = packageVersion('lmdb')
        return null
      } catch (err) { return String(err.message) }
    },
    async open (dir, { durable, keyForm }) {
      const db = openLmdb({
        path: dir,
        encoding: 'binary',
        keyEncoding: keyForm === 'buffer' ? 'binary' : 'ordered-binary',
        noSync: !durable
      })
      return {
        putBatch: (keys, values) => db.batch(() => {
          for (let i = 0; i < keys.length; i++) db.put(keys[i], values[i])
        }),
        putSync: (key, value) => db.put(key, value),
        put: (key, value) => db.put(key, value),
        getSync: (key) => db.get(key),
        get: (key) => db.getAsync(key),
        getAbsent: (key) => db.getMany([key]).then((rows) => rows[0]),
        getMany: (keys) => db.getMany(keys),
        scan: (reverse, tick) => {
          let n = 0
          for (const entry of db.getRange({ reverse })) {
            if (entry.value !== undefined) n++
            if ((n & 1023) === 0) tick(n)
          }
          return n
        },
        seeker: () => ({
          seekRead: (key, count) => {
            let n = 0
            for (const entry of db.getRange({ start: key, limit: count })) if (entry.value !== undefined) n++
            return n
          },
          close: () => {}
        }),
        close: () => db.close()
      }
    }
  }
}

const ENGINES = [lsmkv, classicLevel, rocksdb, lmdb]
const ENGINE_NAMES = ['lsmkv', 'classic-level', 'rocksdb', 'lmdb']

module.exports = { ENGINES, ENGINE_NAMES, createEngine: (name) => ENGINES[ENGINE_NAMES.indexOf(name)]() }
