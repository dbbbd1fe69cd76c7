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
  mmap: boolean
  maxKeySize: number
  maxValueSize: number
  testFlushDelayMs: number
}

/** Opaque handle to a native database object. */
export interface NativeDb {
  readonly __brand: 'NativeDb'
}

export type CompleteCallback = (id: number, code: string, message: string) => void
export type EventCallback = (name: 'flush' | 'stall' | 'stallEnd' | 'error', payload: Record<string, unknown>) => void

export interface NativeStats {
  puts: number
  deletes: number
  gets: number
  batches: number
  bytesWritten: number
  walBytes: number
  walSyncs: number
  groupCommits: number
  flushes: number
  flushBytes: number
  stalls: number
  stallMicros: number
  memtableBytes: number
  immutableMemtables: number
  immutableMemtableBytes: number
  lastSequence: number
  obsoleteFilesRemoved: number
  levels: Array<{ level: number, files: number, bytes: number }>
}

export interface Binding {
  /** Creates an unopened handle bound to its two callbacks and shared buffers. */
  db_init(onComplete: CompleteCallback, onEvent: EventCallback, keyBuffer: Buffer, valueBuffer: Buffer): NativeDb
  /** Opens in the background; completion `id` settles it. */
  db_open(db: NativeDb, location: string, options: NativeOpenOptions, id: number): void
  /** Queues a WriteBatch; completion `id` settles it after the WAL append (and fdatasync when sync). */
  db_write(db: NativeDb, batch: Uint8Array, sync: boolean, id: number): void
  /**
   * Looks up the key in keyBuffer[0, keyLength). Returns -1 when absent, the value length when
   * the value was copied into valueBuffer, or a Buffer when it does not fit. Throws LsmError.
   */
  db_get(db: NativeDb, keyLength: number): number | Buffer
  /**
   * Looks up `count` keys packed in `keys` as [u32 length][bytes]...; returns one buffer packed as
   * [i32 length or -1][bytes]... (little-endian).
   */
  db_get_many(db: NativeDb, keys: Uint8Array, count: number): Buffer
  /** Flushes memtables in the background; completion `id` settles it. */
  db_flush(db: NativeDb, id: number): void
  /** Closes in the background (R8); completion `id` settles it. */
  db_close(db: NativeDb, id: number): void
  db_stats(db: NativeDb): NativeStats
  /** Hands the LsmError class to native code so it throws real instances with `code`. */
  set_error_class(ctor: new (message: string, code: string) => Error): void
}

const root = path.join(__dirname, '..')
// node-gyp-build picks a matching prebuild from prebuilds/ or build/Release.
const load = createRequire(__filename)('node-gyp-build') as (dir: string) => Binding

export const binding: Binding = load(root)
