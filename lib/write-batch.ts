// Write batches: the encoder that turns puts and deletes into the engine's
// WriteBatch bytes (the format owned by native/include/lsm/write_batch.h, also
// the WAL record payload), and the chained `Batch` users build with
// `db.batch()`. One buffer per batch, one native call per group of batches.
//
//   rep      := sequence:fixed64 count:fixed32 record*   (header: 12 bytes)
//   record   := 0x01 key:varstring value:varstring        (put)
//             | 0x00 key:varstring                        (delete)
//   varstring:= len:varint32 bytes[len]
//
// JS writes zeros for the sequence (the engine assigns it) and patches the
// little-endian record count when the batch is handed over.

import { type Encoding, type EncodingInput, type Raw, toRaw } from './encoding'
import { LsmError } from './errors'
import { formatBytes, resolveWriteOptions } from './options'

/** Bytes before the first record: fixed64 sequence + fixed32 count. */
export const HEADER_SIZE = 12
const TYPE_DELETION = 0
const TYPE_VALUE = 1

/** Size limits checked while encoding. */
export interface Limits {
  readonly maxKeySize: number
  readonly maxValueSize: number
  /**
   * The engine stores empty keys; lsmkv's own API rejects them (a likely
   * bug in the caller), the abstract-level adapter allows them (its
   * contract requires it).
   */
  readonly allowEmptyKeys: boolean
}

/** A position to roll back to when an operation fails part way. */
export interface EncoderMark {
  readonly length: number
  readonly count: number
}

/** Throws the RangeError for an empty key or a key/value over its limit. */
export function checkSize (length: number, limit: number, argument: string, option: string, allowEmpty: boolean): void {
  if (length === 0 && !allowEmpty) throw new RangeError(`${argument} must not be empty`)
  if (length > limit) {
    throw new RangeError(
      `${argument} is ${length} bytes, over the limit of ${limit} bytes (${option}: ${formatBytes(limit)})`
    )
  }
}

/**
 * Where a key or value came from, for error messages: -1 for the `key` /
 * `value` argument itself, i >= 0 for `operations[i].key` / `.value`. A
 * number rather than a string so the success path builds no strings.
 */
export type ArgumentIndex = number

/** The argument name an {@link ArgumentIndex} stands for. */
export function argumentName (index: ArgumentIndex, field: 'key' | 'value'): string {
  return index < 0 ? field : `operations[${index}].${field}`
}

/** Byte length of `raw` after checking it against `limit`. */
function checkedByteLength (raw: Raw, limit: number, index: ArgumentIndex, field: 'key' | 'value', option: string, allowEmpty: boolean): number {
  const n = typeof raw === 'string' ? (raw.length <= 64 ? utf8Length(raw) : Buffer.byteLength(raw, 'utf8')) : raw.byteLength
  if (n > limit || (n === 0 && !allowEmpty)) checkSize(n, limit, argumentName(index, field), option, allowEmpty)
  return n
}

// UTF-8 byte length without a call into C++ for short strings.
function utf8Length (s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) {
      if (c < 0x800) n += 1
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 2 // surrogate pair: 4 bytes for 2 UTF-16 units
        i++
      } else n += 2
    }
  }
  return n
}

/**
 * Appends WriteBatch records to one growable buffer, reused across batches.
 * Not thread-safe (JS only); not part of the public API.
 */
export class BatchEncoder {
  #buf: Buffer
  #length = HEADER_SIZE
  #count = 0

  constructor (initialCapacity = 4096) {
    this.#buf = Buffer.alloc(Math.max(initialCapacity, HEADER_SIZE))
  }

  /** Records appended since the last reset. */
  get count (): number {
    return this.#count
  }

  /** Encoded bytes including the header. */
  get byteLength (): number {
    return this.#length
  }

  /** Capacity of the underlying buffer. */
  get capacity (): number {
    return this.#buf.length
  }

  mark (): EncoderMark {
    return { length: this.#length, count: this.#count }
  }

  rollback (mark: EncoderMark): void {
    this.#length = mark.length
    this.#count = mark.count
  }

  /** Drops every record; keeps the buffer. */
  reset (): void {
    this.#length = HEADER_SIZE
    this.#count = 0
  }

  /**
   * Appends a put. Throws RangeError (empty key, over a limit) before
   * anything is written.
   */
  put (key: Raw, value: Raw, limits: Limits, index: ArgumentIndex = -1): void {
    const keyLength = checkedByteLength(key, limits.maxKeySize, index, 'key', 'maxKeySize', limits.allowEmptyKeys)
    const valueLength = checkedByteLength(value, limits.maxValueSize, index, 'value', 'maxValueSize', true)
    this.#reserve(1 + 5 + keyLength + 5 + valueLength)
    this.#buf[this.#length++] = TYPE_VALUE
    this.#writeVarstring(key, keyLength)
    this.#writeVarstring(value, valueLength)
    this.#count++
  }

  /** Appends a delete. Throws RangeError (empty key, over the limit) before anything is written. */
  del (key: Raw, limits: Limits, index: ArgumentIndex = -1): void {
    const keyLength = checkedByteLength(key, limits.maxKeySize, index, 'key', 'maxKeySize', limits.allowEmptyKeys)
    this.#reserve(1 + 5 + keyLength)
    this.#buf[this.#length++] = TYPE_DELETION
    this.#writeVarstring(key, keyLength)
    this.#count++
  }

  /** Appends every record of `other` (kept contiguous, so still atomic). */
  append (other: BatchEncoder): void {
    const n = other.#length - HEADER_SIZE
    this.#reserve(n)
    other.#buf.copy(this.#buf, this.#length, HEADER_SIZE, other.#length)
    this.#length += n
    this.#count += other.#count
  }

  /**
   * The complete WriteBatch (header with count patched) as a view of the
   * internal buffer: valid until the next mutation of this encoder.
   */
  finish (): Buffer {
    this.#buf.fill(0, 0, 8)
    this.#buf.writeUInt32LE(this.#count, 8)
    return this.#buf.subarray(0, this.#length)
  }

  #reserve (extra: number): void {
    const needed = this.#length + extra
    if (needed <= this.#buf.length) return
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buf.length * 2))
    this.#buf.copy(grown, 0, 0, this.#length)
    this.#buf = grown
  }

  #writeVarstring (raw: Raw, byteLength: number): void {
    const buf = this.#buf
    let n = byteLength
    let pos = this.#length
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    buf[pos++] = n
    if (typeof raw === 'string') {
      pos += buf.write(raw, pos, byteLength, 'utf8')
    } else if (byteLength <= 32) {
      // A byte loop beats TypedArray#set's call overhead for short keys.
      for (let i = 0; i < byteLength; i++) buf[pos + i] = raw[i] as number
      pos += byteLength
    } else {
      buf.set(raw, pos)
      pos += byteLength
    }
    this.#length = pos
  }
}

/** @internal How a {@link Batch} reaches its database. */
export interface BatchSink {
  readonly keyEncoding: Encoding
  readonly valueEncoding: Encoding
  readonly limits: Limits
  /** Throws LsmError 'CLOSED' / 'NOT_OPEN' when the database cannot take writes. */
  assertUsable(): void
  /** Commits the encoder's records as one atomic unit of a group commit. */
  commit(encoder: BatchEncoder, sync: boolean | undefined): Promise<void>
}

/** Options of {@link Batch.write}. */
export interface BatchWriteOptions {
  /** fdatasync the WAL before the promise resolves. Default: the `sync` open option. */
  sync?: boolean
}

/**
 * A chained batch: puts and deletes collected in memory (already encoded)
 * and committed atomically by {@link Batch.write}. Each operation is
 * validated when added, so `write()` only fails for engine reasons.
 * Create one with `db.batch()`; after `write()` or `close()` the batch is
 * closed and every further call fails with LsmError code 'CLOSED'.
 *
 * @example
 * ```ts
 * await db.batch()
 *   .put('a', '1')
 *   .put('b', '2')
 *   .del('c')
 *   .write({ sync: true })
 * ```
 */
export class Batch<K extends Encoding = 'utf8', V extends Encoding = 'utf8'> {
  #sink: BatchSink
  #encoder: BatchEncoder | null = new BatchEncoder(1024)

  /**
   * Use `db.batch()` instead; the sink is internal.
   *
   * @example
   * ```ts
   * const batch = db.batch()
   * ```
   */
  constructor (sink: BatchSink) {
    this.#sink = sink
  }

  /**
   * Adds a put. Throws TypeError / RangeError for a bad key or value.
   *
   * @example
   * ```ts
   * db.batch().put('key', 'value')
   * ```
   */
  put (key: EncodingInput<K>, value: EncodingInput<V>): this {
    const encoder = this.#open()
    const sink = this.#sink
    encoder.put(
      toRaw(key, sink.keyEncoding, 'key'),
      toRaw(value, sink.valueEncoding, 'value'),
      sink.limits
    )
    return this
  }

  /**
   * Adds a delete. Throws TypeError / RangeError for a bad key.
   *
   * @example
   * ```ts
   * db.batch().del('key')
   * ```
   */
  del (key: EncodingInput<K>): this {
    const encoder = this.#open()
    encoder.del(toRaw(key, this.#sink.keyEncoding, 'key'), this.#sink.limits)
    return this
  }

  /**
   * Removes every operation added so far.
   *
   * @example
   * ```ts
   * const batch = db.batch().put('a', '1')
   * batch.clear()   // batch.length === 0
   * ```
   */
  clear (): this {
    this.#open().reset()
    return this
  }

  /**
   * Number of operations added (0 once closed).
   *
   * @example
   * ```ts
   * db.batch().put('a', '1').del('b').length   // 2
   * ```
   */
  get length (): number {
    return this.#encoder?.count ?? 0
  }

  /**
   * Commits every operation atomically, then closes the batch. Resolves after
   * the WAL append (and fdatasync with `sync: true`).
   *
   * @example
   * ```ts
   * const batch = db.batch()
   * batch.put('a', '1')
   * await batch.write()
   * ```
   */
  write (options?: BatchWriteOptions): Promise<void> {
    try {
      const encoder = this.#open()
      const o = resolveWriteOptions(options)
      if (o.keyEncoding !== undefined || o.valueEncoding !== undefined) {
        throw new TypeError('Batch#write() takes only the \'sync\' option; operations are encoded when added')
      }
      this.#encoder = null
      if (encoder.count === 0) return Promise.resolve()
      return this.#sink.commit(encoder, o.sync)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * Discards the batch without writing. Idempotent.
   *
   * @example
   * ```ts
   * const batch = db.batch().put('a', '1')
   * batch.close()   // nothing written
   * ```
   */
  close (): void {
    this.#encoder = null
  }

  #open (): BatchEncoder {
    if (this.#encoder === null) throw new LsmError('Batch is closed (already written or closed)', 'CLOSED')
    this.#sink.assertUsable()
    return this.#encoder
  }
}
