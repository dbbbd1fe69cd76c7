// The `lsmkv` command line (bin/lsmkv.js): picks the subcommand, parses its
// flags, runs it and maps failures to exit codes: 0 success, 1 failure
// (engine error, damaged database, missing key), 2 bad usage.
import { LsmError } from '../errors'
import { UsageError, hint, parseArgs } from './args'
import { CliError, type Io, commandHelp, commands } from './commands'

const USAGE = `Usage: lsmkv <command> <db> [args] [flags]

Commands:
${Object.entries(commands).map(([, c]) => `  ${c.usage}\n      ${c.summary}`).join('\n')}

Keys and values are UTF-8 text unless --key-encoding / --value-encoding say
hex, base64 (or json for values). get, scan, count, stats and dump open the
database read-only (no lock: they work while another process writes).
'lsmkv <command> --help' shows its flags.
`

/** Runs one CLI invocation; resolves to the exit code. */
export async function run (argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE)
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  try {
    if (command === undefined) {
      throw new UsageError(`unknown command '${name}'; ${hint(name, Object.keys(commands))}`)
    }
    const parsed = parseArgs(rest, command.flags, name)
    if (parsed.flags.has('help')) {
      io.stdout.write(commandHelp(command))
      return 0
    }
    return await command.run(parsed, io)
  } catch (err) {
    if (err instanceof UsageError) {
      const more = command !== undefined ? `'lsmkv ${name} --help'` : "'lsmkv --help'"
      io.stderr.write(`lsmkv: ${err.message}\nSee ${more}.\n`)
      return 2
    }
    if (err instanceof CliError) {
      io.stderr.write(`lsmkv: ${err.message}\n`)
      return 1
    }
    if (err instanceof LsmError) {
      io.stderr.write(`lsmkv: ${err.message} (${err.code})\n`)
      return 1
    }
    if (err instanceof TypeError || err instanceof RangeError) {
      io.stderr.write(`lsmkv: ${err.message}\n`)
      return 2
    }
    throw err
  }
}

/** bin/lsmkv.js: runs with the process's arguments and streams, then exits. */
export function main (argv: readonly string[] = process.argv.slice(2)): void {
  // Piped into `head`: stop quietly when the reader goes away.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  run(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => { process.exitCode = code },
    (err: unknown) => {
      process.stderr.write(`lsmkv: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 1
    })
}
