// LsmLevel: lsmkv as an abstract-level 3 database, the `lsmkv/level` entry
// point. Owns the mapping of abstract-level's private API (_open, _get,
// _batch, _iterator, _snapshot, ...) onto one engine handle per open (a
// Database, which owns the native handle, group commit and the shared
// buffers). Each private call is one engine call: _getMany is one native
// multi-get, _batch (and the default chained batch) one WriteBatch in one
// group commit, _clear one engine-side range delete, iterators page through
// lib/iterator.ts. abstract-level itself owns encodings, deferred open,
// sublevels, hooks, events and argument checks.
//
// Reads and iterator pages are synchronous native calls, so every read sees
// the state as of the call (implicit snapshots); explicit snapshots wrap
// lib/snapshot.ts.

import {
  AbstractIterator,
  AbstractKeyIterator,
  AbstractLevel,
  AbstractSnapshot,
  AbstractValueIterator
} from 'abstract-level'
import type {
  AbstractDatabaseOptions,
  AbstractIteratorOptions,
  AbstractKeyIteratorOptions,
  AbstractOpenOptions,
  AbstractValueIteratorOptions,
  Transcoder
} from 'abstract-level'
import { Database } from './database'
import type { Encoding } from './encoding'
import { LsmError, type LsmErrorCode } from './errors'
import type { Iterator, IteratorOptions } from './iterator'
import { OPEN_OPTION_NAMES, kAllowEmptyKeys, type OpenOptions, type ReadOptions, type WriteOptions } from './options'
import type { Snapshot } from './snapshot'

// For unusual layouts, as from the main entry point (same module instance).
export { setNativeBinding } from './binding'

/** What the engine stores and abstract-level hands to the private API: a UTF-8 string or bytes. */
type Format = string | Buffer | Uint8Array
/** The formats abstract-level passes as `keyEncoding` / `valueEncoding` to private methods. */
type FormatName = 'utf8' | 'buffer' | 'view'

/**
 * Engine options accepted by the {@link LsmLevel} constructor (and by
 * `open()`): every option of lsmkv's `open()` except the encodings, which
 * abstract-level owns (any abstract-level encoding works, `'json'` and
 * custom ones included).
 *
 * @example
 * ```ts
 * const options: LsmLevelEngineOptions = { memtableSize: 64 * 1024 * 1024, sync: true }
 * ```
 */
export type LsmLevelEngineOptions = Omit<OpenOptions, 'keyEncoding' | 'valueEncoding'>

/**
 * Options of the {@link LsmLevel} constructor: abstract-level's database
 * options (`keyEncoding`, `valueEncoding`, `createIfMissing`,
 * `errorIfExists`, `passive`) plus lsmkv's engine options.
 *
 * @example
 * ```ts
 * const db = new LsmLevel<string, { n: number }>('./data', { valueEncoding: 'json', bloomBitsPerKey: 16 })
 * ```
 */
export interface LsmLevelOptions<K = string, V = string> extends AbstractDatabaseOptions<K, V>, LsmLevelEngineOptions {}

/**
 * Options of {@link LsmLevel.open}: abstract-level's open options plus
 * lsmkv's engine options (used when the database is not open yet).
 *
 * @example
 * ```ts
 * await db.open({ createIfMissing: false })
 * ```
 */
export interface LsmLevelOpenOptions extends AbstractOpenOptions, LsmLevelEngineOptions {}

/**
 * Options of {@link LsmLevel.approximateSize} and {@link LsmLevel.compactRange}.
 *
 * @example
 * ```ts
 * await db.compactRange(Buffer.from([0]), Buffer.from([255]), { keyEncoding: 'buffer' })
 * ```
 */
export interface KeyEncodingOptions<K> {
  /** Encoding of `start` and `end`; default: the database's key encoding. */
  keyEncoding?: string | Transcoder.PartialEncoding<K> | undefined
}

/** Options abstract-level passes to every private read and write. */
interface PrivateOptions {
  keyEncoding: FormatName
  valueEncoding?: FormatName
  snapshot?: unknown
  sync?: unknown
  [option: string]: unknown
}

/** Options abstract-level passes to _iterator / _keys / _values / _clear. */
interface PrivateRangeOptions extends PrivateOptions {
  gt?: Format
  gte?: Format
  lt?: Format
  lte?: Format
  reverse: boolean
  limit: number
  keys?: boolean
  values?: boolean
  signal?: AbortSignal
}

/** One operation as abstract-level passes it to _batch (already encoded). */
interface PrivateOperation {
  type: 'put' | 'del'
  key: Format
  value?: Format
}

// The engine's error codes that have an abstract-level counterpart.
const levelCodes: Partial<Record<LsmErrorCode, string>> = {
  LOCKED: 'LEVEL_LOCKED',
  CORRUPTION: 'LEVEL_CORRUPTION',
  IO_ERROR: 'LEVEL_IO_ERROR',
  NO_SPACE: 'LEVEL_IO_ERROR',
  READ_ONLY: 'LEVEL_READONLY',
  NOT_SUPPORTED: 'LEVEL_NOT_SUPPORTED',
  ABORTED: 'LEVEL_ABORTED',
  SNAPSHOT_RELEASED: 'LEVEL_SNAPSHOT_NOT_OPEN',
  ITERATOR_CLOSED: 'LEVEL_ITERATOR_NOT_OPEN',
  CLOSED: 'LEVEL_DATABASE_NOT_OPEN',
  NOT_OPEN: 'LEVEL_DATABASE_NOT_OPEN'
}

/**
 * An engine error as abstract-level users expect it: `code` is the
 * `LEVEL_*` code and `cause` the original LsmError. Anything else passes
 * through unchanged.
 */
function toLevelError (err: unknown): unknown {
  if (!(err instanceof LsmError)) return err
  const code = levelCodes[err.code]
  if (code === undefined) return err
  const wrapped = new Error(err.message, { cause: err }) as Error & { code: string }
  wrapped.code = code
  if (code === 'LEVEL_ABORTED') wrapped.name = 'AbortError'
  return wrapped
}

function abortError (): Error {
  const err = new Error('Operation has been aborted') as Error & { code: string }
  err.name = 'AbortError'
  err.code = 'LEVEL_ABORTED'
  return err
}

// Snapshot of the engine behind each LsmLevel snapshot.
const engineSnapshots = new WeakMap<AbstractSnapshot, Snapshot>()

function engineSnapshot (snapshot: unknown): Snapshot | undefined {
  return snapshot == null ? undefined : engineSnapshots.get(snapshot as AbstractSnapshot)
}

function readOptions (options: PrivateOptions): ReadOptions {
  const o: ReadOptions = { keyEncoding: options.keyEncoding, valueEncoding: options.valueEncoding ?? 'utf8' }
  const snapshot = engineSnapshot(options.snapshot)
  if (snapshot !== undefined) o.snapshot = snapshot
  return o
}

function writeOptions (options: PrivateOptions): WriteOptions {
  const o: WriteOptions = { keyEncoding: options.keyEncoding, valueEncoding: options.valueEncoding ?? 'utf8' }
  if (typeof options.sync === 'boolean') o.sync = options.sync
  return o
}

/** The range bounds; abstract-level gives `gte` / `lte` precedence over `gt` / `lt`. */
function rangeOf (options: PrivateRangeOptions): { gt?: Format, gte?: Format, lt?: Format, lte?: Format } {
  const range: { gt?: Format, gte?: Format, lt?: Format, lte?: Format } = {}
  if (options.gte !== undefined) range.gte = options.gte
  else if (options.gt !== undefined) range.gt = options.gt
  if (options.lte !== undefined) range.lte = options.lte
  else if (options.lt !== undefined) range.lt = options.lt
  return range
}

function iteratorOptions (options: PrivateRangeOptions): IteratorOptions {
  const o: IteratorOptions = {
    reverse: options.reverse,
    limit: options.limit,
    keyEncoding: options.keyEncoding,
    valueEncoding: options.valueEncoding ?? 'utf8'
  }
  Object.assign(o, rangeOf(options))
  const snapshot = engineSnapshot(options.snapshot)
  if (snapshot !== undefined) o.snapshot = snapshot
  return o
}

/** What an engine iterator yields, by the side(s) read. */
type EngineIterator = Iterator<unknown, Format>

/**
 * Opens the engine iterator for abstract-level iterator options: entries,
 * or only the side that is read (the other then comes back `undefined`;
 * a side nobody reads is never copied out of the engine).
 */
function openEngineIterator (db: Database<Encoding, Encoding>, options: PrivateRangeOptions,
  keys: boolean, values: boolean): { it: EngineIterator, shape: ((item: unknown) => unknown) | null } {
  const o = iteratorOptions(options)
  if (keys && values) return { it: db.iterator(o) as EngineIterator, shape: null }
  if (keys) return { it: db.keys(o) as EngineIterator, shape: (key) => [key, undefined] }
  return { it: db.values(o) as EngineIterator, shape: (value) => [undefined, value] }
}

/**
 * Shared body of the three iterator classes: pages come from the engine
 * iterator synchronously; each call first yields one microtask so an abort
 * signalled right after the call still rejects it (abstract-level's
 * contract for in-progress reads).
 */
class Cursor {
  readonly #it: EngineIterator
  readonly #shape: ((item: unknown) => unknown) | null
  readonly #signal: AbortSignal | undefined

  constructor (it: EngineIterator, shape: ((item: unknown) => unknown) | null, signal: AbortSignal | undefined) {
    this.#it = it
    this.#shape = shape
    this.#signal = signal
  }

  async next (): Promise<unknown> {
    await this.#yield()
    try {
      const r = this.#it.nextSync()
      if (r.done === true) return undefined
      return this.#shape === null ? r.value : this.#shape(r.value)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  async nextv (size: number): Promise<unknown[]> {
    await this.#yield()
    try {
      const items = this.#it.nextvSync(size)
      const shape = this.#shape
      return shape === null ? items : items.map(shape)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  async all (): Promise<unknown[]> {
    await this.#yield()
    try {
      const items = this.#it.allSync()
      const shape = this.#shape
      return shape === null ? items : items.map(shape)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  seek (target: Format): void {
    try {
      this.#it.seek(target)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  close (): void {
    this.#it.close()
  }

  async #yield (): Promise<void> {
    await undefined
    if (this.#signal?.aborted === true) throw abortError()
  }
}

/** Entries iterator of {@link LsmLevel} (abstract-level `AbstractIterator`). */
class LsmLevelIterator<K, V> extends AbstractIterator<LsmLevel<K, V>, K, V> {
  readonly #cursor: Cursor

  constructor (db: LsmLevel<K, V>, options: AbstractIteratorOptions<K, V>, cursor: Cursor) {
    super(db, options)
    this.#cursor = cursor
  }

  async _next (): Promise<unknown> { return this.#cursor.next() }
  async _nextv (size: number): Promise<unknown[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<unknown[]> { return this.#cursor.all() }
  _seek (target: Format): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { this.#cursor.close() }
}

/** Keys iterator of {@link LsmLevel}: values are never copied out of the engine. */
class LsmLevelKeyIterator<K, V> extends AbstractKeyIterator<LsmLevel<K, V>, K> {
  readonly #cursor: Cursor

  constructor (db: LsmLevel<K, V>, options: AbstractKeyIteratorOptions<K>, cursor: Cursor) {
    super(db, options)
    this.#cursor = cursor
  }

  async _next (): Promise<unknown> { return this.#cursor.next() }
  async _nextv (size: number): Promise<unknown[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<unknown[]> { return this.#cursor.all() }
  _seek (target: Format): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { this.#cursor.close() }
}

/** Values iterator of {@link LsmLevel}: keys are never copied out of the engine. */
class LsmLevelValueIterator<K, V> extends AbstractValueIterator<LsmLevel<K, V>, K, V> {
  readonly #cursor: Cursor

  constructor (db: LsmLevel<K, V>, options: AbstractValueIteratorOptions<K, V>, cursor: Cursor) {
    super(db, options)
    this.#cursor = cursor
  }

  async _next (): Promise<unknown> { return this.#cursor.next() }
  async _nextv (size: number): Promise<unknown[]> { return this.#cursor.nextv(size) }
  async _all (): Promise<unknown[]> { return this.#cursor.all() }
  _seek (target: Format): void { this.#cursor.seek(target) }
  async _close (): Promise<void> { this.#cursor.close() }
}

// abstract-level's typings omit the constructor, which takes { owner }.
const SnapshotBase = AbstractSnapshot as unknown as new (options: { owner: unknown }) => AbstractSnapshot

/** Explicit snapshot of {@link LsmLevel} (abstract-level `AbstractSnapshot`) over an engine snapshot. */
class LsmLevelSnapshot extends SnapshotBase {
  constructor (options: { owner: unknown }, snapshot: Snapshot) {
    super(options)
    engineSnapshots.set(this, snapshot)
  }

  async _close (): Promise<void> {
    engineSnapshots.get(this)?.release()
  }
}

// The engine's options among the ones abstract-level hands to _open (which
// also carries `passive` and whatever userland options hooks may read).
const engineOptionNames = new Set(OPEN_OPTION_NAMES.filter((name) => name !== 'keyEncoding' && name !== 'valueEncoding'))
// Rows per batch when clear() has to delete key by key (a limit or a snapshot).
const CLEAR_CHUNK = 1000

/**
 * lsmkv as an [abstract-level](https://github.com/Level/abstract-level) 3
 * database: a drop-in for `classic-level` that works with the Level
 * ecosystem (sublevels, hooks, `level-read-stream`, ...). Import it from
 * the `lsmkv/level` subpath.
 *
 * `supports`: `'utf8'`, `'buffer'` and `'view'` natively (all other
 * abstract-level encodings transcode to them), implicit snapshots (every
 * read and iterator sees the state as of the call), explicit snapshots
 * (`db.snapshot()`), `getSync`, `has` / `hasMany`, `seek`, `clear`,
 * `createIfMissing` / `errorIfExists`, permanence, and `signal` on
 * iterators. Additional methods: `approximateSize()` and `compactRange()`
 * as in classic-level.
 *
 * Engine options (`memtableSize`, `bloomBitsPerKey`, `sync`, ...) go in the
 * constructor options next to abstract-level's own; they are validated as
 * by lsmkv's `open()`, while other names are left to abstract-level and
 * its hooks (Level convention), not rejected. Engine errors surface
 * with abstract-level codes (`LEVEL_LOCKED`, `LEVEL_CORRUPTION`,
 * `LEVEL_IO_ERROR`, `LEVEL_READONLY`, ...) and the LsmError as `cause`.
 *
 * @typeParam K - default type of keys
 * @typeParam V - default type of values
 *
 * @example
 * ```ts
 * import { LsmLevel } from 'lsmkv/level'
 * const db = new LsmLevel<string, { name: string }>('./data', { valueEncoding: 'json' })
 * await db.put('user:1', { name: 'Ada' })
 * const users = db.sublevel<string, { name: string }>('users', { valueEncoding: 'json' })
 * for await (const [key, value] of db.iterator({ gte: 'user:', lt: 'user;' })) show(key, value)
 * await db.close()
 * ```
 */
export class LsmLevel<K = string, V = string> extends AbstractLevel<Format, K, V> {
  readonly #location: string
  #db: Database<Encoding, Encoding> | null = null

  /**
   * Creates the database handle; it opens itself on the next tick (or on
   * the first operation, or an explicit `open()`), in directory `location`.
   * Throws TypeError / RangeError for a bad location.
   *
   * @example
   * ```ts
   * const db = new LsmLevel('./data', { keyEncoding: 'buffer', memtableSize: 32 * 1024 * 1024 })
   * await db.open()
   * ```
   */
  constructor (location: string, options?: LsmLevelOptions<K, V>) {
    super({
      encodings: { buffer: true, utf8: true, view: true },
      implicitSnapshots: true,
      explicitSnapshots: true,
      getSync: true,
      has: true,
      seek: true,
      permanence: true,
      createIfMissing: true,
      errorIfExists: true,
      signals: { iterators: true },
      additionalMethods: { approximateSize: true, compactRange: true }
    } as ConstructorParameters<typeof AbstractLevel>[0], options)
    if (typeof location !== 'string') {
      throw new TypeError(`location must be a string, got ${location === null ? 'null' : typeof location}`)
    }
    if (location.length === 0) throw new RangeError('location must not be empty')
    this.#location = location
  }

  /**
   * The directory passed to the constructor.
   *
   * @example
   * ```ts
   * new LsmLevel('./data').location   // './data'
   * ```
   */
  get location (): string {
    return this.#location
  }

  /**
   * Opens the database (abstract-level's `open()`; done automatically on
   * first use). `options` take precedence over the constructor's and may
   * carry engine options too. Rejects with `LEVEL_DATABASE_NOT_OPEN`,
   * `cause` saying why (e.g. code `LEVEL_LOCKED`).
   *
   * @example
   * ```ts
   * const db = new LsmLevel('./data')
   * await db.open({ createIfMissing: false, bloomBitsPerKey: 16 })
   * ```
   */
  override open (options?: LsmLevelOpenOptions): Promise<void> {
    return options === undefined ? super.open() : super.open(options)
  }

  /** The engine handle; abstract-level calls private methods only while open. */
  get #engine (): Database<Encoding, Encoding> {
    const db = this.#db
    if (db === null) throw new LsmError('Database is not open', 'NOT_OPEN')
    return db
  }

  /**
   * Approximate bytes of SSTable data holding keys from `start` (inclusive)
   * to `end` (exclusive), as classic-level's method. Memtables are not
   * counted.
   *
   * @example
   * ```ts
   * const bytes = await db.approximateSize('a', 'n')
   * ```
   */
  async approximateSize (start: K, end: K, options?: KeyEncodingOptions<K>): Promise<number> {
    if (this.status === 'opening') return this.deferAsync(() => this.approximateSize(start, end, options))
    const [lower, upper] = this.#encodeBounds(start, end, options)
    try {
      return await this.#engine.approximateSize(lower, upper)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /**
   * Flushes, then compacts the keys from `start` to `end` (both inclusive)
   * to the deepest level holding any of them, reclaiming the space of
   * overwritten and deleted entries (classic-level's method).
   *
   * @example
   * ```ts
   * await db.clear()
   * await db.compactRange('\x00', '\xff')
   * ```
   */
  async compactRange (start: K, end: K, options?: KeyEncodingOptions<K>): Promise<void> {
    if (this.status === 'opening') return this.deferAsync(() => this.compactRange(start, end, options))
    const [lower, upper] = this.#encodeBounds(start, end, options)
    try {
      await this.#engine.compactRange(lower, upper)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  #encodeBounds<T> (start: T, end: T, options: KeyEncodingOptions<T> | undefined): [Format, Format] {
    if (this.status !== 'open') {
      throw Object.assign(new Error('Database is not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' })
    }
    const name = options?.keyEncoding
    const encoding: { encode: (data: T) => Format } = name === undefined
      ? this.keyEncoding() as unknown as { encode: (data: T) => Format }
      : this.keyEncoding(name as Transcoder.KnownEncodingName)
    return [encoding.encode(start), encoding.encode(end)]
  }

  // --- abstract-level private API ------------------------------------------

  /** @internal abstract-level private API: opens the engine. */
  async _open (options: LsmLevelOpenOptions & Record<string, unknown>): Promise<void> {
    const engine: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(options)) {
      if (engineOptionNames.has(name) && value !== undefined) engine[name] = value
    }
    try {
      // abstract-level's contract includes empty keys; the engine stores them.
      const withEmptyKeys = { ...engine, [kAllowEmptyKeys]: true }
      this.#db = await Database.open<Encoding, Encoding>(this.#location, withEmptyKeys as OpenOptions<Encoding, Encoding>)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API: closes the engine (flushes, releases the LOCK). */
  async _close (): Promise<void> {
    const db = this.#db
    if (db === null) return
    this.#db = null
    try {
      await db.close()
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API. */
  async _get (key: Format, options: PrivateOptions): Promise<unknown> {
    return this._getSync(key, options)
  }

  /** @internal abstract-level private API. */
  _getSync (key: Format, options: PrivateOptions): unknown {
    try {
      return this.#engine.getSync(key, readOptions(options))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API: one native multi-get. */
  async _getMany (keys: Format[], options: PrivateOptions): Promise<unknown[]> {
    try {
      return await this.#engine.getMany(keys, readOptions(options))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API. */
  async _has (key: Format, options: PrivateOptions): Promise<boolean> {
    try {
      return this.#engine.hasSync(key, readOptions(options))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API: one synchronous lookup per key, no value copied. */
  async _hasMany (keys: Format[], options: PrivateOptions): Promise<boolean[]> {
    try {
      const db = this.#engine
      const o = readOptions(options)
      return keys.map((key) => db.hasSync(key, o))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API. */
  async _put (key: Format, value: Format, options: PrivateOptions): Promise<void> {
    try {
      await this.#engine.put(key, value, writeOptions(options))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API. */
  async _del (key: Format, options: PrivateOptions): Promise<void> {
    try {
      await this.#engine.del(key, writeOptions(options))
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /**
   * @internal abstract-level private API: the operations go to the engine
   * as one atomic WriteBatch. They arrive encoded (strings or bytes), which
   * the engine's batch encoder takes as they are whatever their format.
   */
  async _batch (operations: PrivateOperation[], options: PrivateOptions): Promise<void> {
    const o: WriteOptions = { keyEncoding: 'buffer', valueEncoding: 'buffer' }
    if (typeof options.sync === 'boolean') o.sync = options.sync
    try {
      await this.#engine.batch(operations as never, o)
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API. */
  _iterator (options: PrivateRangeOptions): LsmLevelIterator<K, V> {
    const keys = options.keys !== false
    const values = options.values !== false
    const { it, shape } = this.#openIterator(options, keys || !values, values)
    return new LsmLevelIterator<K, V>(this, options as unknown as AbstractIteratorOptions<K, V>,
      new Cursor(it, shape, options.signal))
  }

  /** @internal abstract-level private API: values are never copied out of the engine. */
  _keys (options: PrivateRangeOptions): LsmLevelKeyIterator<K, V> {
    const { it } = this.#openIterator(options, true, false)
    return new LsmLevelKeyIterator<K, V>(this, options as unknown as AbstractKeyIteratorOptions<K>,
      new Cursor(it, null, options.signal))
  }

  /** @internal abstract-level private API: keys are never copied out of the engine. */
  _values (options: PrivateRangeOptions): LsmLevelValueIterator<K, V> {
    const { it } = this.#openIterator(options, false, true)
    return new LsmLevelValueIterator<K, V>(this, options as unknown as AbstractValueIteratorOptions<K, V>,
      new Cursor(it, null, options.signal))
  }

  /**
   * @internal abstract-level private API: the whole range in one
   * engine-side batch; with a `limit` or a `snapshot` (which the engine's
   * range delete does not take), the keys are read from an iterator and
   * deleted in batches.
   */
  async _clear (options: PrivateRangeOptions): Promise<void> {
    try {
      const db = this.#engine
      if (options.limit === -1 && options.snapshot == null) {
        await db.clear({ ...rangeOf(options), keyEncoding: options.keyEncoding })
        return
      }
      const it = db.keys({ ...iteratorOptions(options), keyEncoding: 'buffer' } as IteratorOptions<'buffer'>)
      try {
        for (let keys = it.nextvSync(CLEAR_CHUNK); keys.length > 0; keys = it.nextvSync(CLEAR_CHUNK)) {
          await db.batch(keys.map((key) => ({ type: 'del' as const, key: key as Buffer })), { keyEncoding: 'buffer' })
        }
      } finally {
        it.close()
      }
    } catch (err) {
      throw toLevelError(err)
    }
  }

  /** @internal abstract-level private API: an explicit snapshot over an engine snapshot. */
  _snapshot (options: { owner: unknown }): LsmLevelSnapshot {
    try {
      return new LsmLevelSnapshot(options, this.#engine.snapshot())
    } catch (err) {
      throw toLevelError(err)
    }
  }

  #openIterator (options: PrivateRangeOptions, keys: boolean, values: boolean): ReturnType<typeof openEngineIterator> {
    try {
      return openEngineIterator(this.#engine, options, keys, values)
    } catch (err) {
      throw toLevelError(err)
    }
  }
}
