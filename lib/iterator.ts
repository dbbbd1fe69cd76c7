// Iterator: ordered reads over a key range, from db.iterator() / keys() /
// values(). Owns the iterator and range options (validation, encoding of the
// bounds), the paging protocol with the native iterator (DESIGN §9: one
// native call per page of entries packed into one Buffer, a small first page
// after a seek, then large pages capped in bytes), decoding of entries out of
// a page, both iteration protocols, and the lifecycle (close, abort, disposal,
// database close, reclaiming iterators dropped without close()).
//
// Sync and async shapes: every read is served on the JS thread (a page is
// one synchronous native call), so the async methods are the sync ones
// wrapped in a promise:
//   for (const [k, v] of db.iterator()) {}          // [Symbol.iterator]
//   for await (const [k, v] of db.iterator()) {}    // [Symbol.asyncIterator]
//   await it.next() / it.nextSync()                 // IteratorResult
//   await it.nextv(n) / it.nextvSync(n), await it.all() / it.allSync()

import {
  ITER_KEYS,
  ITER_REVERSE,
  ITER_VALUES,
  PAGE_EXHAUSTED,
  RANGE_LOWER_INCLUSIVE,
  RANGE_UPPER_INCLUSIVE,
  binding,
  type NativeIterator
} from './binding'
import { type Encoding, type EncodingInput, type Raw, decodeOwnedIn, toRaw, typeName } from './encoding'
import { LsmError } from './errors'
import { checkBool, checkEncoding, checkKnown, checkObject } from './options'
import { type Snapshot, type SnapshotOwner } from './snapshot'

/** A fresh Buffer holding shared[0, length). */
function copyOut (shared: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  shared.copy(out, 0, 0, length)
  return out
}

/** Entries in the first page after creation or a seek: short scans stay cheap. */
const FIRST_PAGE_ENTRIES = 16
/** Entries and bytes per page after the first. */
const PAGE_ENTRIES = 1000
const PAGE_BYTES = 256 * 1024

/**
 * Bounds of a key range. Each is optional; `gt`/`gte` (lower) and `lt`/`lte`
 * (upper) are mutually exclusive pairs. Keys are encoded with the key
 * encoding, and ranges compare bytewise. A lower bound above the upper bound
 * is an empty range.
 *
 * @example
 * ```ts
 * const range: RangeOptions = { gte: 'user:', lt: 'user;' }
 * await db.clear(range)
 * ```
 */
export interface RangeOptions<K = EncodingInput<Encoding>> {
  /** Keys strictly greater than this. */
  gt?: K
  /** Keys greater than or equal to this. */
  gte?: K
  /** Keys strictly less than this. */
  lt?: K
  /** Keys less than or equal to this. */
  lte?: K
}

/**
 * Options of {@link Database.iterator}, {@link Database.keys} and
 * {@link Database.values}.
 *
 * @example
 * ```ts
 * const ac = new AbortController()
 * const it = db.iterator({ gte: 'a', lt: 'b', reverse: true, limit: 10, signal: ac.signal })
 * ```
 */
export interface IteratorOptions<KE extends Encoding = Encoding, VE extends Encoding = Encoding>
  extends RangeOptions<EncodingInput<KE>> {
  /** Iterate from the last key in the range to the first. Default `false`. */
  reverse?: boolean
  /** Stop after this many entries; `Infinity` or `-1` for no limit (default). */
  limit?: number
  /** Read as of this snapshot (see {@link Database.snapshot}); default: the state when the iterator is created. */
  snapshot?: Snapshot
  /** Aborting it closes the iterator; later reads reject with LsmError code `'ABORTED'`. */
  signal?: AbortSignal
  /** Override the database's key encoding (bounds, seek targets and yielded keys). */
  keyEncoding?: KE
  /** Override the database's value encoding. */
  valueEncoding?: VE
}

/** What an Iterator needs from its database (internal). */
export interface IteratorHost extends SnapshotOwner {
  /** Writes a key into the database's shared key buffer; returns its length. */
  readonly writeKey: (raw: Raw) => number
  /** The database's shared value buffer, where short pages arrive. */
  readonly valueBuffer: Buffer
}

/** A validated, encoded range (internal). */
export interface EncodedRange {
  flags: number
  lower: Uint8Array | undefined
  upper: Uint8Array | undefined
}

const rangeOptionNames = ['gt', 'gte', 'lt', 'lte', 'keyEncoding']
const iteratorOptionNames = ['gt', 'gte', 'lt', 'lte', 'reverse', 'limit', 'snapshot', 'signal', 'keyEncoding', 'valueEncoding']

function toBytes (raw: Raw): Uint8Array {
  return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw
}

function bound (o: Record<string, unknown>, exclusive: string, inclusive: string, encoding: Encoding): [Uint8Array | undefined, boolean] {
  const ex = o[exclusive]
  const inc = o[inclusive]
  if (ex !== undefined && inc !== undefined) {
    throw new TypeError(`Options '${exclusive}' and '${inclusive}' are mutually exclusive`)
  }
  if (inc !== undefined) return [toBytes(toRaw(inc, encoding, `Option '${inclusive}'`)), true]
  if (ex !== undefined) return [toBytes(toRaw(ex, encoding, `Option '${exclusive}'`)), false]
  return [undefined, false]
}

function encodeRange (o: Record<string, unknown>, keyEncoding: Encoding): EncodedRange {
  const [lower, lowerInclusive] = bound(o, 'gt', 'gte', keyEncoding)
  const [upper, upperInclusive] = bound(o, 'lt', 'lte', keyEncoding)
  let flags = 0
  if (lowerInclusive) flags |= RANGE_LOWER_INCLUSIVE
  if (upperInclusive) flags |= RANGE_UPPER_INCLUSIVE
  return { flags, lower, upper }
}

/**
 * Validates and encodes the range options of `clear()` (internal). Throws
 * TypeError naming a bad or unknown option.
 */
export function resolveRange (options: unknown, defaultKeyEncoding: Encoding): EncodedRange {
  const o = checkObject(options, 'options') ?? {}
  checkKnown(o, rangeOptionNames, 'range option')
  return encodeRange(o, checkEncoding(o['keyEncoding'], 'keyEncoding', defaultKeyEncoding))
}

/** Validated iterator options (internal). */
export interface ResolvedIteratorOptions extends EncodedRange {
  limit: number
  snapshot: unknown
  signal: AbortSignal | undefined
  keyEncoding: Encoding
  valueEncoding: Encoding
}

/**
 * Validates iterator options (internal). Throws TypeError / RangeError
 * naming the option; unknown options get a "did you mean" hint.
 */
export function resolveIteratorOptions (options: unknown, keyEncoding: Encoding, valueEncoding: Encoding): ResolvedIteratorOptions {
  const o = checkObject(options, 'options') ?? {}
  checkKnown(o, iteratorOptionNames, 'iterator option')
  const ke = checkEncoding(o['keyEncoding'], 'keyEncoding', keyEncoding)
  const range = encodeRange(o, ke)
  if (checkBool(o['reverse'], 'reverse', false)) range.flags |= ITER_REVERSE
  let limit = -1
  const l = o['limit']
  if (l !== undefined) {
    if (typeof l !== 'number') throw new TypeError(`Option 'limit' must be a number, got ${typeName(l)}`)
    if (l !== Infinity && l !== -1 && !(Number.isInteger(l) && l >= 0)) {
      throw new RangeError(`Option 'limit' must be a non-negative integer, Infinity or -1 (no limit), got ${l}`)
    }
    limit = l === Infinity ? -1 : l
  }
  const signal = o['signal']
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Option 'signal' must be an AbortSignal, got ${typeName(signal)}`)
  }
  return {
    ...range,
    limit,
    snapshot: o['snapshot'],
    signal,
    keyEncoding: ke,
    valueEncoding: checkEncoding(o['valueEncoding'], 'valueEncoding', valueEncoding)
  }
}

/** What an Iterator yields per entry (internal). */
export const enum IteratorMode { Entries = ITER_KEYS | ITER_VALUES, Keys = ITER_KEYS, Values = ITER_VALUES }

// Reclaims iterators dropped without close(): closing the engine iterator
// unpins its memtables and tables (the External's finalizer is the backstop).
const registry = new FinalizationRegistry<NativeIterator>((handle) => {
  binding.iterator_close(handle)
})

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined })
const EMPTY = Buffer.alloc(0)
const EMPTY_VIEW: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0)

/**
 * A cursor over a key range, created by {@link Database.iterator} (entries
 * as `[key, value]`), {@link Database.keys} (keys only) or
 * {@link Database.values} (values only; keys are never copied out of the
 * engine, and vice versa).
 *
 * It reads a consistent view: the state when it was created (or its
 * `snapshot`); writes made while it is open are invisible to it. Entries
 * cross from the engine in pages, so a scan of any length holds at most one
 * page (about 256 KiB) in memory. `'buffer'` and `'view'` results are views
 * into their page.
 *
 * Both protocols work: `for...of` and `for await...of`. Breaking out of
 * either, `return()`, `close()`, disposal (`using` / `await using`), an
 * aborted `signal` and closing the database all release the engine
 * iterator. A loop that runs to the end closes it too. Iterators dropped
 * without closing are reclaimed when garbage-collected.
 *
 * After `close()`, `return()` or disposal, reads throw (or reject with)
 * LsmError `'ITERATOR_CLOSED'`; after the database closes also
 * `'ITERATOR_CLOSED'`; after an abort `'ABORTED'` (with `cause` = the
 * signal's reason). A `next()` called before `db.close()` has already been
 * served: reads are synchronous, so none is ever left pending.
 *
 * @typeParam T - what each step yields (`[key, value]`, a key or a value)
 * @typeParam S - what {@link Iterator.seek} accepts (a key in the key encoding)
 *
 * @example
 * ```ts
 * for (const [key, value] of db.iterator({ gte: 'user:', lt: 'user;' })) {
 *   show(key, value)
 * }
 * for await (const key of db.keys({ reverse: true, limit: 10 })) show(key)
 * ```
 */
export class Iterator<T, S = EncodingInput<Encoding>> implements AsyncIterableIterator<T>, Iterable<T> {
  readonly #host: IteratorHost
  readonly #mode: IteratorMode
  readonly #keyEncoding: Encoding
  readonly #valueEncoding: Encoding
  #handle: NativeIterator | null
  #page: Buffer = EMPTY
  // #page's buffer, byteOffset and a DataView for its lengths, set with it by
  // #setPage: `page.buffer` is a C++ builtin call, and readUInt32LE a JS one.
  #pageBytes: ArrayBufferLike = EMPTY.buffer
  #pageBase = 0
  #pageView = EMPTY_VIEW
  #pos = 0
  #left = 0 // entries of #page not yet yielded
  #exhausted = false // the native iterator has nothing after #page
  #small = true // the next page is a first page
  #autoClose = false // a loop drives it: release at the end
  #ended = false // auto-closed at the end: reads return done
  #error: LsmError | null = null // why reads fail once closed
  #limitLeft: number // entries the limit still allows (-1: no limit); pages may read ahead of it
  #signal: AbortSignal | undefined
  #onAbort: (() => void) | undefined

  /**
   * @internal Created by {@link Database.iterator}, `keys()` and `values()`.
   */
  constructor (host: IteratorHost, handle: NativeIterator, mode: IteratorMode,
    keyEncoding: Encoding, valueEncoding: Encoding, limit: number, signal: AbortSignal | undefined) {
    this.#host = host
    this.#limitLeft = limit
    this.#handle = handle
    this.#mode = mode
    this.#keyEncoding = keyEncoding
    this.#valueEncoding = valueEncoding
    registry.register(this, handle, this)
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#abort(signal)
      } else {
        // A weak link: a long-lived signal must not keep the iterator alive.
        const ref = new WeakRef(this)
        const onAbort = (): void => {
          const it = ref.deref()
          if (it !== undefined) it.#abort(signal)
        }
        signal.addEventListener('abort', onAbort, { once: true })
        this.#signal = signal
        this.#onAbort = onAbort
      }
    }
  }

  /**
   * Whether the iterator is closed (explicitly, at the end of a loop, by an
   * abort or because its database closed).
   *
   * @example
   * ```ts
   * const it = db.iterator()
   * it.close()
   * it.closed   // true
   * ```
   */
  get closed (): boolean {
    return this.#handle === null || !this.#host.isOpen()
  }

  /**
   * The next entry, synchronously: `{ done: false, value }`, or
   * `{ done: true }` at the end of the range. Throws LsmError once closed.
   *
   * @example
   * ```ts
   * const it = db.iterator()
   * for (let r = it.nextSync(); !r.done; r = it.nextSync()) show(r.value)
   * it.close()
   * ```
   */
  nextSync (): IteratorResult<T, undefined> {
    if (this.#left === 0 || !this.#host.isOpen()) {
      if (!this.#fill(this.#small ? FIRST_PAGE_ENTRIES : PAGE_ENTRIES)) return DONE
    }
    return { done: false, value: this.#decode() }
  }

  /**
   * The next entry: resolves to `{ done: false, value }`, or `{ done: true }`
   * at the end. Rejects with LsmError once closed.
   *
   * @example
   * ```ts
   * const { done, value } = await it.next()
   * ```
   */
  next (): Promise<IteratorResult<T, undefined>> {
    try {
      return Promise.resolve(this.nextSync())
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Up to `size` entries synchronously; fewer only at the end of the range
   * (an empty array then). Throws RangeError for a bad `size`.
   *
   * @example
   * ```ts
   * for (let page = it.nextvSync(100); page.length > 0; page = it.nextvSync(100)) {}
   * ```
   */
  nextvSync (size: number): T[] {
    if (typeof size !== 'number') throw new TypeError(`size must be a number, got ${typeName(size)}`)
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`)
    const out: T[] = []
    while (out.length < size) {
      if (this.#left === 0 || !this.#host.isOpen()) {
        // Exactly what is still wanted (a seek followed by nextv(10) reads 10).
        if (!this.#fill(Math.min(size - out.length, PAGE_ENTRIES))) break
      }
      out.push(this.#decode())
    }
    return out
  }

  /**
   * Up to `size` entries; see {@link Iterator.nextvSync}.
   *
   * @example
   * ```ts
   * const first100 = await it.nextv(100)
   * ```
   */
  nextv (size: number): Promise<T[]> {
    try {
      return Promise.resolve(this.nextvSync(size))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Every remaining entry, synchronously, then closes the iterator.
   *
   * @example
   * ```ts
   * const entries = db.iterator({ limit: 100 }).allSync()
   * ```
   */
  allSync (): T[] {
    const out: T[] = []
    try {
      for (;;) {
        if (this.#left === 0 || !this.#host.isOpen()) {
          if (!this.#fill(this.#small ? FIRST_PAGE_ENTRIES : PAGE_ENTRIES)) break
        }
        out.push(this.#decode())
      }
    } finally {
      this.close()
    }
    return out
  }

  /**
   * Every remaining entry, then closes the iterator.
   *
   * @example
   * ```ts
   * const keys = await db.keys({ gte: 'a', lt: 'b' }).all()
   * ```
   */
  all (): Promise<T[]> {
    try {
      return Promise.resolve(this.allSync())
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Moves the cursor: forward iterators continue at the first key `>=
   * target`, reverse ones at the last key `<= target`, always within the
   * iterator's range. The `limit` keeps counting. Throws LsmError once
   * closed, TypeError / RangeError for a bad target.
   *
   * @example
   * ```ts
   * const it = db.iterator()
   * it.seek('m')
   * const { value } = it.nextSync()   // the first entry with key >= 'm'
   * ```
   */
  seek (target: S): void {
    const handle = this.#usableHandle()
    const length = this.#host.writeKey(toRaw(target, this.#keyEncoding, 'target'))
    binding.iterator_seek(handle, length, this.#limitLeft)
    this.#left = 0
    this.#setPage(EMPTY)
    this.#exhausted = false
    this.#small = true
  }

  /**
   * Releases the engine iterator (and the memtables and tables it pins).
   * Idempotent; never throws. Later reads throw `'ITERATOR_CLOSED'`.
   *
   * @example
   * ```ts
   * const it = db.iterator()
   * try { await it.next() } finally { it.close() }
   * ```
   */
  close (): void {
    this.#release(new LsmError('Iterator is closed', 'ITERATOR_CLOSED'))
  }

  /**
   * Closes the iterator (the iteration protocol's early exit, called by
   * `break` in a `for await` loop).
   *
   * @example
   * ```ts
   * await it.return()
   * ```
   */
  return<R = undefined> (value?: R): Promise<IteratorResult<T, R>> {
    this.close()
    return Promise.resolve({ done: true, value: value as R })
  }

  /**
   * `for await` support: returns this iterator, which then closes itself at
   * the end of the loop (or when the loop exits early).
   *
   * @example
   * ```ts
   * for await (const [k, v] of db.iterator()) show(k, v)
   * ```
   */
  [Symbol.asyncIterator] (): this {
    this.#autoClose = true
    return this
  }

  /**
   * `for...of` support: a synchronous view of the same cursor that closes
   * the iterator at the end of the loop (or when the loop exits early).
   *
   * @example
   * ```ts
   * for (const key of db.keys()) show(key)
   * const all = [...db.values({ limit: 5 })]
   * ```
   */
  [Symbol.iterator] (): IterableIterator<T> {
    this.#autoClose = true
    const view: IterableIterator<T> = {
      next: () => this.nextSync(),
      return: (value?: unknown) => {
        this.close()
        return { done: true, value }
      },
      [Symbol.iterator]: () => view
    }
    return view
  }

  /**
   * Same as {@link Iterator.close}, for `using it = db.iterator()`.
   *
   * @example
   * ```ts
   * using it = db.iterator()
   * ```
   */
  [Symbol.dispose] (): void {
    this.close()
  }

  /**
   * Same as {@link Iterator.close}, for `await using it = db.iterator()`.
   *
   * @example
   * ```ts
   * await using it = db.iterator()
   * ```
   */
  [Symbol.asyncDispose] (): Promise<void> {
    this.close()
    return Promise.resolve()
  }

  // --- internals ------------------------------------------------------------

  #usableHandle (): NativeIterator {
    if (!this.#host.isOpen()) {
      this.#release(new LsmError('Iterator is closed: its database was closed', 'ITERATOR_CLOSED'))
    }
    const handle = this.#handle
    if (handle === null) throw this.#error ?? new LsmError('Iterator is closed', 'ITERATOR_CLOSED')
    return handle
  }

  /** Loads the next page; false at the end. Throws once closed. */
  #fill (entries: number): boolean {
    if (this.#ended) return false
    const handle = this.#usableHandle()
    this.#left = 0
    if (!this.#exhausted) {
      const result = binding.iterator_next(handle, entries, PAGE_BYTES)
      // A page in the shared buffer is copied out at once: entries are views
      // into their page, and the shared buffer is overwritten by the next
      // read. (Small copies come from Buffer's pool: no new ArrayBuffer.)
      const page = typeof result === 'number' ? copyOut(this.#host.valueBuffer, result) : result
      this.#small = false
      this.#exhausted = (page.readUInt32LE(4) & PAGE_EXHAUSTED) !== 0
      const count = page.readUInt32LE(0)
      if (count > 0) {
        this.#setPage(page)
        this.#pos = 8
        this.#left = count
        return true
      }
    }
    this.#setPage(EMPTY)
    if (this.#autoClose) {
      this.close()
      this.#ended = true
    }
    return false
  }

  /** Makes `page` current, with the views #decode reads it through. */
  #setPage (page: Buffer): void {
    this.#page = page
    this.#pageBytes = page.buffer
    this.#pageBase = page.byteOffset
    this.#pageView = page === EMPTY ? EMPTY_VIEW : new DataView(page.buffer, page.byteOffset, page.length)
  }

  /** Decodes the entry at #pos. REQUIRES: #left > 0. */
  #decode (): T {
    const page = this.#page
    let pos = this.#pos
    let key: unknown
    let value: unknown
    if (this.#mode !== IteratorMode.Values) {
      const end = pos + 4 + this.#pageView.getUint32(pos, true)
      key = decodeOwnedIn(page, this.#pageBytes, this.#pageBase, pos + 4, end, this.#keyEncoding)
      pos = end
    }
    if (this.#mode !== IteratorMode.Keys) {
      const end = pos + 4 + this.#pageView.getUint32(pos, true)
      value = decodeOwnedIn(page, this.#pageBytes, this.#pageBase, pos + 4, end, this.#valueEncoding)
      pos = end
    }
    this.#pos = pos
    this.#left--
    if (this.#limitLeft > 0) this.#limitLeft--
    return (this.#mode === IteratorMode.Entries ? [key, value] : this.#mode === IteratorMode.Keys ? key : value) as T
  }

  #abort (signal: AbortSignal): void {
    if (this.#handle === null) return
    this.#release(new LsmError('Iteration was aborted', 'ABORTED', { cause: signal.reason }))
  }

  #release (error: LsmError): void {
    const handle = this.#handle
    if (handle === null) return
    this.#handle = null
    this.#error = error
    this.#left = 0
    this.#setPage(EMPTY)
    registry.unregister(this)
    if (this.#signal !== undefined && this.#onAbort !== undefined) {
      this.#signal.removeEventListener('abort', this.#onAbort)
    }
    this.#signal = undefined
    this.#onAbort = undefined
    binding.iterator_close(handle)
  }
}
