// Key and value encodings: how JS values become the byte strings the engine
// stores, and how stored bytes come back. Owns argument type checks for keys
// and values (the TypeError messages users see) and the decode rules for
// shared vs owned buffers.
//
//   'utf8'   in: string | Uint8Array   out: string (UTF-8 decoded)
//   'buffer' in: string | Uint8Array   out: Buffer
//   'view'   in: string | Uint8Array   out: Uint8Array (never a Buffer)
//   'json'   in: any JSON-serializable out: JSON.parse of the UTF-8 bytes
//
// Strings are always stored as UTF-8; Uint8Arrays as-is.

/** Name of a key or value encoding. */
export type Encoding = 'utf8' | 'buffer' | 'view' | 'json'

/** Every supported encoding, in documentation order. */
export const ENCODINGS: readonly Encoding[] = Object.freeze(['utf8', 'buffer', 'view', 'json'])

/**
 * What a read returns for each encoding.
 *
 * @example
 * ```ts
 * import type { DecodedTypes } from 'lsmkv'
 * const v: DecodedTypes['buffer'] = Buffer.from('x')
 * ```
 */
export interface DecodedTypes {
  utf8: string
  buffer: Buffer
  view: Uint8Array
  json: unknown
}

/**
 * The type a read returns for encoding `E`.
 *
 * @example
 * ```ts
 * import type { Decoded } from 'lsmkv'
 * const s: Decoded<'utf8'> = 'hello'
 * ```
 */
export type Decoded<E extends Encoding> = DecodedTypes[E]

/**
 * What a write accepts for encoding `E`: bytes or a string, or for `'json'`
 * any JSON-serializable value.
 *
 * @example
 * ```ts
 * import type { EncodingInput } from 'lsmkv'
 * const k: EncodingInput<'utf8'> = new Uint8Array([1, 2])
 * const v: EncodingInput<'json'> = { n: 1 }
 * ```
 */
export type EncodingInput<E extends Encoding> = E extends 'json' ? unknown : string | Uint8Array

/** A key or value after encoding: a string (stored as UTF-8) or raw bytes. */
export type Raw = string | Uint8Array

/** Short description of a value's type for error messages ("got number"). */
export function typeName (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  const t = typeof value
  if (t !== 'object') return t
  const ctor = (value as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== 'Object' ? `${ctor.name} object` : 'object'
}

/**
 * Checks `data` against `encoding` and returns its raw form. Throws a TypeError
 * naming `argument` ("key must be a string or Uint8Array, got number").
 */
export function toRaw (data: unknown, encoding: Encoding, argument: string): Raw {
  if (encoding !== 'json') {
    if (typeof data === 'string' || data instanceof Uint8Array) return data
    throw new TypeError(`${argument} must be a string or Uint8Array, got ${typeName(data)}`)
  }
  let text: string | undefined
  try {
    text = JSON.stringify(data)
  } catch (err) {
    throw new TypeError(`${argument} is not JSON-serializable: ${(err as Error).message}`, { cause: err })
  }
  if (text === undefined) {
    throw new TypeError(`${argument} is not JSON-serializable, got ${typeName(data)}`)
  }
  return text
}

/** Byte length of a raw key or value once stored. */
export function rawByteLength (raw: Raw): number {
  return typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength
}

// Buffer#utf8Slice skips toString's argument normalization; it is present in
// every supported Node version but untyped, so fall back when missing.
type Utf8Sliceable = Buffer & { utf8Slice?: (start: number, end: number) => string }
const hasUtf8Slice = typeof (Buffer.prototype as Utf8Sliceable).utf8Slice === 'function'

function utf8 (buf: Buffer, start: number, end: number): string {
  return hasUtf8Slice
    ? ((buf as Utf8Sliceable).utf8Slice as (start: number, end: number) => string).call(buf, start, end)
    : buf.toString('utf8', start, end)
}

/**
 * Decodes `buf[start, end)` from a buffer that will be reused (the shared
 * value buffer): 'buffer' and 'view' results are copies.
 */
export function decodeShared (buf: Buffer, start: number, end: number, encoding: Encoding): unknown {
  switch (encoding) {
    case 'utf8': return utf8(buf, start, end)
    case 'json': return JSON.parse(utf8(buf, start, end))
    case 'buffer': {
      const out = Buffer.allocUnsafe(end - start)
      buf.copy(out, 0, start, end)
      return out
    }
    case 'view': return new Uint8Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + end))
  }
}

/**
 * Decodes `buf[start, end)` from a buffer the caller owns and never reuses
 * (a fresh native result): 'buffer' and 'view' results are views, no copy.
 */
export function decodeOwned (buf: Buffer, start: number, end: number, encoding: Encoding): unknown {
  return decodeOwnedIn(buf, buf.buffer, buf.byteOffset, start, end, encoding)
}

/**
 * {@link decodeOwned} for a caller that decodes many entries of one buffer
 * and has read its `buffer` and `byteOffset` once (an iterator page):
 * `buf.buffer` is a C++ builtin call, costly twice per entry.
 */
export function decodeOwnedIn (buf: Buffer, ab: ArrayBufferLike, base: number, start: number, end: number, encoding: Encoding): unknown {
  switch (encoding) {
    case 'utf8': return utf8(buf, start, end)
    case 'json': return JSON.parse(utf8(buf, start, end))
    // Buffer.from(arrayBuffer, offset, length) is a view like subarray(), and
    // ~10 ns cheaper per call on Node 20 (no species lookup): two per entry
    // in an iterator page.
    case 'buffer': return Buffer.from(ab, base + start, end - start)
    case 'view': return new Uint8Array(ab, base + start, end - start)
  }
}
