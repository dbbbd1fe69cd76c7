// The CLI's argument parser: positionals and --flags per subcommand, with
// "did you mean" hints for unknown subcommands and flags (UsageError).
import { editDistance } from '../options'

/** A mistake in how the CLI was called: exit code 2, with the usage hint. */
export class UsageError extends Error {
  constructor (message: string, readonly command?: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export type FlagKind = 'boolean' | 'string' | 'number'

export interface FlagSpec {
  readonly kind: FlagKind
  readonly help: string
  /** For string flags: the allowed values. */
  readonly choices?: readonly string[]
}

export interface Parsed {
  readonly positionals: string[]
  readonly flags: Map<string, string | number | boolean>
}

/** `name` -> "did you mean 'x'?" among `known`, or the list of them. */
export function hint (name: string, known: readonly string[]): string {
  let best = ''
  let bestDistance = Infinity
  for (const k of known) {
    const d = editDistance(name, k)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? `did you mean '${best}'?`
    : `expected one of: ${known.join(', ')}`
}

/**
 * Parses `--flag value`, `--flag=value`, boolean `--flag`, `-h` (= --help)
 * and positionals; `--` ends the flags.
 */
export function parseArgs (argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>, command: string): Parsed {
  const positionals: string[] = []
  const flags = new Map<string, string | number | boolean>()
  let onlyPositionals = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    if (arg === '--') {
      onlyPositionals = true
      continue
    }
    if (arg === '-h') {
      flags.set('help', true)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(arg.startsWith('--') ? 2 : 1, eq === -1 ? undefined : eq)
    const s = spec[name]
    if (s === undefined) {
      throw new UsageError(`unknown flag '--${name}' for '${command}'; ${hint(name, Object.keys(spec).map((k) => k))}`, command)
    }
    if (s.kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command)
      flags.set(name, true)
      continue
    }
    let value: string
    if (eq !== -1) {
      value = arg.slice(eq + 1)
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`, command)
      value = argv[++i] as string
    }
    if (s.choices !== undefined && !s.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${s.choices.join(', ')}, got '${value}'`, command)
    }
    if (s.kind === 'number') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`, command)
      flags.set(name, n)
    } else {
      flags.set(name, value)
    }
  }
  return { positionals, flags }
}
