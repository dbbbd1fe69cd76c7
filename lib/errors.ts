// LsmError: the one error class for engine and lifecycle failures, with a
// stable `code`. Native code throws and rejects with it too: the class is
// handed to the addon once at load (binding.set_error_class), so native errors
// are real LsmError instances. Bad arguments are TypeError / RangeError, never
// LsmError.

/**
 * Stable error codes. Native `Status` codes map 1:1 onto these (see
 * native/include/lsm/status.h); `NOT_OPEN`, `ITERATOR_CLOSED`,
 * `SNAPSHOT_RELEASED` and `ABORTED` come from the binding and the JS layer.
 */
export type LsmErrorCode =
  | 'NOT_OPEN'
  | 'LOCKED'
  | 'CORRUPTION'
  | 'IO_ERROR'
  | 'NO_SPACE'
  | 'READ_ONLY'
  | 'CLOSED'
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'NOT_SUPPORTED'
  | 'ITERATOR_CLOSED'
  | 'SNAPSHOT_RELEASED'
  | 'ABORTED'

/** Options of the {@link LsmError} constructor. */
export interface LsmErrorOptions {
  /** The underlying error, e.g. the sticky I/O error behind a READ_ONLY rejection. */
  cause?: unknown
}

/**
 * An engine or lifecycle failure with a stable, machine-readable `code`.
 *
 * Switch on `code`, not on `message`: messages may change between versions.
 *
 * @example
 * ```ts
 * import { open, LsmError } from 'lsmkv'
 * try {
 *   await open('./data')
 * } catch (err) {
 *   if (err instanceof LsmError && err.code === 'LOCKED') {
 *     show('another process has ./data open')
 *   }
 * }
 * ```
 */
export class LsmError extends Error {
  /** Stable error code; see {@link LsmErrorCode}. */
  readonly code: LsmErrorCode

  /**
   * @param message - human-readable description
   * @param code - stable code; native code passes the upper-case Status name
   * @param options - optional `cause`
   *
   * @example
   * ```ts
   * throw new LsmError('database is closed', 'CLOSED')
   * ```
   */
  constructor (message: string, code: LsmErrorCode, options?: LsmErrorOptions) {
    // ES2022 Error takes { cause } itself; only pass it when given so `cause`
    // stays absent (not `undefined`) otherwise.
    super(message, options !== undefined && 'cause' in options ? { cause: options.cause } : undefined)
    this.code = code
  }
}

// On the prototype (not per instance) so stack traces and util.inspect show
// "LsmError" without an own enumerable `name` on every error.
Object.defineProperty(LsmError.prototype, 'name', {
  value: 'LsmError',
  writable: true,
  enumerable: false,
  configurable: true
})
