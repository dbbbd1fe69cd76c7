// Database: the open handle users hold. Owns the lifecycle (opening -> open ->
// closing -> closed), argument validation at the JS boundary, the JS half of
// group commit (every write of one event-loop turn goes to the engine as one
// WriteBatch buffer in one native call), sync reads through the shared
// key/value buffers (DESIGN §9), completion bookkeeping and engine events.
//
// Threading: everything here runs on the JS thread. Native completions and
// events arrive on the JS thread too (binding.ts protocol), many per wake-up.

import { EventEmitter } from 'node:events'
import { markAsUntransferable } from 'node:worker_threads'
import { debuglog } from 'node:util'
import * as path from 'node:path'
import { binding, type NativeDb, type NativeGet, type NativeStats } from './binding'
import { type Decoded, type Encoding, type EncodingInput, type Raw, decodeOwned, decodeOwnedIn, decodeShared, toRaw, typeName } from './encoding'
import { LsmError, type LsmErrorCode } from './errors'
import {
  type OpenOptions,
  type ReadOptions,
  type ResolvedOptions,
  type WriteOptions,
  resolveOpenOptions,
  resolveReadOptions,
  resolveWriteOptions
} from './options'
import {
  type IteratorHost,
  type IteratorOptions,
  type RangeOptions,
  Iterator,
  IteratorMode,
  resolveIteratorOptions,
  resolveRange
} from './iterator'
import { Snapshot, snapshotHandle } from './snapshot'
import { Batch, BatchEncoder, type BatchSink, type Limits, argumentName, checkSize } from './write-batch'
import { Log } from './logger'
import {
  type DatabaseMetrics,
  type JsOperationCounts,
  type MetricsOptions,
  LatencyId,
  READ_SAMPLE_EVERY,
  buildMetrics,
  resolveMetricsOptions
} from './metrics'
import { formatPrometheus } from './prometheus'

const debug = debuglog('lsmkv')

// Node < 18.18 / < 20.4 lack Symbol.asyncDispose; `await using` compiled by
// TypeScript looks the symbol up on Symbol, so provide the registered one
// Node itself later adopted. Silent by design.
if (typeof Symbol.asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') })
}

// Native code throws and rejects with real LsmError instances. It passes
// Status::CodeName(), always one of LsmErrorCode, hence the cast.
binding.set_error_class(LsmError as new (message: string, code: string) => LsmError)

const KiB = 1024
const MiB = 1024 * KiB
/** A group commit stops taking new batches beyond this many bytes (matches the engine's group cap). */
const GROUP_COMMIT_BYTES = 4 * MiB
/** Iterator pages up to this size come back through the shared value buffer, larger ones as their own Buffer. */
const VALUE_BUFFER_BYTES = 64 * KiB
/**
 * Point reads write each value into a result pool after the previous one, and a value read as a
 * Buffer is a view of its bytes there, like Buffer.allocUnsafe()'s pool (the pool lives as long as
 * any view of it). A pool is replaced once less than POOL_RESERVE_BYTES is left: smaller values
 * always land in the pool, larger ones when they fit, else they come back as their own Buffer.
 */
const POOL_BYTES = 16 * KiB
const POOL_RESERVE_BYTES = 4 * KiB
/** Spare encoders kept for reuse, and the largest one worth keeping. */
const ENCODER_POOL_SIZE = 4
const ENCODER_POOL_MAX_BYTES = 8 * MiB
/** get / getSync calls whose count has these bits clear are timed (1 in READ_SAMPLE_EVERY). */
const READ_SAMPLE_MASK = READ_SAMPLE_EVERY - 1

/** Lifecycle state of a {@link Database}. */
export type DatabaseStatus = 'opening' | 'open' | 'closing' | 'closed'

/**
 * One operation of an array batch.
 *
 * @example
 * ```ts
 * const ops: BatchOperation[] = [
 *   { type: 'put', key: 'a', value: '1' },
 *   { type: 'del', key: 'b' }
 * ]
 * await db.batch(ops)
 * ```
 */
export type BatchOperation<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> =
  | { type: 'put', key: EncodingInput<K>, value: EncodingInput<V> }
  | { type: 'del', key: EncodingInput<K> }

/**
 * Payload of the `'flush'` event: fields reported by the engine for the new
 * SSTable (e.g. `fileNumber`, `fileSize`, `entries`, `micros`).
 *
 * @example
 * ```ts
 * db.on('flush', (info) => show('flushed', info))
 * ```
 */
export type FlushEvent = Readonly<Record<string, unknown>>

/**
 * Payload of the `'compaction'` event, fired after every compaction that
 * changed the tree (background or {@link Database.compactRange}).
 * `level` -> `outputLevel` (equal for an in-place rewrite of the bottom
 * level); `trivialMove` when a file moved down without being rewritten.
 * For `compactRange` (`manual: true`) the event also carries the progress of
 * the whole call: `filesDone / filesTotal` and `bytesDone / bytesTotal`
 * (estimated totals that may grow; equal in the last event).
 *
 * @example
 * ```ts
 * db.on('compaction', (c) => {
 *   if (c.manual) show(`compactRange ${c.bytesDone} / ${c.bytesTotal} bytes`)
 * })
 * ```
 */
export interface CompactionEvent {
  readonly level: number
  readonly outputLevel: number
  readonly manual: boolean
  readonly trivialMove: boolean
  readonly inputFiles: number
  readonly inputBytes: number
  readonly outputFiles: number
  readonly outputBytes: number
  readonly inputEntries: number
  readonly droppedEntries: number
  readonly micros: number
  readonly filesDone?: number
  readonly filesTotal?: number
  readonly bytesDone?: number
  readonly bytesTotal?: number
}

/**
 * Payload of the `'stall'` / `'stallEnd'` events: writers wait because the
 * immutable memtable queue is full. `reason` names why; `stallEnd` also
 * reports how long it lasted.
 *
 * @example
 * ```ts
 * db.on('stall', ({ reason }) => metrics.increment(`stall.${String(reason)}`))
 * ```
 */
export type StallEvent = Readonly<Record<string, unknown>> & { readonly reason?: unknown }

/**
 * Events a {@link Database} emits.
 *
 * `'error'` fires once when a background failure turns the database read-only
 * (R2); it is only emitted when at least one `'error'` listener is attached,
 * so an unobserved background error never crashes the process. Either way,
 * later writes reject with code `'READ_ONLY'` and `cause` set to that error.
 *
 * @example
 * ```ts
 * db.on('error', (err) => alert(`database is read-only now: ${err.code}`))
 * ```
 */
export interface DatabaseEvents {
  flush: [info: FlushEvent]
  compaction: [info: CompactionEvent]
  stall: [info: StallEvent]
  stallEnd: [info: StallEvent]
  error: [error: LsmError]
  /** `close()` was called (once, however often it is called). */
  closing: []
  /** Fully closed: memtables flushed, the LOCK released (once; also when closing failed). */
  closed: []
}

/** Bytes and files held by one LSM level. */
export interface LevelStats {
  readonly level: number
  readonly files: number
  readonly bytes: number
  /** Compaction urgency: L0 files / l0CompactionTrigger, or bytes / the level's target; >= 1 is due. */
  readonly score: number
}

/** How often and how long writers waited for one reason. */
export interface StallReasonStats {
  /** Stall episodes ('l0-slowdown': delayed write groups). */
  readonly count: number
  /** Total time writers waited or were delayed, in microseconds. */
  readonly micros: number
}

/**
 * Counters and gauges from {@link Database.stats}.
 *
 * @example
 * ```ts
 * const { puts, walSyncs, levels } = db.stats()
 * ```
 */
export interface DatabaseStats {
  /** Put records committed. */
  readonly puts: number
  /** Delete records committed. */
  readonly deletes: number
  /** Point lookups served. */
  readonly gets: number
  /** Write batches committed. */
  readonly batches: number
  /** User key + value bytes written. */
  readonly bytesWritten: number
  /** Bytes appended to WAL segments. */
  readonly walBytes: number
  /** fdatasync calls on WAL segments. */
  readonly walSyncs: number
  /** Group commits (one pwrite each). */
  readonly groupCommits: number
  /** Of those, non-sync groups committed on the JS thread itself (`inlineWriteBytes`). */
  readonly inlineCommits: number
  /** Memtable flushes completed. */
  readonly flushes: number
  /** Of those, flushes asked for by reads that kept looking past an idle memtable (read-triggered). */
  readonly readFlushes: number
  /** SSTable bytes written by flushes. */
  readonly flushBytes: number
  /** Times writers had to wait for the flush thread. */
  readonly stalls: number
  /** Total time writers waited, in microseconds. */
  readonly stallMicros: number
  /** Bytes in the active memtable. */
  readonly memtableBytes: number
  /** Immutable memtables waiting to be flushed. */
  readonly immutableMemtables: number
  /** Bytes in immutable memtables. */
  readonly immutableMemtableBytes: number
  /** Sequence number of the last committed write. */
  readonly lastSequence: number
  /** Crash leftovers removed on open. */
  readonly obsoleteFilesRemoved: number
  /** Compactions completed (trivial moves included). */
  readonly compactions: number
  /** Of those, compactions of a table that reads kept having to look past (read-triggered). */
  readonly readCompactions: number
  /** SSTable bytes read by compactions. */
  readonly compactionBytesRead: number
  /** SSTable bytes written by compactions. */
  readonly compactionBytesWritten: number
  /** Time spent in compactions, in microseconds. */
  readonly compactionMicros: number
  /** Obsolete tables deleted once no reader used them. */
  readonly tablesDeleted: number
  /** Bytes compaction still has to move to bring every level back to its target (estimate). */
  readonly pendingCompactionBytes: number
  /** Compactions running at the moment of the call (0 to `compactionThreads`, or 1 more for `compactRange`). */
  readonly runningCompactions: number
  /** Bytes the engine wrote (WAL + flushes + compactions) / user bytes written; 0 before any write. */
  readonly writeAmplification: number
  /** Stalls per reason: 'immutable-queue-full', 'l0-slowdown', 'l0-stop'. */
  readonly stallsByReason: Readonly<Record<string, StallReasonStats>>
  /** Per-level file counts, sizes and compaction scores. */
  readonly levels: readonly LevelStats[]
}

/** Writes of one turn, committed by one native call. */
interface Group {
  readonly encoder: BatchEncoder
  sync: boolean
  readonly promise: Promise<void>
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
  /** performance.now() when the group opened, and its members by kind (metrics). */
  readonly start: number
  puts: number
  dels: number
  batches: number
}

type Completion = (err: LsmError | null) => void

/** The loggable facts of a failure. */
function errorFields (err: unknown): Record<string, unknown> {
  return err instanceof Error
    ? { code: (err as { code?: unknown }).code, message: err.message }
    : { message: String(err) }
}

function isLsmErrorCode (code: string): code is LsmErrorCode {
  return /^[A-Z_]+$/.test(code)
}

/**
 * An open LSM key-value store. Create one with {@link open}.
 *
 * Reads (`get`, `getSync`, `getMany`, `has`, `hasSync`) are served on the
 * calling thread from memory and memory-mapped tables; the async forms just
 * wrap the result in a promise. Writes (`put`, `del`, `batch`) made in the
 * same event-loop turn are committed together as one group, each caller's
 * promise settling when that group is in the WAL.
 *
 * Every method of a closing or closed database fails with LsmError code
 * `'CLOSED'` (async methods reject, sync methods throw); nothing hangs.
 * Because `open()` resolves only once the database is open, an unopened
 * database is never observable (code `'NOT_OPEN'` is reserved for that state).
 * Bad arguments are TypeError / RangeError naming the argument; async methods
 * reject with them rather than throw.
 *
 * @typeParam K - key encoding
 * @typeParam V - value encoding
 *
 * @example
 * ```ts
 * import { open } from 'lsmkv'
 * await using db = await open('./data')
 * await db.put('greeting', 'hello')
 * show(await db.get('greeting'))   // 'hello'
 * ```
 */
export class Database<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> extends EventEmitter<DatabaseEvents> {
  readonly #location: string
  readonly #options: ResolvedOptions
  readonly #limits: Limits
  readonly #handle: NativeDb
  readonly #get: NativeGet
  readonly #keyBuffer: Buffer
  readonly #valueBuffer: Buffer = Buffer.alloc(VALUE_BUFFER_BYTES)
  // The result pool (POOL_BYTES): its bytes [0, #poolUsed) hold values already handed out.
  #pool!: Buffer
  #poolArrayBuffer!: ArrayBuffer
  #poolUsed = 0
  readonly #sink: BatchSink
  #status: DatabaseStatus = 'opening'
  #nextId = 0
  readonly #completions = new Map<number, Completion>()
  #group: Group | null = null
  #scheduled = false
  readonly #inflightGroups = new Set<Group>()
  readonly #inflightFlushes = new Set<Promise<void>>()
  readonly #encoderPool: BatchEncoder[] = []
  #packBuffer: Buffer = Buffer.alloc(0)
  #backgroundError: LsmError | null = null
  #closePromise: Promise<void> | null = null
  readonly #log: Log
  // Operation counts for metrics(). The read counts also pick the sampled
  // calls; they are plain fields, the cheapest thing to bump per read.
  #getCalls = 0
  #getSyncCalls = 0
  readonly #writeOps = { put: 0, del: 0, batch: 0 }
  // Iterators and snapshots see the database through this (lib/iterator.ts).
  readonly #reader: IteratorHost = {
    isOpen: () => this.#status === 'open',
    writeKey: (raw) => this.#writeKey(raw),
    valueBuffer: this.#valueBuffer
  }

  private constructor (location: string, options: ResolvedOptions) {
    super()
    this.#location = location
    this.#options = options
    this.#log = new Log(location, options.logger)
    this.#limits = {
      maxKeySize: options.native.maxKeySize,
      maxValueSize: options.native.maxValueSize,
      allowEmptyKeys: options.allowEmptyKeys
    }
    this.#keyBuffer = Buffer.alloc(Math.max(options.native.maxKeySize, 64 * KiB))
    this.#sink = {
      keyEncoding: options.keyEncoding,
      valueEncoding: options.valueEncoding,
      limits: this.#limits,
      assertUsable: () => { this.#assertWritable() },
      commit: (encoder, sync) => this.#commitEncoded(encoder, sync)
    }
    this.#handle = binding.db_init(
      (id, code, message) => { this.#onComplete(id, code, message) },
      (name, payload) => { this.#onEvent(name, payload) },
      this.#keyBuffer,
      this.#valueBuffer
    )
    this.#get = binding.db_getter(this.#handle)
    this.#newResultPool()
  }

  #newResultPool (): void {
    // Buffer.alloc never slices the shared allocation pool: its own ArrayBuffer, at offset 0.
    const pool = Buffer.alloc(POOL_BYTES)
    // The native side writes into it: a transfer must not detach it.
    markAsUntransferable(pool.buffer)
    binding.db_result_pool(this.#handle, pool)
    this.#pool = pool
    this.#poolArrayBuffer = pool.buffer as ArrayBuffer
    this.#poolUsed = 0
  }

  /**
   * Opens (or creates) the database in directory `location`. Same as the
   * top-level {@link open}.
   *
   * @example
   * ```ts
   * const db = await Database.open('./data', { valueEncoding: 'json' })
   * ```
   */
  static open<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> (
    location: string,
    options?: OpenOptions<K, V>
  ): Promise<Database<K, V>> {
    let db: Database<K, V>
    try {
      if (typeof location !== 'string') {
        throw new TypeError(`location must be a string, got ${typeName(location)}`)
      }
      if (location.length === 0) throw new RangeError('location must not be empty')
      db = new Database<K, V>(location, resolveOpenOptions(options))
    } catch (err) {
      return Promise.reject(err)
    }
    return db.#call((id) => { binding.db_open(db.#handle, location, db.#options.native, id) }).then(
      () => {
        db.#status = 'open'
        db.#log.write('info', 'open', `opened ${location}`)
        return db
      },
      (err: unknown) => {
        db.#status = 'closed'
        db.#log.write('error', 'open-failed', `open ${location} failed: ${String(err)}`, errorFields(err))
        throw err
      }
    )
  }

  /**
   * The directory this database lives in, as passed to `open()`.
   *
   * @example
   * ```ts
   * show(db.location)   // './data'
   * ```
   */
  get location (): string {
    return this.#location
  }

  /**
   * Lifecycle state: `'opening'`, `'open'`, `'closing'` or `'closed'`.
   *
   * @example
   * ```ts
   * await db.close()
   * db.status   // 'closed'
   * ```
   */
  get status (): DatabaseStatus {
    return this.#status
  }

  /**
   * Stores `value` under `key`. Resolves once the write is in the WAL (and
   * fdatasync'd with `sync: true`); rejects on bad arguments (TypeError /
   * RangeError), a closed database (`'CLOSED'`) or engine failure.
   *
   * @example
   * ```ts
   * await db.put('user:1', JSON.stringify({ name: 'Ada' }))
   * await db.put(Buffer.from([1, 2]), new Uint8Array([3]), { sync: true })
   * ```
   */
  put (key: EncodingInput<K>, value: EncodingInput<V>, options?: WriteOptions): Promise<void> {
    try {
      this.#assertWritable()
      const o = resolveWriteOptions(options)
      const rawKey = toRaw(key, o.keyEncoding ?? this.#options.keyEncoding, 'key')
      const rawValue = toRaw(value, o.valueEncoding ?? this.#options.valueEncoding, 'value')
      const group = this.#currentGroup()
      // Checks both sizes before writing a byte, so nothing to roll back.
      group.encoder.put(rawKey, rawValue, this.#limits)
      group.puts++
      if (o.sync ?? this.#options.sync) group.sync = true
      return group.promise
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Deletes `key` (a no-op for missing keys). Same settlement rules as
   * {@link Database.put}.
   *
   * @example
   * ```ts
   * await db.del('user:1')
   * ```
   */
  del (key: EncodingInput<K>, options?: WriteOptions): Promise<void> {
    try {
      this.#assertWritable()
      const o = resolveWriteOptions(options)
      const rawKey = toRaw(key, o.keyEncoding ?? this.#options.keyEncoding, 'key')
      const group = this.#currentGroup()
      group.encoder.del(rawKey, this.#limits)
      group.dels++
      if (o.sync ?? this.#options.sync) group.sync = true
      return group.promise
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Returns a chained {@link Batch}; throws LsmError `'CLOSED'` when closed.
   *
   * @example
   * ```ts
   * await db.batch().put('a', '1').del('b').write()
   * ```
   */
  batch (): Batch<K, V>
  /**
   * Applies every operation atomically: readers see all of them or none.
   * Rejects with a TypeError / RangeError naming the operation index if any
   * operation is invalid, in which case nothing is written.
   *
   * @example
   * ```ts
   * await db.batch([
   *   { type: 'put', key: 'a', value: '1' },
   *   { type: 'del', key: 'b' }
   * ], { sync: true })
   * ```
   */
  batch (operations: ReadonlyArray<BatchOperation<K, V>>, options?: WriteOptions): Promise<void>
  batch (operations?: ReadonlyArray<BatchOperation<K, V>>, options?: WriteOptions): Batch<K, V> | Promise<void> {
    if (operations === undefined && options === undefined) {
      this.#assertWritable()
      return new Batch<K, V>(this.#sink)
    }
    try {
      this.#assertWritable()
      if (!Array.isArray(operations)) {
        throw new TypeError(`operations must be an array, got ${typeName(operations)}`)
      }
      const o = resolveWriteOptions(options)
      if (operations.length === 0) return Promise.resolve()
      const group = this.#currentGroup()
      const mark = group.encoder.mark()
      try {
        this.#encodeOperations(group.encoder, operations, o.keyEncoding ?? this.#options.keyEncoding,
          o.valueEncoding ?? this.#options.valueEncoding)
      } catch (err) {
        group.encoder.rollback(mark)
        throw err
      }
      group.batches++
      if (o.sync ?? this.#options.sync) group.sync = true
      return group.promise
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Reads `key` synchronously: the value decoded with the value encoding, or
   * `undefined` when missing. Throws TypeError / RangeError for a bad key,
   * LsmError `'CLOSED'` when closed, and LsmError for engine failures.
   *
   * @example
   * ```ts
   * const v = db.getSync('user:1')
   * const bytes = db.getSync('user:1', { valueEncoding: 'buffer' })
   * ```
   */
  getSync<E extends Encoding = V> (key: EncodingInput<K>, options?: ReadOptions<E>): Decoded<E> | undefined {
    if ((++this.#getSyncCalls & READ_SAMPLE_MASK) !== 0) return this.#read(key, options)
    const start = performance.now()
    const value = this.#read(key, options)
    this.#recordLatency(LatencyId.GetSync, start, 1)
    return value
  }

  #read<E extends Encoding> (key: EncodingInput<K>, options: ReadOptions<E> | undefined): Decoded<E> | undefined {
    this.#assertUsable()
    const o = resolveReadOptions(options)
    const keyLength = this.#writeKey(toRaw(key, o.keyEncoding ?? this.#options.keyEncoding, 'key'))
    const result = this.#get(keyLength, snapshotHandle(o.snapshot, this.#reader))
    if (result === -1) return undefined
    const encoding = o.valueEncoding ?? this.#options.valueEncoding
    if (typeof result !== 'number') return decodeOwned(result, 0, result.length, encoding) as Decoded<E>
    // The value is the next `result` bytes of the pool; never rewritten, so views are safe.
    const start = this.#poolUsed
    const end = start + result
    this.#poolUsed = end
    const value = decodeOwnedIn(this.#pool, this.#poolArrayBuffer, 0, start, end, encoding)
    if (end > POOL_BYTES - POOL_RESERVE_BYTES) this.#newResultPool()
    return value as Decoded<E>
  }

  /**
   * Reads `key`: resolves to the value, or `undefined` when missing (never
   * rejects for a missing key). Served synchronously; see {@link Database.getSync}.
   *
   * @example
   * ```ts
   * const v = await db.get('user:1')
   * if (v === undefined) show('no such user')
   * ```
   */
  get<E extends Encoding = V> (key: EncodingInput<K>, options?: ReadOptions<E>): Promise<Decoded<E> | undefined> {
    try {
      if ((++this.#getCalls & READ_SAMPLE_MASK) !== 0) return Promise.resolve(this.#read(key, options))
      const start = performance.now()
      const value = this.#read(key, options)
      this.#recordLatency(LatencyId.Get, start, 1)
      return Promise.resolve(value)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Reads many keys with one native call; resolves to values in the same
   * order, `undefined` for missing keys. Rejects with a TypeError / RangeError
   * naming the index (`keys[3]`) for a bad key.
   *
   * @example
   * ```ts
   * const [a, b] = await db.getMany(['a', 'b'])
   * ```
   */
  getMany<E extends Encoding = V> (keys: ReadonlyArray<EncodingInput<K>>, options?: ReadOptions<E>): Promise<Array<Decoded<E> | undefined>> {
    try {
      return Promise.resolve(this.#getMany(keys, options))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Whether `key` exists, synchronously. Throws like {@link Database.getSync}.
   *
   * @example
   * ```ts
   * if (!db.hasSync('config')) await db.put('config', '{}')
   * ```
   */
  hasSync (key: EncodingInput<K>, options?: Pick<ReadOptions, 'keyEncoding' | 'snapshot'>): boolean {
    this.#assertUsable()
    const o = resolveReadOptions(options)
    const keyLength = this.#writeKey(toRaw(key, o.keyEncoding ?? this.#options.keyEncoding, 'key'))
    return this.#get(keyLength, snapshotHandle(o.snapshot, this.#reader), true) !== -1
  }

  /**
   * Whether `key` exists. Served synchronously; see {@link Database.hasSync}.
   *
   * @example
   * ```ts
   * if (await db.has('user:1')) show('exists')
   * ```
   */
  has (key: EncodingInput<K>, options?: Pick<ReadOptions, 'keyEncoding' | 'snapshot'>): Promise<boolean> {
    try {
      return Promise.resolve(this.hasSync(key, options))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * An iterator over `[key, value]` entries in key order (or reverse), within
   * the range given by `gt`/`gte`/`lt`/`lte`, up to `limit` entries, as of
   * `snapshot` (default: now). Works with `for...of` and `for await...of`;
   * see {@link Iterator}. Throws TypeError / RangeError for bad options and
   * LsmError `'CLOSED'` when closed.
   *
   * @example
   * ```ts
   * for (const [key, value] of db.iterator({ gte: 'user:', lt: 'user;' })) show(key, value)
   * for await (const [key, value] of db.iterator({ reverse: true, limit: 10 })) show(key, value)
   * ```
   */
  iterator<KE extends Encoding = K, VE extends Encoding = V> (
    options?: IteratorOptions<KE, VE>
  ): Iterator<[Decoded<KE>, Decoded<VE>], EncodingInput<KE>> {
    return this.#iterator(options, IteratorMode.Entries)
  }

  /**
   * An iterator over the keys only (values are never copied out of the
   * engine). Same options as {@link Database.iterator}.
   *
   * @example
   * ```ts
   * const names = await db.keys({ gte: 'user:', lt: 'user;' }).all()
   * ```
   */
  keys<KE extends Encoding = K> (options?: IteratorOptions<KE, V>): Iterator<Decoded<KE>, EncodingInput<KE>> {
    return this.#iterator(options, IteratorMode.Keys)
  }

  /**
   * An iterator over the values only (keys are never copied out of the
   * engine). Same options as {@link Database.iterator}.
   *
   * @example
   * ```ts
   * let total = 0
   * for (const v of db.values({ valueEncoding: 'json' })) total += (v as { n: number }).n
   * ```
   */
  values<VE extends Encoding = V> (options?: IteratorOptions<K, VE>): Iterator<Decoded<VE>, EncodingInput<K>> {
    return this.#iterator(options, IteratorMode.Values)
  }

  /**
   * Takes a {@link Snapshot}: pass it as `{ snapshot }` to any read to see
   * the database exactly as it is now. Release it when done (or `using`).
   * Throws LsmError `'CLOSED'` when closed.
   *
   * @example
   * ```ts
   * using snap = db.snapshot()
   * await db.put('k', 'changed')
   * await db.get('k', { snapshot: snap })   // the value before the put
   * ```
   */
  snapshot (): Snapshot {
    this.#assertUsable()
    return new Snapshot(this.#reader, binding.snapshot_create(this.#handle))
  }

  /**
   * Deletes every key in the range (all keys without options) atomically,
   * inside the engine: readers see all of the range's keys deleted or none.
   * Writes issued before the call are included; writes issued while it runs
   * may land before or after it. Resolves once the deletions are in the WAL.
   *
   * @example
   * ```ts
   * await db.clear({ gte: 'session:', lt: 'session;' })
   * await db.clear()   // everything
   * ```
   */
  clear (options?: RangeOptions<EncodingInput<K>> & { keyEncoding?: Encoding }): Promise<void> {
    let range: ReturnType<typeof resolveRange>
    try {
      this.#assertWritable()
      range = resolveRange(options, this.#options.keyEncoding)
    } catch (err) {
      return Promise.reject(err)
    }
    // Like flush: the engine scans what is committed when the request
    // arrives, so first let writes already handed over commit.
    this.#submit()
    const earlier = Array.from(this.#inflightGroups, (g) => g.promise)
    const cleared = Promise.allSettled(earlier).then(() =>
      this.#call((id) => { binding.db_clear(this.#handle, range.flags, range.lower, range.upper, id) }))
    this.#inflightFlushes.add(cleared)
    const forget = (): void => { this.#inflightFlushes.delete(cleared) }
    cleared.then(forget, forget)
    return cleared
  }

  /**
   * Approximate bytes of SSTable data holding keys from `start` (inclusive)
   * to `end` (exclusive); `undefined` leaves that side open. Memtables are
   * not counted, so recent unflushed writes do not show.
   *
   * @example
   * ```ts
   * const bytes = await db.approximateSize('a', 'n')
   * ```
   */
  approximateSize (start?: EncodingInput<K>, end?: EncodingInput<K>): Promise<number> {
    try {
      this.#assertUsable()
      const range = resolveRange({ gte: start, lt: end }, this.#options.keyEncoding)
      return Promise.resolve(binding.db_approximate_size(this.#handle, range.flags, range.lower, range.upper))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Writes every memtable to SSTables. Includes all writes issued before the
   * call; resolves once the tables are recorded durably.
   *
   * @example
   * ```ts
   * await db.put('a', '1')
   * await db.flush()
   * ```
   */
  flush (): Promise<void> {
    try {
      this.#assertUsable()
      this.#assertNotReadOnly()
    } catch (err) {
      return Promise.reject(err)
    }
    this.#submit()
    // The engine flushes what its memtable holds when the request arrives,
    // so wait for writes already handed over (not for later ones).
    const earlier = Array.from(this.#inflightGroups, (g) => g.promise)
    const flushed = Promise.allSettled(earlier).then(() =>
      this.#call((id) => { binding.db_flush(this.#handle, id) }))
    this.#inflightFlushes.add(flushed)
    const forget = (): void => { this.#inflightFlushes.delete(flushed) }
    flushed.then(forget, forget)
    return flushed
  }

  /**
   * Flushes the memtables, then compacts every level holding keys from
   * `start` to `end` (both inclusive; `undefined` leaves that side open)
   * down to the deepest level holding any of them: overwritten versions no
   * snapshot needs and deletions are dropped, and their space is returned to
   * the file system. Runs on its own thread, alongside reads and writes;
   * progress arrives as `'compaction'` events with `manual: true`.
   *
   * @example
   * ```ts
   * await db.clear()
   * await db.compactRange()            // reclaim the space of everything deleted
   * await db.compactRange('a', 'm')    // or just a range
   * ```
   */
  compactRange (start?: EncodingInput<K>, end?: EncodingInput<K>): Promise<void> {
    let lower: Uint8Array | undefined
    let upper: Uint8Array | undefined
    try {
      this.#assertWritable()
      const toBytes = (key: unknown, argument: string): Uint8Array | undefined => {
        if (key === undefined) return undefined
        const raw = toRaw(key, this.#options.keyEncoding, argument)
        return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw
      }
      lower = toBytes(start, 'start')
      upper = toBytes(end, 'end')
    } catch (err) {
      return Promise.reject(err)
    }
    // Like flush: include writes already handed over.
    this.#submit()
    const earlier = Array.from(this.#inflightGroups, (g) => g.promise)
    const compacted = Promise.allSettled(earlier).then(() =>
      this.#call((id) => { binding.db_compact_range(this.#handle, id, lower, upper) }))
    this.#inflightFlushes.add(compacted)
    const forget = (): void => { this.#inflightFlushes.delete(compacted) }
    compacted.then(forget, forget)
    return compacted
  }

  /**
   * Writes an online, consistent copy of the database into `dir`, which must
   * not exist or be empty (its parent must exist): opening it gives exactly
   * the data as of the call (writes issued before it included), while this
   * database keeps taking writes. SSTables are hard-linked (copied across
   * devices), the memtables' data becomes one more SSTable, and a fresh
   * MANIFEST describes the copy; no WAL is copied and nothing is flushed in
   * this database. Every file and the directory are fsync'd before the
   * promise resolves. A non-empty `dir` rejects with LsmError
   * `'INVALID_ARGUMENT'`.
   *
   * @example
   * ```ts
   * await db.checkpoint('./backup-2026-11-23')
   * const copy = await open('./backup-2026-11-23')
   * ```
   */
  checkpoint (dir: string): Promise<void> {
    let target: string
    try {
      this.#assertUsable()
      if (typeof dir !== 'string') throw new TypeError(`dir must be a string, got ${dir === null ? 'null' : typeof dir}`)
      if (dir.length === 0) throw new TypeError('dir must be a path, got an empty string')
      target = path.resolve(dir)
    } catch (err) {
      return Promise.reject(err)
    }
    // Like flush: include writes already handed over.
    this.#submit()
    const earlier = Array.from(this.#inflightGroups, (g) => g.promise)
    const done = Promise.allSettled(earlier).then(() =>
      this.#call((id) => { binding.db_checkpoint(this.#handle, id, target) }))
    this.#inflightFlushes.add(done)
    const forget = (): void => { this.#inflightFlushes.delete(done) }
    done.then(forget, forget)
    return done
  }

  /**
   * With `readOnly: true`: catches up with the process writing the database.
   * Loads its latest state (tables it flushed or compacted since, and the
   * acknowledged writes in its WAL) and swaps it in atomically; iterators and
   * snapshots created before keep reading the state they started with. A
   * writable database is always current, so this resolves at once.
   *
   * @example
   * ```ts
   * const db = await open('./data', { readOnly: true })   // another process writes
   * setInterval(() => { db.refresh().catch(report) }, 1000)
   * ```
   */
  refresh (): Promise<void> {
    try {
      this.#assertUsable()
    } catch (err) {
      return Promise.reject(err)
    }
    const refreshed = this.#call((id) => { binding.db_refresh(this.#handle, id) })
    this.#inflightFlushes.add(refreshed)
    const forget = (): void => { this.#inflightFlushes.delete(refreshed) }
    refreshed.then(forget, forget)
    return refreshed
  }

  /**
   * Whether the database was opened with `readOnly: true`.
   *
   * @example
   * ```ts
   * if (!db.readOnly) await db.put('k', 'v')
   * ```
   */
  get readOnly (): boolean {
    return this.#options.native.readOnly
  }

  /**
   * Engine counters and gauges. Throws LsmError `'CLOSED'` when closed.
   *
   * @example
   * ```ts
   * const { groupCommits, batches } = db.stats()
   * show(`avg batches per group: ${batches / groupCommits}`)
   * ```
   */
  stats (): DatabaseStats {
    this.#assertUsable()
    const s: NativeStats = binding.db_stats(this.#handle)
    return {
      puts: s.puts,
      deletes: s.deletes,
      gets: s.gets,
      batches: s.batches,
      bytesWritten: s.bytesWritten,
      walBytes: s.walBytes,
      walSyncs: s.walSyncs,
      groupCommits: s.groupCommits,
      inlineCommits: s.inlineCommits,
      flushes: s.flushes,
      flushBytes: s.flushBytes,
      stalls: s.stalls,
      stallMicros: s.stallMicros,
      memtableBytes: s.memtableBytes,
      immutableMemtables: s.immutableMemtables,
      immutableMemtableBytes: s.immutableMemtableBytes,
      lastSequence: s.lastSequence,
      obsoleteFilesRemoved: s.obsoleteFilesRemoved,
      readFlushes: s.readFlushes,
      compactions: s.compactions,
      readCompactions: s.readCompactions,
      compactionBytesRead: s.compactionBytesRead,
      compactionBytesWritten: s.compactionBytesWritten,
      compactionMicros: s.compactionMicros,
      tablesDeleted: s.tablesDeleted,
      pendingCompactionBytes: s.pendingCompactionBytes,
      runningCompactions: s.runningCompactions,
      writeAmplification: s.writeAmplification,
      stallsByReason: s.stallsByReason,
      levels: s.levels.map((l) => ({ level: l.level, files: l.files, bytes: l.bytes, score: l.score }))
    }
  }

  /**
   * Counters and latency percentiles (see {@link DatabaseMetrics}): operations
   * by kind, bytes written by users and to disk, flushes, compactions,
   * stalls, and p50 / p90 / p99 / p99.9 latencies (µs) of get, getSync, put,
   * del, batch, iterator page fetches, flushes, compactions and WAL
   * fdatasyncs; also everything {@link Database.stats} reports. With
   * `{ format: 'prometheus' }`, the same as Prometheus text exposition
   * format. Throws LsmError `'CLOSED'` when closed.
   *
   * get / getSync are timed 1 call in 64 (timing every ~1 µs read would
   * cost more than the read); writes are timed once per group commit.
   *
   * @example
   * ```ts
   * const { latency, operations } = db.metrics()
   * show(`${operations.put} puts, p99 ${latency.put.p99} µs`)
   * http.createServer((req, res) => {
   *   res.setHeader('Content-Type', 'text/plain; version=0.0.4')
   *   res.end(db.metrics({ format: 'prometheus', labels: { db: 'users' } }))
   * }).listen(9464)
   * ```
   */
  metrics (options?: MetricsOptions & { format?: 'object' }): DatabaseMetrics
  metrics (options: MetricsOptions & { format: 'prometheus' }): string
  metrics (options?: MetricsOptions): DatabaseMetrics | string {
    const o = resolveMetricsOptions(options)
    const ops: JsOperationCounts = { get: this.#getCalls, getSync: this.#getSyncCalls, ...this.#writeOps }
    const m = buildMetrics(this.stats(), binding.db_metrics(this.#handle), ops)
    return o.format === 'prometheus' ? formatPrometheus(m, o.labels) : m
  }

  /**
   * Closes the database (R8): new calls fail with `'CLOSED'` at once, writes
   * already accepted are committed, memtables are flushed and the LOCK is
   * released. Idempotent: later calls return the same promise.
   *
   * @example
   * ```ts
   * await db.close()
   * await db.close()   // fine
   * ```
   */
  close (): Promise<void> {
    if (this.#closePromise !== null) return this.#closePromise
    if (this.#status !== 'open') return Promise.reject(this.#stateError())
    this.#status = 'closing'
    this.#log.write('info', 'closing', `closing ${this.#location}`)
    this.#submit()
    const pending = [...Array.from(this.#inflightGroups, (g) => g.promise), ...this.#inflightFlushes]
    this.#closePromise = Promise.allSettled(pending)
      .then(() => this.#call((id) => { binding.db_close(this.#handle, id) }))
      .then(
        () => { this.#log.write('info', 'closed', `closed ${this.#location}`) },
        (err: unknown) => {
          this.#log.write('error', 'close-failed', `close ${this.#location} failed: ${String(err)}`, errorFields(err))
          throw err
        })
      .finally(() => {
        this.#status = 'closed'
        this.#emitLifecycle('closed')
      })
    this.#emitLifecycle('closing')
    return this.#closePromise
  }

  /**
   * Closes the database; lets `await using db = await open(...)` close it at
   * the end of the scope.
   *
   * @example
   * ```ts
   * {
   *   await using db = await open('./data')
   *   await db.put('k', 'v')
   * } // closed here
   * ```
   */
  [Symbol.asyncDispose] (): Promise<void> {
    return this.close()
  }

  // --- state --------------------------------------------------------------

  #stateError (): LsmError {
    return this.#status === 'opening'
      ? new LsmError('Database is not open yet', 'NOT_OPEN')
      : new LsmError('Database is closed', 'CLOSED')
  }

  #assertUsable (): void {
    if (this.#status !== 'open') throw this.#stateError()
  }

  #assertWritable (): void {
    if (this.#status !== 'open') throw this.#stateError()
    this.#assertNotReadOnly()
    const bg = this.#backgroundError
    if (bg !== null) {
      throw new LsmError(`Database is read-only after a background error: ${bg.message}`, 'READ_ONLY', { cause: bg })
    }
  }

  #assertNotReadOnly (): void {
    if (this.#options.native.readOnly) {
      throw new LsmError(`Database ${this.#location} is open read-only (readOnly: true)`, 'READ_ONLY')
    }
  }

  // --- completions and events --------------------------------------------

  /**
   * Emits 'closing' / 'closed' without letting a throwing listener change
   * what close() returns: the listener's error is rethrown on its own tick,
   * as an uncaught exception, like an error in any other event listener.
   */
  #emitLifecycle (name: 'closing' | 'closed'): void {
    try {
      this.emit(name)
    } catch (err) {
      process.nextTick(() => { throw err })
    }
  }

  /** Records `count` samples of the time since `start` (performance.now()) as native LatencyKind `kind`. */
  #recordLatency (kind: LatencyId, start: number, count: number): void {
    binding.db_record_latency(this.#handle, kind, (performance.now() - start) * 1e6, count)
  }

  #call (start: (id: number) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = this.#newId()
      this.#completions.set(id, (err) => { err === null ? resolve() : reject(err) })
      try {
        start(id)
      } catch (err) {
        this.#completions.delete(id)
        reject(err)
      }
    })
  }

  #newId (): number {
    // Stays a small positive int32 on the native side.
    this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1
    return this.#nextId
  }

  #onComplete (id: number, code: string, message: string): void {
    const completion = this.#completions.get(id)
    if (completion === undefined) {
      debug('completion for unknown id %d (%s)', id, code)
      return
    }
    this.#completions.delete(id)
    completion(code === '' ? null : this.#toError(code, message))
  }

  #toError (code: string, message: string): LsmError {
    const known: LsmErrorCode = isLsmErrorCode(code) ? code : 'IO_ERROR'
    const bg = this.#backgroundError
    return known === 'READ_ONLY' && bg !== null
      ? new LsmError(message, known, { cause: bg })
      : new LsmError(message, known)
  }

  #onEvent (name: string, payload: Record<string, unknown>): void {
    switch (name) {
      case 'flush':
        this.#log.write('debug', 'flush', `flushed table ${String(payload['fileNumber'])}`, payload)
        this.emit('flush', payload)
        break
      case 'compaction':
        this.#log.write('debug', 'compaction', `compacted L${String(payload['level'])} -> L${String(payload['outputLevel'])}`, payload)
        this.emit('compaction', payload as unknown as CompactionEvent)
        break
      case 'stall':
        this.#log.write('warn', 'stall', `writes stalled: ${String(payload['reason'])}`, payload)
        this.emit('stall', payload)
        break
      case 'stallEnd':
        this.#log.write('info', 'stall-end', `writes resumed after ${String(payload['micros'])} µs: ${String(payload['reason'])}`, payload)
        this.emit('stallEnd', payload)
        break
      case 'error': {
        const err = payload instanceof LsmError
          ? payload
          : this.#toError(typeof payload['code'] === 'string' ? payload['code'] : 'IO_ERROR',
            typeof payload['message'] === 'string' ? payload['message'] : 'background error')
        this.#backgroundError ??= err
        this.#log.write('error', 'error', `background error, database is read-only: ${err.message}`, errorFields(err))
        // Only with a listener: an unhandled 'error' event would throw.
        if (this.listenerCount('error') > 0) this.emit('error', err)
        break
      }
      default:
        debug('ignoring unknown engine event %s', name)
    }
  }

  // --- group commit -------------------------------------------------------

  /** The group collecting this turn's writes; starts one when none is open or the current is full. */
  #currentGroup (): Group {
    const current = this.#group
    if (current !== null && current.encoder.byteLength < GROUP_COMMIT_BYTES) return current
    if (current !== null) this.#submit()
    let resolve!: () => void
    let reject!: (err: unknown) => void
    const promise = new Promise<void>((res, rej) => {
      resolve = res
      reject = rej
    })
    const encoder = this.#encoderPool.pop() ?? new BatchEncoder(64 * KiB)
    const group: Group = { encoder, sync: false, promise, resolve, reject, start: performance.now(), puts: 0, dels: 0, batches: 0 }
    this.#group = group
    if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(() => {
        this.#scheduled = false
        this.#submit()
      })
    }
    return group
  }

  /** Hands the open group (if any) to the engine. */
  #submit (): void {
    const group = this.#group
    if (group === null) return
    this.#group = null
    if (group.encoder.count === 0) {
      // Every member failed validation and was rolled back.
      this.#releaseEncoder(group.encoder)
      group.resolve()
      return
    }
    const done = (err: unknown): void => {
      this.#inflightGroups.delete(group)
      // Released only now: the engine may read the bytes until it completes.
      this.#releaseEncoder(group.encoder)
      if (err === null) this.#groupAcknowledged(group)
      err === null ? group.resolve() : group.reject(err)
    }
    const id = this.#newId()
    // Committed on this thread when the engine can do that without waiting,
    // but only with no earlier group unacknowledged: groups settle in order.
    const mayInline = this.#inflightGroups.size === 0
    this.#inflightGroups.add(group)
    this.#completions.set(id, done)
    if (this.#log.enabled) {
      this.#log.write('debug', 'group-commit', `group commit ${id}`,
        { id, records: group.encoder.count, bytes: group.encoder.byteLength, sync: group.sync })
    }
    try {
      if (binding.db_write(this.#handle, group.encoder.finish(), group.sync, id, mayInline) === true) {
        this.#completions.delete(id)
        done(null)
      }
    } catch (err) {
      this.#completions.delete(id)
      done(err)
    }
  }

  /** Counts and times a group's members (metrics): each waited about as long as the group. */
  #groupAcknowledged (group: Group): void {
    const ops = this.#writeOps
    if (group.puts > 0) {
      ops.put += group.puts
      this.#recordLatency(LatencyId.Put, group.start, group.puts)
    }
    if (group.dels > 0) {
      ops.del += group.dels
      this.#recordLatency(LatencyId.Del, group.start, group.dels)
    }
    if (group.batches > 0) {
      ops.batch += group.batches
      this.#recordLatency(LatencyId.Batch, group.start, group.batches)
    }
  }

  #releaseEncoder (encoder: BatchEncoder): void {
    if (this.#encoderPool.length < ENCODER_POOL_SIZE && encoder.capacity <= ENCODER_POOL_MAX_BYTES) {
      encoder.reset()
      this.#encoderPool.push(encoder)
    }
  }

  /** Commits a chained batch's records as one contiguous (atomic) unit of the current group. */
  #commitEncoded (encoder: BatchEncoder, sync: boolean | undefined): Promise<void> {
    try {
      this.#assertWritable()
      const group = this.#currentGroup()
      group.encoder.append(encoder)
      group.batches++
      if (sync ?? this.#options.sync) group.sync = true
      return group.promise
    } catch (err) {
      return Promise.reject(err)
    }
  }

  #encodeOperations (
    encoder: BatchEncoder,
    operations: ReadonlyArray<BatchOperation<K, V>>,
    keyEncoding: Encoding,
    valueEncoding: Encoding
  ): void {
    for (let i = 0; i < operations.length; i++) {
      const op: unknown = operations[i]
      if (op === null || typeof op !== 'object') {
        throw new TypeError(`operations[${i}] must be an object, got ${typeName(op)}`)
      }
      const { type, key, value } = op as { type?: unknown, key?: unknown, value?: unknown }
      // Strings and byte arrays pass through as they are; only other inputs
      // (and 'json') go through toRaw, which names the argument in its errors.
      const rawKey = keyEncoding !== 'json' && (typeof key === 'string' || key instanceof Uint8Array)
        ? key
        : toRaw(key, keyEncoding, argumentName(i, 'key'))
      if (type === 'put') {
        const rawValue = valueEncoding !== 'json' && (typeof value === 'string' || value instanceof Uint8Array)
          ? value
          : toRaw(value, valueEncoding, argumentName(i, 'value'))
        encoder.put(rawKey, rawValue, this.#limits, i)
      } else if (type === 'del') {
        encoder.del(rawKey, this.#limits, i)
      } else {
        const got = typeof type === 'string' ? `'${type}'` : typeName(type)
        throw new TypeError(`operations[${i}].type must be 'put' or 'del', got ${got}`)
      }
    }
  }

  // --- reads --------------------------------------------------------------

  #iterator<T, S> (options: unknown, mode: IteratorMode): Iterator<T, S> {
    this.#assertUsable()
    const o = resolveIteratorOptions(options, this.#options.keyEncoding, this.#options.valueEncoding)
    const snapshot = snapshotHandle(o.snapshot, this.#reader)
    const handle = binding.iterator_init(this.#handle, o.flags | mode, o.limit, o.lower, o.upper, snapshot)
    return new Iterator<T, S>(this.#reader, handle, mode, o.keyEncoding, o.valueEncoding, o.limit, o.signal)
  }

  /** Writes a key into the shared key buffer; returns its byte length. */
  #writeKey (raw: Raw): number {
    const buf = this.#keyBuffer
    const limit = this.#limits.maxKeySize
    let n: number
    if (typeof raw !== 'string') {
      n = raw.byteLength
      checkSize(n, limit, 'key', 'maxKeySize', this.#limits.allowEmptyKeys)
      buf.set(raw, 0)
    } else if (raw.length * 3 <= buf.length) {
      // Cannot be truncated: at most three UTF-8 bytes per UTF-16 unit.
      n = buf.write(raw, 0, 'utf8')
      checkSize(n, limit, 'key', 'maxKeySize', this.#limits.allowEmptyKeys)
    } else {
      n = Buffer.byteLength(raw, 'utf8')
      checkSize(n, limit, 'key', 'maxKeySize', this.#limits.allowEmptyKeys)
      buf.write(raw, 0, n, 'utf8')
    }
    return n
  }

  #getMany<E extends Encoding> (keys: ReadonlyArray<EncodingInput<K>>, options: ReadOptions<E> | undefined): Array<Decoded<E> | undefined> {
    this.#assertUsable()
    if (!Array.isArray(keys)) throw new TypeError(`keys must be an array, got ${typeName(keys)}`)
    const o = resolveReadOptions(options)
    const keyEncoding = o.keyEncoding ?? this.#options.keyEncoding
    const limit = this.#limits.maxKeySize
    const count = keys.length
    if (count === 0) return []

    // Validate and size first, then pack [u32 len][bytes]... into the reusable buffer.
    const raws: Raw[] = new Array<Raw>(count)
    let bound = 0
    for (let i = 0; i < count; i++) {
      const raw = toRaw(keys[i], keyEncoding, `keys[${i}]`)
      if (typeof raw === 'string') {
        // More UTF-16 units than the limit means more bytes than the limit too.
        if (raw.length > limit || (raw.length === 0 && !this.#limits.allowEmptyKeys)) checkSize(Buffer.byteLength(raw, 'utf8'), limit, `keys[${i}]`, 'maxKeySize', this.#limits.allowEmptyKeys)
        bound += 4 + raw.length * 3
      } else {
        checkSize(raw.byteLength, limit, `keys[${i}]`, 'maxKeySize', this.#limits.allowEmptyKeys)
        bound += 4 + raw.byteLength
      }
      raws[i] = raw
    }
    if (this.#packBuffer.length < bound) this.#packBuffer = Buffer.allocUnsafe(Math.max(bound, this.#packBuffer.length * 2))
    const pack = this.#packBuffer
    let off = 0
    for (let i = 0; i < count; i++) {
      const raw = raws[i] as Raw
      let n: number
      if (typeof raw === 'string') {
        n = pack.write(raw, off + 4, 'utf8')
        checkSize(n, limit, `keys[${i}]`, 'maxKeySize', this.#limits.allowEmptyKeys)
      } else {
        n = raw.byteLength
        pack.set(raw, off + 4)
      }
      pack.writeUInt32LE(n, off)
      off += 4 + n
    }

    const result = binding.db_get_many(this.#handle, pack.subarray(0, off), count, snapshotHandle(o.snapshot, this.#reader))
    const encoding = o.valueEncoding ?? this.#options.valueEncoding
    // A result living in the shared value buffer must be copied out.
    const decode = result.buffer === this.#valueBuffer.buffer ? decodeShared : decodeOwned
    const values = new Array<Decoded<E> | undefined>(count)
    let pos = 0
    for (let i = 0; i < count; i++) {
      const len = result.readInt32LE(pos)
      pos += 4
      if (len < 0) {
        values[i] = undefined
      } else {
        values[i] = decode(result, pos, pos + len, encoding) as Decoded<E>
        pos += len
      }
    }
    return values
  }
}

/**
 * Opens (or, by default, creates) the database in directory `location`.
 * Resolves once it is open and its recovered state is durable; rejects with
 * TypeError / RangeError for bad options (naming the option, with a "did you
 * mean" hint for unknown names) and LsmError for engine failures (`'LOCKED'`
 * when another handle holds the directory, `'CORRUPTION'`, `'IO_ERROR'`, ...).
 *
 * @example
 * ```ts
 * import { open } from 'lsmkv'
 * const db = await open('./data', { valueEncoding: 'json' })
 * await db.put('user:1', { name: 'Ada' })
 * const user = await db.get('user:1')   // { name: 'Ada' }
 * await db.close()
 * ```
 */
export function open<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> (
  location: string,
  options?: OpenOptions<K, V>
): Promise<Database<K, V>> {
  return Database.open(location, options)
}
