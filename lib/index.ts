// Public entry point of lsmkv: everything users import comes from here.
// Internals (the binding, the batch encoder, option resolution) stay private.
//
// @example
// ```ts
// import { open } from 'lsmkv'
// await using db = await open('./data')
// await db.put('k', 'v')
// ```

export { open, Database } from './database'
export type {
  BatchOperation,
  CompactionEvent,
  DatabaseEvents,
  DatabaseStats,
  DatabaseStatus,
  FlushEvent,
  LevelStats,
  StallEvent,
  StallReasonStats
} from './database'
export { Batch } from './write-batch'
export type {
  BytesWrittenMetrics,
  DatabaseMetrics,
  LatencyKind,
  LatencyStats,
  MetricsOptions,
  OperationKind
} from './metrics'
export type { LogEvent, LogLevel, LogRecord, Logger } from './logger'
export { Iterator } from './iterator'
export type { IteratorOptions, RangeOptions } from './iterator'
export { Snapshot } from './snapshot'
export type { BatchWriteOptions } from './write-batch'
export { LsmError } from './errors'
export { setNativeBinding } from './binding'
export { verify } from './verify'
export type { VerifiedFile, VerifyIssue, VerifyReport } from './verify'
export type { LsmErrorCode, LsmErrorOptions } from './errors'
export type { OpenOptions, ReadOptions, TestHooks, WriteOptions } from './options'
export type { Decoded, DecodedTypes, Encoding, EncodingInput } from './encoding'
