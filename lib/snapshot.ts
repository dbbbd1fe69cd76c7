// Snapshot: a point-in-time view of one database (a sequence number in the
// engine, DESIGN §3). Owns the JS half of the snapshot handle's lifecycle:
// release(), disposal, reclaiming snapshots dropped without release(), and
// turning the `snapshot` read option into the native handle.

import { binding, type NativeSnapshot } from './binding'
import { typeName } from './encoding'
import { LsmError } from './errors'

// Node < 18.18 / < 20.4 lack Symbol.dispose; use the registered symbol Node
// itself later adopted (as database.ts does for Symbol.asyncDispose).
if (typeof Symbol.dispose !== 'symbol') {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') })
}
if (typeof Symbol.asyncDispose !== 'symbol') {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') })
}

/** What a Snapshot needs from its database (internal). */
export interface SnapshotOwner {
  /** True while the database accepts reads. */
  readonly isOpen: () => boolean
}

// A snapshot dropped without release() pins old versions against compaction
// until it is collected; release the engine snapshot then (the External's
// own finalizer is the backstop).
const registry = new FinalizationRegistry<NativeSnapshot>((handle) => {
  binding.snapshot_release(handle)
})

const internals = new WeakMap<Snapshot, { owner: SnapshotOwner, handle: NativeSnapshot | null }>()

/**
 * A consistent, read-only view of a database as of the moment
 * {@link Database.snapshot} was called. Pass it as the `snapshot` option of
 * `get`, `getSync`, `getMany`, `has`, `hasSync`, `iterator`, `keys` and
 * `values`: those reads see exactly the writes committed before the snapshot
 * was taken, however the data is overwritten, deleted, flushed or compacted
 * afterwards.
 *
 * A snapshot keeps old versions alive: release it when done (`release()`,
 * `using`, or `await using`). Closing the database releases every snapshot.
 * Reads through a released snapshot throw LsmError code `'SNAPSHOT_RELEASED'`.
 *
 * @example
 * ```ts
 * await db.put('k', 'old')
 * using snap = db.snapshot()
 * await db.put('k', 'new')
 * db.getSync('k', { snapshot: snap })   // 'old'
 * db.getSync('k')                       // 'new'
 * ```
 */
export class Snapshot {
  /**
   * @internal Created by {@link Database.snapshot}; not constructible by users.
   */
  constructor (owner: SnapshotOwner, handle: NativeSnapshot) {
    internals.set(this, { owner, handle })
    registry.register(this, handle, this)
  }

  /**
   * Whether this snapshot was released (explicitly, by disposal, or because
   * its database closed).
   *
   * @example
   * ```ts
   * const snap = db.snapshot()
   * snap.release()
   * snap.released   // true
   * ```
   */
  get released (): boolean {
    const s = internals.get(this)
    return s === undefined || s.handle === null || !s.owner.isOpen()
  }

  /**
   * Releases the snapshot so compaction may drop the versions only it could
   * see. Idempotent; never throws.
   *
   * @example
   * ```ts
   * const snap = db.snapshot()
   * try {
   *   show(await db.get('k', { snapshot: snap }))
   * } finally {
   *   snap.release()
   * }
   * ```
   */
  release (): void {
    const s = internals.get(this)
    if (s === undefined || s.handle === null) return
    const handle = s.handle
    s.handle = null
    registry.unregister(this)
    binding.snapshot_release(handle)
  }

  /**
   * Same as {@link Snapshot.release}; lets `using snap = db.snapshot()`
   * release it at the end of the scope.
   *
   * @example
   * ```ts
   * {
   *   using snap = db.snapshot()
   *   db.getSync('k', { snapshot: snap })
   * } // released here
   * ```
   */
  [Symbol.dispose] (): void {
    this.release()
  }

  /**
   * Same as {@link Snapshot.release}, for `await using`.
   *
   * @example
   * ```ts
   * await using snap = db.snapshot()
   * ```
   */
  [Symbol.asyncDispose] (): Promise<void> {
    this.release()
    return Promise.resolve()
  }
}

/**
 * The native handle behind the `snapshot` option of a read on `owner`, or
 * undefined when the option is absent. Throws TypeError for a non-snapshot,
 * RangeError for another database's snapshot, LsmError 'SNAPSHOT_RELEASED'
 * for a released one.
 */
export function snapshotHandle (value: unknown, owner: SnapshotOwner): NativeSnapshot | undefined {
  if (value === undefined) return undefined
  const s = value instanceof Snapshot ? internals.get(value) : undefined
  if (s === undefined) {
    throw new TypeError(`Option 'snapshot' must be a Snapshot from db.snapshot(), got ${typeName(value)}`)
  }
  if (s.owner !== owner) throw new RangeError("Option 'snapshot' belongs to another database")
  if (s.handle === null) throw new LsmError('Snapshot was released', 'SNAPSHOT_RELEASED')
  return s.handle
}
