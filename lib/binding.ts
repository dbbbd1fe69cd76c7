// The one typed description of every native function the addon exports
// (native/binding/*.cc). Nothing else in lib/ touches the addon directly.
//
// Protocol (DESIGN §9):
// - A NativeDb handle is created once per Database with two JS callbacks:
//   `onComplete(id, code, message)` settles a queued write/flush/close/open
//   (code '' means success) and `onEvent(name, payload)` forwards engine events.
//   Both are called on the JS thread, many per libuv wake-up.
// - Sync reads write the key into the shared `keyBuffer` and get back the value
//   length, with the value bytes in the shared `valueBuffer`; values larger
//   than `valueBuffer` come back as their own Buffer.
// - Iterators (iterator_*) are read synchronously, one page per call: up to
//   maxEntries entries / about maxBytes bytes packed into one Buffer as
//   [count:u32][flags:u32] then per entry [keyLen:u32][key][valueLen:u32][value]
//   (only the halves asked for; flags bit 0: exhausted). Format owner:
//   native/binding/iterator.h.
// - Ranges are (flags, lower, upper): Uint8Array bounds or undefined, with
//   RANGE_LOWER_INCLUSIVE / RANGE_UPPER_INCLUSIVE in flags.
// - Writes are WriteBatch bytes (see native/include/lsm/write_batch.h) encoded
//   in JS: 12 zero header bytes patched by JS with the record count, then records.

import { createRequire } from 'node:module'
import * as path from 'node:path'

export interface NativeOpenOptions {
  createIfMissing: boolean
  errorIfExists: boolean
  memtableSize: number
  maxImmutableMemtables: number
  blockSize: number
  blockRestartInterval: number
  bloomBitsPerKey: number
  compression: boolean
  mmap: boolean
  maxKeySize: number
  maxValueSize: number
  inlineWriteBytes: number
  testFlushDelayMs: number
  levelBase: number
  levelRatio: number
  l0CompactionTrigger: number
  l0SlowdownTrigger: number
  l0StopTrigger: number
  targetFileSize: number
  compactionThreads: number
  readTriggeredCompaction: boolean
  testCompactionDelayMs: number
  /** Open without the LOCK, serving the state another process wrote (native/src/db/read_only_db.h). */
  readOnly: boolean
  /** Share one engine among the opens of this path in the process (native/src/db/shared_db.h). */
  shared: boolean
}

/** Opaque handle to a native iterator (holds the engine iterator and its pinned state). */
export interface NativeIterator {
  readonly __brand: 'NativeIterator'
}

/** Opaque handle to a native snapshot. */
export interface NativeSnapshot {
  readonly __brand: 'NativeSnapshot'
}

/**
 * Looks up the key in keyBuffer[0, keyLength). Returns -1 when absent; a length n when the value
 * was written into the result pool (db_result_pool) just after the previous value written there;
 * or a Buffer (a copy) when it does not fit in what is left of the pool. With `existsOnly`, returns
 * 0 for a present key and writes nothing. Throws LsmError (NOT_OPEN once the database is closed).
 */
export type NativeGet = (keyLength: number, snapshot?: NativeSnapshot, existsOnly?: boolean) => number | Buffer

/** Flag bits of iterator_init and the range functions (native/binding/iterator.h). */
export const ITER_REVERSE = 1
export const ITER_KEYS = 2
export const ITER_VALUES = 4
export const RANGE_LOWER_INCLUSIVE = 8
export const RANGE_UPPER_INCLUSIVE = 16
/** Bit of a page's flags word: the iterator has no more entries. */
export const PAGE_EXHAUSTED = 1

/** Opaque handle to a native database object. */
export interface NativeDb {
  readonly __brand: 'NativeDb'
}

export type CompleteCallback = (id: number, code: string, message: string) => void
export type EventCallback = (name: 'flush' | 'compaction' | 'stall' | 'stallEnd' | 'error', payload: Record<string, unknown>) => void

export interface NativeStats {
  puts: number
  deletes: number
  gets: number
  batches: number
  bytesWritten: number
  walBytes: number
  walSyncs: number
  groupCommits: number
  inlineCommits: number
  flushes: number
  flushBytes: number
  stalls: number
  stallMicros: number
  memtableBytes: number
  immutableMemtables: number
  immutableMemtableBytes: number
  lastSequence: number
  obsoleteFilesRemoved: number
  readFlushes: number
  compactions: number
  readCompactions: number
  compactionBytesRead: number
  compactionBytesWritten: number
  compactionMicros: number
  tablesDeleted: number
  pendingCompactionBytes: number
  runningCompactions: number
  writeAmplification: number
  /** Keyed by stall reason name ('immutable-queue-full', 'l0-slowdown', 'l0-stop'). */
  stallsByReason: Record<string, { count: number, micros: number }>
  levels: Array<{ level: number, files: number, bytes: number, score: number }>
}

export interface NativeVerifyReport {
  ok: boolean
  files: Array<{ file: string, type: string, size: number, records: number, entries: number, live: boolean, ok: boolean }>
  issues: Array<{ file: string, offset: number, what: string, damage: boolean }>
}

export interface Binding {
  /** Creates an unopened handle bound to its two callbacks and shared buffers. */
  db_init(onComplete: CompleteCallback, onEvent: EventCallback, keyBuffer: Buffer, valueBuffer: Buffer): NativeDb
  /** Opens in the background; completion `id` settles it. */
  db_open(db: NativeDb, location: string, options: NativeOpenOptions, id: number): void
  /**
   * Queues a WriteBatch; completion `id` settles it after the WAL append (and fdatasync when sync).
   * With `inline`, a non-sync batch the engine can commit at once without waiting is committed on
   * this thread instead: returns true (a failure throws) and `id` is never completed.
   */
  db_write(db: NativeDb, batch: Uint8Array, sync: boolean, id: number, inline?: boolean): boolean | undefined
  /**
   * A point-lookup function bound to `db` (it needs no handle argument, so a call does not
   * unwrap one); see {@link NativeGet}.
   */
  db_getter(db: NativeDb): NativeGet
  /** Makes `pool` the result pool that NativeGet writes values into, from its start. */
  db_result_pool(db: NativeDb, pool: Buffer): void
  /**
   * Looks up `count` keys packed in `keys` as [u32 length][bytes]...; returns one buffer packed as
   * [i32 length or -1][bytes]... (little-endian).
   */
  db_get_many(db: NativeDb, keys: Uint8Array, count: number, snapshot?: NativeSnapshot): Buffer
  /** Flushes memtables in the background; completion `id` settles it. */
  db_flush(db: NativeDb, id: number): void
  /** Closes in the background (R8); completion `id` settles it. */
  db_close(db: NativeDb, id: number): void
  db_stats(db: NativeDb): NativeStats
  /**
   * Flushes, then compacts every level holding keys in [start, end] (both inclusive; a missing
   * bound is unbounded) down to the deepest such level, on its own thread; completion `id`
   * settles it. Progress arrives as 'compaction' events with `manual: true`.
   */
  db_compact_range(db: NativeDb, id: number, start?: Uint8Array, end?: Uint8Array): void
  /** Deletes every key in the range in one engine-side batch, in the background; completion `id` settles it. */
  db_clear(db: NativeDb, flags: number, lower: Uint8Array | undefined, upper: Uint8Array | undefined, id: number): void
  /** Approximate SSTable bytes holding keys in the range (memtables excluded). */
  db_approximate_size(db: NativeDb, flags: number, lower: Uint8Array | undefined, upper: Uint8Array | undefined): number
  /** readOnly: loads the writer's latest state in the background; completion `id` settles it. */
  db_refresh(db: NativeDb, id: number): void
  /**
   * Writes a consistent, openable copy of the database as of the call into `dir` (absent or
   * empty), on its own thread; completion `id` settles it once every file and `dir` are fsync'd.
   */
  db_checkpoint(db: NativeDb, id: number, dir: string): void
  /** Checks every checksum of every file in the directory, read-only, on its own thread. */
  verify(location: string): Promise<NativeVerifyReport>
  /**
   * Creates an iterator over the range (ITER_* flags), stopping after `limit` entries (-1: none),
   * reading as of `snapshot` (or now). Throws LsmError CLOSED once db_close was called.
   */
  iterator_init(db: NativeDb, flags: number, limit: number, lower: Uint8Array | undefined,
    upper: Uint8Array | undefined, snapshot: NativeSnapshot | undefined): NativeIterator
  /** The next page (format above). Throws ITERATOR_CLOSED once closed (also by db_close). */
  /** The page, or its length when it was written into the database's shared value buffer. */
  iterator_next(it: NativeIterator, maxEntries: number, maxBytes: number): Buffer | number
  /**
   * Seeks to the key in keyBuffer[0, targetLength): forward first >= target, reverse last <= target.
   * `limit` (-1: none) replaces the count of entries left to read.
   */
  iterator_seek(it: NativeIterator, targetLength: number, limit: number): void
  /** Releases the engine iterator; idempotent. */
  iterator_close(it: NativeIterator): void
  /** Takes an engine snapshot; throws CLOSED once db_close was called. */
  snapshot_create(db: NativeDb): NativeSnapshot
  /** Releases the engine snapshot; idempotent. Reads through it then throw SNAPSHOT_RELEASED. */
  snapshot_release(snap: NativeSnapshot): void
  /**
   * Latency summaries of every LatencyKind (native/include/lsm/metrics.h), one row of
   * [count, sum, min, max, p50, p90, p99, p999] per kind, in nanoseconds. All zero before open.
   */
  db_metrics(db: NativeDb): Float64Array
  /** Adds `count` samples of `nanos` to LatencyKind `kind`'s histogram; ignores bad input, never throws. */
  db_record_latency(db: NativeDb, kind: number, nanos: number, count: number): void
  /** Hands the LsmError class to native code so it throws real instances with `code`. */
  set_error_class(ctor: new (message: string, code: string) => Error): void
}

// --- loading ------------------------------------------------------------------
//
// The addon loads on first use (the first open()), not at import, so
// setNativeBinding() can point at an unusual location first. `binding` starts
// as stubs that load the addon and then overwrite themselves with the native
// functions, so after the first call every call goes straight to native code.

const root = path.join(__dirname, '..')
const requireHere = createRequire(__filename)

// Every native function; `satisfies` keeps the list in step with Binding.
const functionNames = Object.keys({
  db_init: true,
  db_open: true,
  db_write: true,
  db_getter: true,
  db_result_pool: true,
  db_get_many: true,
  db_flush: true,
  db_close: true,
  db_stats: true,
  db_compact_range: true,
  db_clear: true,
  db_approximate_size: true,
  db_checkpoint: true,
  verify: true,
  db_refresh: true,
  iterator_init: true,
  iterator_next: true,
  iterator_seek: true,
  iterator_close: true,
  snapshot_create: true,
  snapshot_release: true,
  db_metrics: true,
  db_record_latency: true,
  set_error_class: true
} satisfies Record<keyof Binding, true>) as Array<keyof Binding>

let native: Binding | null = null
let chosen: { file: string } | { addon: Binding } | null = null
let errorClass: Parameters<Binding['set_error_class']>[0] | null = null

function describe (): string {
  return chosen === null ? `node-gyp-build(${root})` : 'file' in chosen ? chosen.file : 'the module given to setNativeBinding()'
}

function loadNative (): Binding {
  if (native !== null) return native
  let loaded: unknown
  try {
    if (chosen === null) {
      // node-gyp-build picks a matching prebuild from prebuilds/ or build/Release.
      loaded = (requireHere('node-gyp-build') as (dir: string) => unknown)(root)
    } else {
      loaded = 'file' in chosen ? requireHere(chosen.file) : chosen.addon
    }
  } catch (err) {
    throw new Error(`lsmkv: cannot load the native addon from ${describe()}: ${(err as Error).message}`, { cause: err })
  }
  const missing = functionNames.find((name) => typeof (loaded as Record<string, unknown> | null)?.[name] !== 'function')
  if (missing !== undefined) {
    throw new Error(`lsmkv: ${describe()} is not lsmkv's native addon (no ${missing}())`)
  }
  native = loaded as Binding
  Object.assign(binding, Object.fromEntries(functionNames.map((name) => [name, native?.[name]])))
  if (errorClass !== null) native.set_error_class(errorClass)
  return native
}

/** The addon's functions; the addon itself loads on the first call. */
export const binding = {} as Binding
for (const name of functionNames) {
  (binding as unknown as Record<string, unknown>)[name] = (...args: unknown[]): unknown =>
    (loadNative()[name] as (...a: unknown[]) => unknown)(...args)
}
// Handing over the error class is not a reason to load: remember it for then.
binding.set_error_class = (ctor) => {
  errorClass = ctor
  native?.set_error_class(ctor)
}

/**
 * Loads lsmkv's native addon (`lsmkv.node`) from `addon` instead of the
 * default places (`prebuilds/<platform>-<arch>/`, then `build/Release/`,
 * found by node-gyp-build). For unusual layouts: an Electron app that
 * unpacks the addon outside the asar archive, a bundle that ships the
 * `.node` file next to its output, a single-file executable.
 *
 * `addon` is a path to the `.node` file (a relative path resolves against
 * the working directory) or the already loaded module
 * (`require('./lsmkv.node')`). Call it before the first `open()`: the addon
 * loads once per process (per worker thread), on first use. Throws
 * TypeError for a bad argument and Error once the addon is already loaded;
 * a file that cannot be loaded fails the first `open()` with an Error
 * naming it.
 *
 * @example
 * ```ts
 * import path from 'node:path'
 * import { open, setNativeBinding } from 'lsmkv'
 * setNativeBinding(path.join(process.resourcesPath, 'app.asar.unpacked', 'lsmkv.node'))
 * const db = await open('./data')
 * ```
 */
export function setNativeBinding (addon: string | object): void {
  if (native !== null) {
    throw new Error(`lsmkv: setNativeBinding() must be called before the first open(): the addon is already loaded from ${describe()}`)
  }
  if (typeof addon === 'string') {
    if (addon.length === 0) throw new TypeError('addon must be a path to lsmkv.node or the loaded module, got an empty string')
    chosen = { file: path.resolve(addon) }
  } else if (addon !== null && (typeof addon === 'object' || typeof addon === 'function')) {
    chosen = { addon: addon as Binding }
  } else {
    throw new TypeError(`addon must be a path to lsmkv.node or the loaded module, got ${addon === null ? 'null' : typeof addon}`)
  }
}
