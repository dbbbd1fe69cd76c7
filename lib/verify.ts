// verify(): the read-only integrity check of a database directory (the
// engine's VerifyDB, lsm/verify.h) and the types of its report.
import * as path from 'node:path'
import { binding } from './binding'
import { LsmError } from './errors'

/** One file the check read. */
export interface VerifiedFile {
  /** Name inside the database directory, e.g. `'000012.sst'`. */
  readonly file: string
  readonly type: 'current' | 'manifest' | 'wal' | 'table'
  readonly size: number
  /** MANIFEST: version edits; WAL: write batches; table: data blocks. */
  readonly records: number
  /** WAL: operations in the batches; table: entries. */
  readonly entries: number
  /** Referenced by the state CURRENT describes (leftovers are removed by the next open). */
  readonly live: boolean
  /** No damage found in this file. */
  readonly ok: boolean
}

/** One finding: where, and what is wrong. */
export interface VerifyIssue {
  readonly file: string
  /** Byte offset in `file` of the damaged record, block or footer. */
  readonly offset: number
  readonly what: string
  /**
   * `true` for damage (open fails with CORRUPTION, or data would be lost);
   * `false` for a note: a torn tail recovery drops by design, or a problem
   * in a file the database no longer references.
   */
  readonly damage: boolean
}

/** What {@link verify} found. */
export interface VerifyReport {
  /** `true` when no issue is damage. */
  readonly ok: boolean
  readonly files: readonly VerifiedFile[]
  readonly issues: readonly VerifyIssue[]
}

/**
 * Checks every checksum of every file of the database in `location`:
 * CURRENT, every MANIFEST record, every WAL record (and that its write batch
 * parses), and every SSTable's footer, properties, filter, index and data
 * blocks (plus key order and entry count). Reports every damaged place
 * rather than stopping at the first. Reads only: it writes nothing and
 * takes no lock, so it may run while the database is open (files the owner
 * deletes meanwhile are skipped; for a definitive answer verify a closed
 * database or a checkpoint). Runs on its own thread.
 *
 * Rejects with LsmError `'INVALID_ARGUMENT'` if `location` does not exist
 * or holds no lsmkv files; damage is reported, not thrown.
 *
 * @example
 * ```ts
 * import { verify } from 'lsmkv'
 * const report = await verify('./data')
 * if (!report.ok) for (const i of report.issues) show(`${i.file} @${i.offset}: ${i.what}`)
 * ```
 */
export async function verify (location: string): Promise<VerifyReport> {
  if (typeof location !== 'string') {
    throw new TypeError(`location must be a string, got ${location === null ? 'null' : typeof location}`)
  }
  if (location.length === 0) throw new TypeError('location must be a path, got an empty string')
  // The addon throws real LsmErrors once it has the class.
  binding.set_error_class(LsmError as new (message: string, code: string) => LsmError)
  const r = await binding.verify(path.resolve(location))
  return {
    ok: r.ok,
    files: r.files.map((f) => ({ ...f, type: f.type as VerifiedFile['type'] })),
    issues: r.issues.map((i) => ({ ...i }))
  }
}
