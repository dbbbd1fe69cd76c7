// Logging: the `logger` open option (its type and validation) and Log, the
// one place a Database's diagnostic messages go. Each message goes to
// util.debuglog('lsmkv') (printed only with NODE_DEBUG=lsmkv) and, when one
// was given, to the user's logger. Nothing is printed otherwise.

import { debuglog } from 'node:util'
import { typeName } from './encoding'

const debug = debuglog('lsmkv')

/** What happened; every {@link LogRecord} carries one. */
export type LogEvent =
  | 'open'
  | 'open-failed'
  | 'closing'
  | 'closed'
  | 'close-failed'
  | 'flush'
  | 'compaction'
  | 'stall'
  | 'stall-end'
  | 'error'
  | 'group-commit'

/** The structured part of a log message: the event, the database's location, and the event's fields. */
export interface LogRecord {
  readonly event: LogEvent
  readonly location: string
  readonly [field: string]: unknown
}

/** Severity of a message; names the {@link Logger} method called. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/**
 * Receives lsmkv's diagnostic messages (the `logger` open option): a
 * readable `message` and the same facts as a {@link LogRecord}. `console`
 * qualifies, as do pino / winston style loggers (adapt the argument order if
 * yours wants the record first). Levels: `info` open / close, `debug` flushes,
 * compactions and group commits, `warn` write stalls, `error` a failed open
 * or close and background errors. A method that throws is ignored (the error
 * goes to NODE_DEBUG=lsmkv).
 *
 * @example
 * ```ts
 * const db = await open('./data', {
 *   logger: {
 *     debug: () => {},
 *     info: (message, record) => myLog.info(record, message),
 *     warn: (message, record) => myLog.warn(record, message),
 *     error: (message, record) => myLog.error(record, message)
 *   }
 * })
 * ```
 */
export interface Logger {
  debug (message: string, record: LogRecord): void
  info (message: string, record: LogRecord): void
  warn (message: string, record: LogRecord): void
  error (message: string, record: LogRecord): void
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** Validates the `logger` option: undefined, or an object with the four level methods. */
export function checkLogger (value: unknown): Logger | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`Option 'logger' must be an object with debug, info, warn and error methods, got ${typeName(value)}`)
  }
  for (const level of LEVELS) {
    const fn = (value as Record<string, unknown>)[level]
    if (typeof fn !== 'function') {
      throw new TypeError(`Option 'logger' must have a ${level}() method, got ${typeName(fn)} for logger.${level}`)
    }
  }
  return value as Logger
}

/** A Database's log: debuglog plus the optional user logger. */
export class Log {
  readonly #location: string
  readonly #logger: Logger | undefined

  constructor (location: string, logger: Logger | undefined) {
    this.#location = location
    this.#logger = logger
  }

  /** Whether anyone listens: check it before building a costly message. */
  get enabled (): boolean {
    return debug.enabled || this.#logger !== undefined
  }

  write (level: LogLevel, event: LogEvent, message: string, fields?: Readonly<Record<string, unknown>>): void {
    if (!this.enabled) return
    const record: LogRecord = { ...fields, event, location: this.#location }
    debug('%s: %s %j', level, message, record)
    const logger = this.#logger
    if (logger === undefined) return
    try {
      logger[level](message, record)
    } catch (err) {
      debug('logger.%s threw: %s', level, err)
    }
  }
}
