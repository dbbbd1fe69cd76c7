// Prometheus text exposition format (version 0.0.4) of DatabaseMetrics, for
// `db.metrics({ format: 'prometheus' })`. Every family has HELP and TYPE
// lines before its samples, and its samples are contiguous; counters end in
// `_total`; latencies are a `summary` in seconds (quantile labels 0.5, 0.9,
// 0.99, 0.999 plus _sum and _count) with a separate `_max` gauge. Label
// values are escaped (\\, \", \n). Quantiles of an operation with no samples
// are NaN, as the official client libraries report them.

import { type DatabaseMetrics, LATENCY_KINDS, READ_SAMPLE_EVERY } from './metrics'

type Labels = ReadonlyArray<readonly [string, string]>

function escapeLabelValue (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function formatValue (n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return '+Inf'
  if (n === -Infinity) return '-Inf'
  return String(n)
}

class Exposition {
  readonly #lines: string[] = []
  readonly #common: Labels

  constructor (common: Labels) {
    this.#common = common
  }

  family (name: string, type: 'counter' | 'gauge' | 'summary', help: string): void {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`)
  }

  sample (name: string, value: number, labels: Labels = []): void {
    const all = [...this.#common, ...labels]
    const text = all.length === 0 ? '' : `{${all.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`
    this.#lines.push(`${name}${text} ${formatValue(value)}`)
  }

  toString (): string {
    return this.#lines.join('\n') + '\n'
  }
}

const MICROS_PER_SECOND = 1e6
const QUANTILES = [['0.5', 'p50'], ['0.9', 'p90'], ['0.99', 'p99'], ['0.999', 'p999']] as const

/** Renders `m` in the Prometheus text format; `labels` are added to every sample. */
export function formatPrometheus (m: DatabaseMetrics, labels: Labels): string {
  const out = new Exposition(labels)
  const s = m.stats

  out.family('lsmkv_operations_total', 'counter',
    'Operations by kind: get/getSync calls, acknowledged put/del/batch, iterator page fetches, flushes, compactions, WAL fdatasyncs.')
  for (const op of LATENCY_KINDS) out.sample('lsmkv_operations_total', m.operations[op], [['op', op]])

  // Families with one sample each.
  const scalars: Array<[name: string, type: 'counter' | 'gauge', help: string, value: number]> = [
    ['lsmkv_user_bytes_written_total', 'counter', 'User key and value bytes written.', m.bytesWritten.user],
    ['lsmkv_compaction_bytes_read_total', 'counter', 'SSTable bytes read by compactions.', s.compactionBytesRead],
    ['lsmkv_flushes_total', 'counter', 'Memtable flushes completed.', m.flushes],
    ['lsmkv_compactions_total', 'counter', 'Compactions completed (trivial moves included).', m.compactions],
    ['lsmkv_memtable_bytes', 'gauge', 'Bytes in the active memtable.', s.memtableBytes],
    ['lsmkv_immutable_memtables', 'gauge', 'Immutable memtables waiting to be flushed.', s.immutableMemtables],
    ['lsmkv_pending_compaction_bytes', 'gauge', 'Estimated bytes compaction still has to move.', s.pendingCompactionBytes],
    ['lsmkv_write_amplification', 'gauge', 'Bytes written to disk per user byte written.', s.writeAmplification]
  ]
  for (const [name, type, help, value] of scalars) {
    out.family(name, type, help)
    out.sample(name, value)
  }

  out.family('lsmkv_disk_bytes_written_total', 'counter', 'Bytes the engine wrote to disk, by kind (wal, flush, compaction).')
  for (const kind of ['wal', 'flush', 'compaction'] as const) {
    out.sample('lsmkv_disk_bytes_written_total', m.bytesWritten[kind], [['kind', kind]])
  }
  out.family('lsmkv_stalls_total', 'counter', 'Write stalls by reason.')
  for (const [reason, r] of Object.entries(s.stallsByReason)) out.sample('lsmkv_stalls_total', r.count, [['reason', reason]])
  out.family('lsmkv_stall_seconds_total', 'counter', 'Time writers waited in stalls, by reason.')
  for (const [reason, r] of Object.entries(s.stallsByReason)) {
    out.sample('lsmkv_stall_seconds_total', r.micros / MICROS_PER_SECOND, [['reason', reason]])
  }
  out.family('lsmkv_level_files', 'gauge', 'SSTables per LSM level.')
  for (const l of s.levels) out.sample('lsmkv_level_files', l.files, [['level', String(l.level)]])
  out.family('lsmkv_level_bytes', 'gauge', 'SSTable bytes per LSM level.')
  for (const l of s.levels) out.sample('lsmkv_level_bytes', l.bytes, [['level', String(l.level)]])

  out.family('lsmkv_latency_seconds', 'summary',
    `Operation latency; get and getSync are sampled (1 call in ${READ_SAMPLE_EVERY}), so their _count is the number of samples.`)
  for (const op of LATENCY_KINDS) {
    const l = m.latency[op]
    for (const [quantile, field] of QUANTILES) {
      out.sample('lsmkv_latency_seconds', l.count === 0 ? NaN : l[field] / MICROS_PER_SECOND, [['op', op], ['quantile', quantile]])
    }
    out.sample('lsmkv_latency_seconds_sum', l.sum / MICROS_PER_SECOND, [['op', op]])
    out.sample('lsmkv_latency_seconds_count', l.count, [['op', op]])
  }
  out.family('lsmkv_latency_max_seconds', 'gauge', 'Slowest operation seen, by kind.')
  for (const op of LATENCY_KINDS) out.sample('lsmkv_latency_max_seconds', m.latency[op].max / MICROS_PER_SECOND, [['op', op]])

  return out.toString()
}
