// Options: the typed open / write / read options, their defaults and ranges,
// and their validation. Every check happens here, before anything reaches
// native code; messages name the option and the allowed range, and unknown
// options are rejected with a "did you mean" hint.

import { constants as bufferConstants } from 'node:buffer'
import type { NativeOpenOptions } from './binding'
import { ENCODINGS, type Encoding, typeName } from './encoding'
import { type Logger, checkLogger } from './logger'
import type { Snapshot } from './snapshot'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** Largest key the engine accepts: 64 KiB. */
export const MAX_KEY_SIZE = 64 * KiB
/** Largest value the engine accepts: 64 MiB (or less if Buffers are smaller on this platform). */
export const MAX_VALUE_SIZE = Math.min(64 * MiB, bufferConstants.MAX_LENGTH)

/** Hooks that slow the engine down on purpose. For tests only; do not use in production. */
export interface TestHooks {
  /** The flush thread sleeps this long (ms) before building each table, forcing write stalls. Default 0. */
  flushDelayMs?: number
  /** Each compaction sleeps this long (ms) before it starts, forcing L0 write stalls. Default 0. */
  compactionDelayMs?: number
}

/**
 * Options of {@link open}. All are optional; each is validated, and unknown
 * names are rejected.
 *
 * @example
 * ```ts
 * const db = await open('./data', {
 *   memtableSize: 16 * 1024 * 1024,
 *   valueEncoding: 'json',
 *   sync: true
 * })
 * ```
 */
export interface OpenOptions<K extends Encoding = Encoding, V extends Encoding = Encoding> {
  /** Create the directory and an empty database when missing. Default `true`. */
  createIfMissing?: boolean
  /** Fail with an error when the database already exists. Default `false`. */
  errorIfExists?: boolean
  /** Bytes of writes buffered in memory before a flush to an SSTable; 4 KiB to 2 GiB. Default 16 MiB. */
  memtableSize?: number
  /** Full memtables that may wait for the flush thread before writers stall; 1 to 64. Default 2. */
  maxImmutableMemtables?: number
  /** Target SSTable data block size in bytes; 256 B to 4 MiB. Default 512 (a point get checksums the whole block it reads). */
  blockSize?: number
  /** Keys between restart points inside a block; 1 to 4096. Default 16. */
  blockRestartInterval?: number
  /** Bloom filter bits per key, 0 disables filters; 0 to 64. Default 10 (~1% false positives). */
  bloomBitsPerKey?: number
  /** Store each SSTable value LZ-compressed when that saves at least 1/8 of its bytes. Default `true`. */
  compression?: boolean
  /** Read SSTables through mmap (`false`: pread). Default `true`. */
  mmap?: boolean
  /** Largest key in bytes; 1 to 65536. Default 65536 (64 KiB). */
  maxKeySize?: number
  /** Largest value in bytes; 0 to 64 MiB. Default 64 MiB. */
  maxValueSize?: number
  /**
   * Largest non-sync write group (bytes, as encoded) committed on the JS thread itself when no
   * other write is queued or in progress and no stall is on: no thread hop each way, ~0.3 ms of
   * event-loop time for a 1000-put (125 KB) batch. 0 sends every write to the commit thread. 0 to 4 MiB. Default 256 KiB.
   */
  inlineWriteBytes?: number
  /** Target size of level 1 in bytes; level n targets `levelBase * levelRatio^(n-1)`. 64 KiB to 1024 GiB. Default 64 MiB. */
  levelBase?: number
  /** Size ratio between adjacent levels; 2 to 100. Default 10. */
  levelRatio?: number
  /** L0 files that start an L0 -> L1 compaction; 1 to 256. Default 4. */
  l0CompactionTrigger?: number
  /** L0 files at which each write group is delayed by ~1 ms; at least `l0CompactionTrigger`, up to 1024. Default 8. */
  l0SlowdownTrigger?: number
  /** L0 files at which writes wait for compaction; at least `l0SlowdownTrigger`, up to 1024. Default 12. */
  l0StopTrigger?: number
  /** Compaction output files are cut at this size (never inside one key's versions); 64 KiB to 4 GiB. Default 8 MiB. */
  targetFileSize?: number
  /** Background compaction threads; 1 or 2. Default 1. */
  compactionThreads?: number
  /** Compact a table, or flush an idle memtable, once reads that had to look past it have cost about what compacting or flushing it costs (LevelDB's seek compaction). Default `true`. */
  readTriggeredCompaction?: boolean
  /** Default of the per-write `sync` option (fdatasync before acknowledging). Default `false`. */
  sync?: boolean
  /** Encoding of keys. Default `'utf8'`. */
  keyEncoding?: K
  /** Encoding of values. Default `'utf8'`. */
  valueEncoding?: V
  /** For tests only: hooks that slow the engine down on purpose. */
  testHooks?: TestHooks
  /**
   * Open without taking the LOCK, while another process may be writing:
   * nothing in the directory is created or changed, writes reject with
   * `'READ_ONLY'`, and `db.refresh()` catches up with the writer. Default `false`.
   */
  readOnly?: boolean
  /**
   * Share one engine among the opens of this directory in this process
   * (main thread and worker threads), each with `shared: true` and the same
   * engine options; the engine closes when the last one does. Default `false`.
   */
  shared?: boolean
  /** Receives open / close / flush / compaction / stall / error messages (see {@link Logger}). Default: none, nothing is logged. */
  logger?: Logger
}

/**
 * Options of a single write (put, del, batch).
 *
 * @example
 * ```ts
 * await db.put('k', 'v', { sync: true })
 * ```
 */
export interface WriteOptions {
  /** fdatasync the WAL before the promise resolves. Default: the `sync` open option. */
  sync?: boolean
  /** Override the database's key encoding for this call. */
  keyEncoding?: Encoding
  /** Override the database's value encoding for this call. */
  valueEncoding?: Encoding
}

/**
 * Options of a single read (get, getSync, getMany, has, hasSync).
 *
 * @example
 * ```ts
 * const bytes = await db.get('k', { valueEncoding: 'buffer' })
 * const old = db.getSync('k', { snapshot: snap })
 * ```
 */
export interface ReadOptions<E extends Encoding = Encoding> {
  /** Read as of this snapshot (see `db.snapshot()`); default: the latest committed state. */
  snapshot?: Snapshot
  /** Override the database's key encoding for this call. */
  keyEncoding?: Encoding
  /** Override the database's value encoding for this call. */
  valueEncoding?: E
}

/** Open options after validation, with every default applied. */
/**
 * @internal Symbol-keyed open option (invisible to option validation) with
 * which the abstract-level adapter lets empty keys through; lsmkv's own API
 * rejects them.
 */
export const kAllowEmptyKeys: unique symbol = Symbol('lsmkv.allowEmptyKeys')

export interface ResolvedOptions {
  readonly native: NativeOpenOptions
  readonly allowEmptyKeys: boolean
  readonly sync: boolean
  readonly keyEncoding: Encoding
  readonly valueEncoding: Encoding
  readonly logger: Logger | undefined
}

interface IntRange { min: number, max: number, unit: string }

const intOptions: Record<string, IntRange> = {
  memtableSize: { min: 4 * KiB, max: 2 * GiB, unit: 'bytes' },
  maxImmutableMemtables: { min: 1, max: 64, unit: '' },
  blockSize: { min: 256, max: 4 * MiB, unit: 'bytes' },
  blockRestartInterval: { min: 1, max: 4096, unit: '' },
  bloomBitsPerKey: { min: 0, max: 64, unit: '' },
  maxKeySize: { min: 1, max: MAX_KEY_SIZE, unit: 'bytes' },
  maxValueSize: { min: 0, max: MAX_VALUE_SIZE, unit: 'bytes' },
  inlineWriteBytes: { min: 0, max: 4 * MiB, unit: 'bytes' },
  levelBase: { min: 64 * KiB, max: 1024 * GiB, unit: 'bytes' },
  levelRatio: { min: 2, max: 100, unit: '' },
  l0CompactionTrigger: { min: 1, max: 256, unit: '' },
  l0SlowdownTrigger: { min: 1, max: 1024, unit: '' },
  l0StopTrigger: { min: 1, max: 1024, unit: '' },
  targetFileSize: { min: 64 * KiB, max: 4 * GiB, unit: 'bytes' },
  compactionThreads: { min: 1, max: 2, unit: '' }
}
const boolOptions = ['createIfMissing', 'errorIfExists', 'compression', 'mmap', 'sync', 'readOnly', 'shared', 'readTriggeredCompaction']
const encodingOptions = ['keyEncoding', 'valueEncoding']
const openOptionNames = [...boolOptions, ...Object.keys(intOptions), ...encodingOptions, 'testHooks', 'logger']
/** Names of every open option (internal: lib/level.ts picks the engine's options out of abstract-level's). */
export const OPEN_OPTION_NAMES: readonly string[] = Object.freeze([...openOptionNames])
const testHookNames = ['flushDelayMs', 'compactionDelayMs']
const writeOptionNames = ['sync', 'keyEncoding', 'valueEncoding']
const readOptionNames = ['keyEncoding', 'valueEncoding', 'snapshot']

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance (a: string, b: string): number {
  const al = a.toLowerCase()
  const bl = b.toLowerCase()
  let prev = Array.from({ length: bl.length + 1 }, (_, j) => j)
  for (let i = 1; i <= al.length; i++) {
    const cur = [i]
    for (let j = 1; j <= bl.length; j++) {
      const cost = al[i - 1] === bl[j - 1] ? 0 : 1
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
    }
    prev = cur
  }
  return prev[bl.length] as number
}

function unknownOption (name: string, known: readonly string[], what: string): TypeError {
  let best = ''
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = editDistance(name, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const hint = bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? `did you mean '${best}'?`
    : `known options: ${known.map((k) => `'${k}'`).join(', ')}`
  return new TypeError(`Unknown ${what} '${name}'; ${hint}`)
}

function checkObject (value: unknown, argument: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${argument} must be an object, got ${typeName(value)}`)
  }
  return value as Record<string, unknown>
}

function checkKnown (obj: Record<string, unknown>, known: readonly string[], what: string): void {
  for (const name of Object.keys(obj)) {
    if (!known.includes(name)) throw unknownOption(name, known, what)
  }
}

function checkBool (value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`Option '${name}' must be a boolean, got ${typeName(value)}`)
  return value
}

function formatBytes (n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`
  return n === 1 ? '1 byte' : `${n} bytes`
}

function checkInt (value: unknown, name: string, range: IntRange, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw new TypeError(`Option '${name}' must be a number, got ${typeName(value)}`)
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    const fmt = range.unit === 'bytes' ? formatBytes : String
    throw new RangeError(
      `Option '${name}' must be an integer from ${fmt(range.min)} to ${fmt(range.max)}, got ${value}`
    )
  }
  return value
}

function checkEncoding (value: unknown, name: string, fallback: Encoding): Encoding {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !(ENCODINGS as readonly string[]).includes(value)) {
    const got = typeof value === 'string' ? `'${value}'` : typeName(value)
    throw new TypeError(`Option '${name}' must be one of ${ENCODINGS.map((e) => `'${e}'`).join(', ')}, got ${got}`)
  }
  return value as Encoding
}

function optionRange (name: string): IntRange {
  return intOptions[name] as IntRange
}

/**
 * Validates open options and applies defaults. Throws TypeError (unknown
 * option, wrong type) or RangeError (out of range) naming the option.
 */
export function resolveOpenOptions (options: unknown): ResolvedOptions {
  const o = checkObject(options, 'options') ?? {}
  checkKnown(o, openOptionNames, 'option')
  const hooks = checkObject(o['testHooks'], "Option 'testHooks'") ?? {}
  checkKnown(hooks, testHookNames, 'test hook')
  const native: NativeOpenOptions = {
    createIfMissing: checkBool(o['createIfMissing'], 'createIfMissing', true),
    errorIfExists: checkBool(o['errorIfExists'], 'errorIfExists', false),
    memtableSize: checkInt(o['memtableSize'], 'memtableSize', optionRange('memtableSize'), 16 * MiB),
    maxImmutableMemtables: checkInt(o['maxImmutableMemtables'], 'maxImmutableMemtables', optionRange('maxImmutableMemtables'), 2),
    blockSize: checkInt(o['blockSize'], 'blockSize', optionRange('blockSize'), 512),
    blockRestartInterval: checkInt(o['blockRestartInterval'], 'blockRestartInterval', optionRange('blockRestartInterval'), 16),
    bloomBitsPerKey: checkInt(o['bloomBitsPerKey'], 'bloomBitsPerKey', optionRange('bloomBitsPerKey'), 10),
    compression: checkBool(o['compression'], 'compression', true),
    mmap: checkBool(o['mmap'], 'mmap', true),
    maxKeySize: checkInt(o['maxKeySize'], 'maxKeySize', optionRange('maxKeySize'), MAX_KEY_SIZE),
    maxValueSize: checkInt(o['maxValueSize'], 'maxValueSize', optionRange('maxValueSize'), MAX_VALUE_SIZE),
    inlineWriteBytes: checkInt(o['inlineWriteBytes'], 'inlineWriteBytes', optionRange('inlineWriteBytes'), 256 * KiB),
    testFlushDelayMs: checkInt(hooks['flushDelayMs'], 'testHooks.flushDelayMs', { min: 0, max: 600_000, unit: '' }, 0),
    levelBase: checkInt(o['levelBase'], 'levelBase', optionRange('levelBase'), 64 * MiB),
    levelRatio: checkInt(o['levelRatio'], 'levelRatio', optionRange('levelRatio'), 10),
    l0CompactionTrigger: checkInt(o['l0CompactionTrigger'], 'l0CompactionTrigger', optionRange('l0CompactionTrigger'), 4),
    l0SlowdownTrigger: 0,
    l0StopTrigger: 0,
    targetFileSize: checkInt(o['targetFileSize'], 'targetFileSize', optionRange('targetFileSize'), 8 * MiB),
    compactionThreads: checkInt(o['compactionThreads'], 'compactionThreads', optionRange('compactionThreads'), 1),
    readTriggeredCompaction: checkBool(o['readTriggeredCompaction'], 'readTriggeredCompaction', true),
    testCompactionDelayMs: checkInt(hooks['compactionDelayMs'], 'testHooks.compactionDelayMs', { min: 0, max: 600_000, unit: '' }, 0),
    readOnly: checkBool(o['readOnly'], 'readOnly', false),
    shared: checkBool(o['shared'], 'shared', false)
  }
  // The L0 triggers must be ordered; defaults follow a lower trigger set explicitly.
  native.l0SlowdownTrigger = checkInt(o['l0SlowdownTrigger'], 'l0SlowdownTrigger', optionRange('l0SlowdownTrigger'),
    Math.max(8, native.l0CompactionTrigger))
  if (native.l0SlowdownTrigger < native.l0CompactionTrigger) {
    throw new RangeError(`Option 'l0SlowdownTrigger' must be at least l0CompactionTrigger (${native.l0CompactionTrigger}), got ${native.l0SlowdownTrigger}`)
  }
  native.l0StopTrigger = checkInt(o['l0StopTrigger'], 'l0StopTrigger', optionRange('l0StopTrigger'),
    Math.max(12, native.l0SlowdownTrigger))
  if (native.l0StopTrigger < native.l0SlowdownTrigger) {
    throw new RangeError(`Option 'l0StopTrigger' must be at least l0SlowdownTrigger (${native.l0SlowdownTrigger}), got ${native.l0StopTrigger}`)
  }
  return {
    native,
    allowEmptyKeys: (options as { [kAllowEmptyKeys]?: unknown } | undefined)?.[kAllowEmptyKeys] === true,
    sync: checkBool(o['sync'], 'sync', false),
    keyEncoding: checkEncoding(o['keyEncoding'], 'keyEncoding', 'utf8'),
    valueEncoding: checkEncoding(o['valueEncoding'], 'valueEncoding', 'utf8'),
    logger: checkLogger(o['logger'])
  }
}

/** A validated per-call write option set. */
export interface ResolvedWriteOptions {
  sync: boolean | undefined
  keyEncoding: Encoding | undefined
  valueEncoding: Encoding | undefined
}

const emptyWrite: ResolvedWriteOptions = Object.freeze({ sync: undefined, keyEncoding: undefined, valueEncoding: undefined })

/** Validates per-call write options; `undefined` fields mean "the database default". */
export function resolveWriteOptions (options: unknown): ResolvedWriteOptions {
  const o = checkObject(options, 'options')
  if (o === undefined) return emptyWrite
  checkKnown(o, writeOptionNames, 'write option')
  const sync = o['sync']
  if (sync !== undefined && typeof sync !== 'boolean') {
    throw new TypeError(`Option 'sync' must be a boolean, got ${typeName(sync)}`)
  }
  return {
    sync,
    keyEncoding: o['keyEncoding'] === undefined ? undefined : checkEncoding(o['keyEncoding'], 'keyEncoding', 'utf8'),
    valueEncoding: o['valueEncoding'] === undefined ? undefined : checkEncoding(o['valueEncoding'], 'valueEncoding', 'utf8')
  }
}

/** A validated per-call read option set. */
export interface ResolvedReadOptions {
  /** Unchecked here: the database turns it into a native handle (lib/snapshot.ts). */
  snapshot: unknown
  keyEncoding: Encoding | undefined
  valueEncoding: Encoding | undefined
}

const emptyRead: ResolvedReadOptions = Object.freeze({ snapshot: undefined, keyEncoding: undefined, valueEncoding: undefined })

/** Validates per-call read options; `undefined` fields mean "the database default". */
export function resolveReadOptions (options: unknown): ResolvedReadOptions {
  const o = checkObject(options, 'options')
  if (o === undefined) return emptyRead
  checkKnown(o, readOptionNames, 'read option')
  return {
    snapshot: o['snapshot'],
    keyEncoding: o['keyEncoding'] === undefined ? undefined : checkEncoding(o['keyEncoding'], 'keyEncoding', 'utf8'),
    valueEncoding: o['valueEncoding'] === undefined ? undefined : checkEncoding(o['valueEncoding'], 'valueEncoding', 'utf8')
  }
}

/** "64 MiB" style formatting of byte limits, shared with error messages elsewhere. */
export { formatBytes }
/** The validation helpers, shared with the iterator and range options (lib/iterator.ts). */
export { checkBool, checkEncoding, checkKnown, checkObject }
