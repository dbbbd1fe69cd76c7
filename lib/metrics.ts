// Metrics: the shape of `db.metrics()` — operation counters, byte counters
// and latency percentiles — built from `db.stats()` (the engine counters,
// reused as is), the engine's latency histograms (native/include/lsm/
// metrics.h; percentiles are computed there, by one implementation) and the
// JS-side operation counts. Also the validation of `metrics()` options.
//
// Which latencies are timed where:
// - engine (C++, monotonic clock): flush, compaction, walSync (fdatasync);
// - binding (C++): iteratorPage, one native page fetch, every page;
// - lib/database.ts (performance.now): put / del / batch from the call to the
//   acknowledgement, timed once per group commit and recorded once per member
//   (the group's time: members that joined later in the same turn waited a
//   little less); get / getSync, 1 call in READ_SAMPLE_EVERY, because timing
//   every ~1 µs read would cost more than the read.

import type { DatabaseStats } from './database'
import { typeName } from './encoding'

/** 1 in this many get / getSync calls is timed (a power of two). */
export const READ_SAMPLE_EVERY = 64

/**
 * Timed operations. The position of each name is the engine's LatencyKind
 * number (native/include/lsm/metrics.h): do not reorder.
 */
export const LATENCY_KINDS = ['get', 'getSync', 'put', 'del', 'batch', 'iteratorPage', 'flush', 'compaction', 'walSync'] as const

/** A timed operation: see {@link DatabaseMetrics.latency}. */
export type LatencyKind = typeof LATENCY_KINDS[number]

/** LatencyKind numbers the JS side records (native LatencyKind). */
export const enum LatencyId { Get = 0, GetSync = 1, Put = 2, Del = 3, Batch = 4 }

/** Operations counted by {@link DatabaseMetrics.operations}. */
export type OperationKind = LatencyKind

/**
 * Latency distribution of one operation, in microseconds (fractional).
 * Percentiles are interpolated inside log-linear buckets at most 6.25% wide,
 * so they are within that of the true value; all fields are 0 when `count` is 0.
 */
export interface LatencyStats {
  /** Samples recorded (for get / getSync: the sampled calls, see {@link DatabaseMetrics.sampling}). */
  readonly count: number
  readonly sum: number
  readonly mean: number
  readonly min: number
  readonly max: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly p999: number
}

/** Bytes written, by whom. */
export interface BytesWrittenMetrics {
  /** User key + value bytes written (acknowledged). */
  readonly user: number
  /** Bytes appended to WAL segments. */
  readonly wal: number
  /** SSTable bytes written by flushes. */
  readonly flush: number
  /** SSTable bytes written by compactions. */
  readonly compaction: number
  /** wal + flush + compaction. */
  readonly disk: number
}

/**
 * What {@link Database.metrics} returns.
 *
 * @example
 * ```ts
 * const m = db.metrics()
 * show(`getSync p99: ${m.latency.getSync.p99} µs over ${m.operations.getSync} calls`)
 * ```
 */
export interface DatabaseMetrics {
  /**
   * Operations so far. get / getSync: calls; put / del / batch: acknowledged
   * writes; iteratorPage: native page fetches; flush / compaction: completed
   * ones; walSync: fdatasyncs of the WAL.
   */
  readonly operations: Readonly<Record<OperationKind, number>>
  readonly bytesWritten: BytesWrittenMetrics
  readonly flushes: number
  readonly compactions: number
  /** Times writers had to wait (every reason), and for how long in total. */
  readonly stalls: number
  readonly stallMicros: number
  /** Latency per operation, in microseconds. */
  readonly latency: Readonly<Record<LatencyKind, LatencyStats>>
  /** 1 in N calls is timed, per operation (operations not listed: every one). */
  readonly sampling: Readonly<Partial<Record<LatencyKind, number>>>
  /** Everything {@link Database.stats} reports, taken at the same time. */
  readonly stats: DatabaseStats
}

/** Options of {@link Database.metrics}. */
export interface MetricsOptions {
  /** `'object'` (default): a {@link DatabaseMetrics}; `'prometheus'`: the Prometheus text exposition format. */
  format?: 'object' | 'prometheus'
  /**
   * Prometheus only: labels added to every sample, e.g. `{ db: 'users' }`. Names must match
   * `[a-zA-Z_][a-zA-Z0-9_]*`, not start with `__` and not be one lsmkv uses (op, kind, reason, level, quantile).
   */
  labels?: Readonly<Record<string, string>>
}

export interface ResolvedMetricsOptions {
  readonly format: 'object' | 'prometheus'
  readonly labels: ReadonlyArray<readonly [string, string]>
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
/** Label names lsmkv's own samples use (lib/prometheus.ts). */
const RESERVED_LABELS = ['op', 'kind', 'reason', 'level', 'quantile']

export function resolveMetricsOptions (options: unknown): ResolvedMetricsOptions {
  if (options === undefined) return { format: 'object', labels: [] }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, got ${typeName(options)}`)
  }
  const o = options as Record<string, unknown>
  for (const name of Object.keys(o)) {
    if (name !== 'format' && name !== 'labels') throw new TypeError(`Unknown metrics option '${name}'; known options: 'format', 'labels'`)
  }
  const format = o['format'] ?? 'object'
  if (format !== 'object' && format !== 'prometheus') {
    const got = typeof format === 'string' ? `'${format}'` : typeName(format)
    throw new TypeError(`Option 'format' must be 'object' or 'prometheus', got ${got}`)
  }
  const labels: Array<[string, string]> = []
  const given = o['labels']
  if (given !== undefined) {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new TypeError(`Option 'labels' must be an object of strings, got ${typeName(given)}`)
    }
    for (const [name, value] of Object.entries(given)) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) {
        throw new RangeError(`Option 'labels' has an invalid label name '${name}' (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)`)
      }
      if (RESERVED_LABELS.includes(name)) {
        throw new RangeError(`Option 'labels' must not use '${name}': lsmkv's samples use ${RESERVED_LABELS.map((l) => `'${l}'`).join(', ')}`)
      }
      if (typeof value !== 'string') throw new TypeError(`Option 'labels.${name}' must be a string, got ${typeName(value)}`)
      labels.push([name, value])
    }
  }
  return { format, labels }
}

/** Fields per kind in the native db_metrics() rows (lib/binding.ts). */
const ROW = 8

function latencyFrom (rows: Float64Array, kind: number): LatencyStats {
  const at = (field: number): number => (rows[kind * ROW + field] ?? 0) / 1000  // ns -> µs
  const count = rows[kind * ROW] ?? 0
  const sum = at(1)
  return { count, sum, mean: count === 0 ? 0 : sum / count, min: at(2), max: at(3), p50: at(4), p90: at(5), p99: at(6), p999: at(7) }
}

/** The JS-side counts of {@link DatabaseMetrics.operations}. */
export interface JsOperationCounts {
  get: number
  getSync: number
  put: number
  del: number
  batch: number
}

export function buildMetrics (stats: DatabaseStats, rows: Float64Array, ops: Readonly<JsOperationCounts>): DatabaseMetrics {
  const latency = {} as Record<LatencyKind, LatencyStats>
  LATENCY_KINDS.forEach((kind, i) => { latency[kind] = latencyFrom(rows, i) })
  return {
    operations: {
      get: ops.get,
      getSync: ops.getSync,
      put: ops.put,
      del: ops.del,
      batch: ops.batch,
      iteratorPage: latency.iteratorPage.count,
      flush: stats.flushes,
      compaction: stats.compactions,
      walSync: stats.walSyncs
    },
    bytesWritten: {
      user: stats.bytesWritten,
      wal: stats.walBytes,
      flush: stats.flushBytes,
      compaction: stats.compactionBytesWritten,
      disk: stats.walBytes + stats.flushBytes + stats.compactionBytesWritten
    },
    flushes: stats.flushes,
    compactions: stats.compactions,
    stalls: stats.stalls,
    stallMicros: stats.stallMicros,
    latency,
    sampling: { get: READ_SAMPLE_EVERY, getSync: READ_SAMPLE_EVERY },
    stats
  }
}
