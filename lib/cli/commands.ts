// The CLI's subcommands: what each one takes (flags, help) and does. The
// database is opened with 'buffer' keys and values; the CLI converts its
// text arguments and output with --key-encoding / --value-encoding.
import * as fs from 'node:fs'
import * as readline from 'node:readline'
import { type Database, open } from '../database'
import { LsmError } from '../errors'
import { verify } from '../verify'
import { type FlagSpec, type Parsed, UsageError } from './args'
import { Progress, formatBytes, levelChart } from './render'

type Db = Database<'buffer', 'buffer'>

/** Where a command writes; tests and main() pass the process streams. */
export interface Io {
  readonly stdin: NodeJS.ReadableStream
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WriteStream
}

/** A failure to report without usage help: exit code 1. */
export class CliError extends Error {
  override name = 'CliError'
}

export interface Command {
  readonly usage: string
  readonly summary: string
  readonly flags: Readonly<Record<string, FlagSpec>>
  /** Positional names, for the help; `?` marks optional ones. */
  readonly args: readonly string[]
  run (p: Parsed, io: Io): Promise<number>
}

const KEY_ENCODINGS = ['utf8', 'hex', 'base64'] as const
const VALUE_ENCODINGS = ['utf8', 'hex', 'base64', 'json'] as const

const help: FlagSpec = { kind: 'boolean', help: 'show this help' }
const keyEncoding: FlagSpec = { kind: 'string', help: 'how keys are given and shown (default utf8)', choices: KEY_ENCODINGS }
const valueEncoding: FlagSpec = { kind: 'string', help: 'how values are given and shown (default utf8)', choices: VALUE_ENCODINGS }
const rangeFlags: Record<string, FlagSpec> = {
  gt: { kind: 'string', help: 'keys greater than this' },
  gte: { kind: 'string', help: 'keys greater than or equal to this' },
  lt: { kind: 'string', help: 'keys less than this' },
  lte: { kind: 'string', help: 'keys less than or equal to this' }
}

function str (p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name)
  return typeof v === 'string' ? v : undefined
}

function encodeArg (text: string, encoding: string, what: string): Buffer {
  if (encoding === 'hex') {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`${what} is not hex: '${text}'`)
    return Buffer.from(text, 'hex')
  }
  if (encoding === 'base64') return Buffer.from(text, 'base64')
  if (encoding === 'json') {
    try {
      return Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8')
    } catch (err) {
      throw new UsageError(`${what} is not JSON: ${(err as Error).message}`)
    }
  }
  return Buffer.from(text, 'utf8')
}

function decodeOut (bytes: Uint8Array, encoding: string): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (encoding === 'hex') return b.toString('hex')
  if (encoding === 'base64') return b.toString('base64')
  return b.toString('utf8')  // json values are stored as JSON text
}

function keyEnc (p: Parsed): string { return str(p, 'key-encoding') ?? 'utf8' }
function valueEnc (p: Parsed): string { return str(p, 'value-encoding') ?? 'utf8' }

function positional (p: Parsed, index: number, name: string, command: string): string {
  const v = p.positionals[index]
  if (v === undefined) throw new UsageError(`'${command}' needs <${name}>`, command)
  return v
}

function noExtra (p: Parsed, count: number, command: string): void {
  if (p.positionals.length > count) {
    throw new UsageError(`'${command}' takes ${count} argument${count === 1 ? '' : 's'}, got extra '${p.positionals[count] as string}'`, command)
  }
}

/** Opens the database, turning the usual failures into one clear line. */
/**
 * How a command opens its database: 'read' without the LOCK (readOnly: it
 * works while another process writes, and sees its acknowledged writes),
 * 'write' an existing one, 'create' one that may not exist yet.
 */
type Access = 'read' | 'write' | 'create'

async function openDb (location: string, access: Access): Promise<Db> {
  if (access !== 'create' && !fs.existsSync(location)) throw new CliError(`no database at '${location}' (the path does not exist)`)
  try {
    return await open(location, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      createIfMissing: access === 'create',
      readOnly: access === 'read'
    })
  } catch (err) {
    if (err instanceof LsmError && err.code === 'LOCKED') {
      throw new CliError(`'${location}' is locked: another process (or another open handle) is using it`)
    }
    if (err instanceof LsmError && err.code === 'INVALID_ARGUMENT' && /does not exist/.test(err.message)) {
      throw new CliError(`no database at '${location}'`)
    }
    throw err
  }
}

async function withDb<T> (location: string, access: Access, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(location, access)
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

function rangeOf (p: Parsed): { gt?: Buffer, gte?: Buffer, lt?: Buffer, lte?: Buffer } {
  const range: { gt?: Buffer, gte?: Buffer, lt?: Buffer, lte?: Buffer } = {}
  for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
    const v = str(p, name)
    if (v !== undefined) range[name] = encodeArg(v, keyEnc(p), `--${name}`)
  }
  return range
}

/** Writes and waits for the stream to drain when it asks to. */
async function writeOut (out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve))
}

/** A JSONL record: strings in the chosen encodings; in utf8, bytes that are not UTF-8 go as base64 under key64/value64. */
function jsonLine (key: Uint8Array, value: Uint8Array | undefined, p: Parsed): string {
  const o: Record<string, string> = {}
  const put = (name: string, bytes: Uint8Array, encoding: string): void => {
    const text = decodeOut(bytes, encoding)
    if (encoding === 'utf8' && !Buffer.from(text, 'utf8').equals(bytes)) o[`${name}64`] = Buffer.from(bytes).toString('base64')
    else o[name] = text
  }
  put('key', key, keyEnc(p))
  if (value !== undefined) put('value', value, valueEnc(p) === 'json' ? 'utf8' : valueEnc(p))
  return JSON.stringify(o) + '\n'
}

const get: Command = {
  usage: 'get <db> <key>',
  summary: 'print the value of a key (exit 1 if it is missing)',
  args: ['db', 'key'],
  flags: { help, 'key-encoding': keyEncoding, 'value-encoding': valueEncoding },
  async run (p, io) {
    noExtra(p, 2, 'get')
    const key = encodeArg(positional(p, 1, 'key', 'get'), keyEnc(p), 'key')
    const value = await withDb(positional(p, 0, 'db', 'get'), 'read', (db) => db.get(key))
    if (value === undefined) {
      io.stderr.write('lsmkv: key not found\n')
      return 1
    }
    await writeOut(io.stdout, decodeOut(value, valueEnc(p)) + '\n')
    return 0
  }
}

const put: Command = {
  usage: 'put <db> <key> <value>',
  summary: 'write a key (creates the database if missing)',
  args: ['db', 'key', 'value'],
  flags: { help, 'key-encoding': keyEncoding, 'value-encoding': valueEncoding, sync: { kind: 'boolean', help: 'fdatasync before returning' } },
  async run (p) {
    noExtra(p, 3, 'put')
    const key = encodeArg(positional(p, 1, 'key', 'put'), keyEnc(p), 'key')
    const value = encodeArg(positional(p, 2, 'value', 'put'), valueEnc(p), 'value')
    await withDb(positional(p, 0, 'db', 'put'), 'create', (db) => db.put(key, value, { sync: p.flags.has('sync') }))
    return 0
  }
}

const del: Command = {
  usage: 'del <db> <key>',
  summary: 'delete a key',
  args: ['db', 'key'],
  flags: { help, 'key-encoding': keyEncoding, sync: { kind: 'boolean', help: 'fdatasync before returning' } },
  async run (p) {
    noExtra(p, 2, 'del')
    const key = encodeArg(positional(p, 1, 'key', 'del'), keyEnc(p), 'key')
    await withDb(positional(p, 0, 'db', 'del'), 'write', (db) => db.del(key, { sync: p.flags.has('sync') }))
    return 0
  }
}

const scan: Command = {
  usage: 'scan <db> [range] [--limit N] [--reverse] [--json | --keys-only]',
  summary: 'print the entries of a range, one per line: key<TAB>value',
  args: ['db'],
  flags: {
    help,
    ...rangeFlags,
    limit: { kind: 'number', help: 'stop after N entries' },
    reverse: { kind: 'boolean', help: 'last key first' },
    json: { kind: 'boolean', help: 'one JSON object per line: {"key","value"}' },
    'keys-only': { kind: 'boolean', help: 'print keys only' },
    'key-encoding': keyEncoding,
    'value-encoding': valueEncoding
  },
  async run (p, io) {
    noExtra(p, 1, 'scan')
    if (p.flags.has('json') && p.flags.has('keys-only')) throw new UsageError('--json and --keys-only exclude each other', 'scan')
    const limit = p.flags.get('limit')
    const options = { ...rangeOf(p), reverse: p.flags.has('reverse'), limit: typeof limit === 'number' ? limit : -1 }
    await withDb(positional(p, 0, 'db', 'scan'), 'read', async (db) => {
      if (p.flags.has('keys-only')) {
        for await (const key of db.keys(options)) await writeOut(io.stdout, decodeOut(key, keyEnc(p)) + '\n')
        return
      }
      for await (const [key, value] of db.iterator(options)) {
        const line = p.flags.has('json')
          ? jsonLine(key, value, p)
          : `${decodeOut(key, keyEnc(p))}\t${decodeOut(value, valueEnc(p))}\n`
        await writeOut(io.stdout, line)
      }
    })
    return 0
  }
}

const count: Command = {
  usage: 'count <db> [range]',
  summary: 'print the number of keys (in a range)',
  args: ['db'],
  flags: { help, ...rangeFlags, 'key-encoding': keyEncoding },
  async run (p, io) {
    noExtra(p, 1, 'count')
    const n = await withDb(positional(p, 0, 'db', 'count'), 'read', (db) => {
      let total = 0
      for (const key of db.keys(rangeOf(p))) if (key !== undefined) total++
      return Promise.resolve(total)
    })
    await writeOut(io.stdout, `${n}\n`)
    return 0
  }
}

const stats: Command = {
  usage: 'stats <db> [--json]',
  summary: 'show the LSM shape (files and bytes per level) and counters',
  args: ['db'],
  flags: { help, json: { kind: 'boolean', help: 'print db.stats() as JSON' } },
  async run (p, io) {
    noExtra(p, 1, 'stats')
    const location = positional(p, 0, 'db', 'stats')
    const s = await withDb(location, 'read', (db) => Promise.resolve(db.stats()))
    if (p.flags.has('json')) {
      await writeOut(io.stdout, JSON.stringify(s, null, 2) + '\n')
      return 0
    }
    const files = s.levels.reduce((a, l) => a + l.files, 0)
    const bytes = s.levels.reduce((a, l) => a + l.bytes, 0)
    const lines = [
      `${location}: ${files} table${files === 1 ? '' : 's'}, ${formatBytes(bytes)}, last sequence ${s.lastSequence}`,
      // Levels down to the deepest one holding data (at least L0 and L1).
      ...levelChart(s.levels.filter((l) => l.level <= Math.max(1, ...s.levels.filter((x) => x.files > 0).map((x) => x.level)))),
      `pending compaction ${formatBytes(s.pendingCompactionBytes)}`
    ]
    await writeOut(io.stdout, lines.join('\n') + '\n')
    return 0
  }
}

const compact: Command = {
  usage: 'compact <db> [--start K] [--end K]',
  summary: 'compact the whole database (or a key range) to the bottom level',
  args: ['db'],
  flags: {
    help,
    start: { kind: 'string', help: 'first key (inclusive)' },
    end: { kind: 'string', help: 'last key (inclusive)' },
    'key-encoding': keyEncoding
  },
  async run (p, io) {
    noExtra(p, 1, 'compact')
    const start = str(p, 'start')
    const end = str(p, 'end')
    const progress = new Progress(io.stderr, 'compact')
    await withDb(positional(p, 0, 'db', 'compact'), 'write', async (db) => {
      db.on('compaction', (c) => {
        if (!c.manual || c.bytesDone === undefined) return
        progress.update(c.bytesDone, c.bytesTotal, `${formatBytes(c.bytesDone)} / ${formatBytes(c.bytesTotal ?? 0)}`)
      })
      await db.compactRange(start === undefined ? undefined : encodeArg(start, keyEnc(p), '--start'),
        end === undefined ? undefined : encodeArg(end, keyEnc(p), '--end'))
    })
    progress.done()
    return 0
  }
}

const verifyCommand: Command = {
  usage: 'verify <db> [--json]',
  summary: 'check every checksum of every file (read-only; exit 1 on damage)',
  args: ['db'],
  flags: { help, json: { kind: 'boolean', help: 'print the report as JSON' } },
  async run (p, io) {
    noExtra(p, 1, 'verify')
    const location = positional(p, 0, 'db', 'verify')
    if (!fs.existsSync(location)) throw new CliError(`no database at '${location}' (the path does not exist)`)
    const report = await verify(location)
    if (p.flags.has('json')) {
      await writeOut(io.stdout, JSON.stringify(report, null, 2) + '\n')
    } else {
      const lines = report.issues.map((i) => `${i.damage ? 'DAMAGE' : 'note  '} ${i.file} @${i.offset}: ${i.what}`)
      const tables = report.files.filter((f) => f.type === 'table')
      lines.push(`${report.ok ? 'ok' : 'DAMAGED'}: ${report.files.length} files checked (${tables.length} tables, ` +
        `${tables.reduce((a, f) => a + f.records, 0)} data blocks, ${tables.reduce((a, f) => a + f.entries, 0)} entries), ` +
        `${report.issues.filter((i) => i.damage).length} damaged`)
      await writeOut(io.stdout, lines.join('\n') + '\n')
    }
    return report.ok ? 0 : 1
  }
}

const dump: Command = {
  usage: 'dump <db> [range] [--out FILE]',
  summary: 'export entries as JSONL: {"key","value"} per line (key64/value64: base64 of non-UTF-8 bytes)',
  args: ['db'],
  flags: {
    help,
    ...rangeFlags,
    out: { kind: 'string', help: 'write to FILE instead of stdout' },
    'key-encoding': keyEncoding,
    'value-encoding': valueEncoding
  },
  async run (p, io) {
    noExtra(p, 1, 'dump')
    const file = str(p, 'out')
    const out = file === undefined ? io.stdout : fs.createWriteStream(file)
    await withDb(positional(p, 0, 'db', 'dump'), 'read', async (db) => {
      for await (const [key, value] of db.iterator(rangeOf(p))) await writeOut(out, jsonLine(key, value, p))
    })
    if (file !== undefined) {
      const ws = out as fs.WriteStream
      await new Promise<void>((resolve, reject) => { ws.end(() => resolve()); ws.once('error', reject) })
    }
    return 0
  }
}

/** One JSONL line -> key and value bytes; throws with the reason. */
function parseLine (line: string, p: Parsed): [Buffer, Buffer] {
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`)
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('not a JSON object')
  const r = o as Record<string, unknown>
  const field = (name: string, encoding: string): Buffer => {
    const text = r[name]
    const b64 = r[`${name}64`]
    if (typeof b64 === 'string') return Buffer.from(b64, 'base64')
    if (typeof text !== 'string') throw new Error(`"${name}" must be a string`)
    try {
      return encodeArg(text, encoding, `"${name}"`)
    } catch (err) {
      throw new Error((err as Error).message)
    }
  }
  const key = field('key', keyEnc(p))
  if (key.length === 0) throw new Error('"key" is empty')
  return [key, field('value', valueEnc(p))]
}

const load: Command = {
  usage: 'load <db> [FILE]',
  summary: 'import JSONL (as written by dump) from FILE or stdin (creates the database if missing)',
  args: ['db', 'file?'],
  flags: { help, 'key-encoding': keyEncoding, 'value-encoding': valueEncoding, 'batch-size': { kind: 'number', help: 'entries per atomic batch (default 1000)' } },
  async run (p, io) {
    noExtra(p, 2, 'load')
    const file = p.positionals[1]
    if (file !== undefined && file !== '-' && !fs.existsSync(file)) throw new CliError(`cannot read '${file}': no such file`)
    const batchSize = (p.flags.get('batch-size') as number | undefined) ?? 1000
    if (batchSize < 1) throw new UsageError('--batch-size must be at least 1', 'load')
    const total = file !== undefined && file !== '-' ? fs.statSync(file).size : undefined
    const input = file !== undefined && file !== '-' ? fs.createReadStream(file) : io.stdin
    const progress = new Progress(io.stderr, 'load')
    let loaded = 0
    await withDb(positional(p, 0, 'db', 'load'), 'create', async (db) => {
      let bytes = 0
      let lineNo = 0
      let ops: Array<{ type: 'put', key: Buffer, value: Buffer }> = []
      for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
        lineNo++
        bytes += Buffer.byteLength(line) + 1
        if (line.trim() === '') continue
        let kv: [Buffer, Buffer]
        try {
          kv = parseLine(line, p)
        } catch (err) {
          progress.done()
          throw new CliError(`line ${lineNo}: ${(err as Error).message}; ${loaded} entries before it were loaded`)
        }
        ops.push({ type: 'put', key: kv[0], value: kv[1] })
        if (ops.length >= batchSize) {
          await db.batch(ops)
          loaded += ops.length
          ops = []
          progress.update(bytes, total, `${loaded} entries`)
        }
      }
      if (ops.length > 0) await db.batch(ops)
      loaded += ops.length
      progress.update(bytes, total, `${loaded} entries`, true)
    })
    progress.done()
    if (io.stderr.isTTY === true) io.stderr.write(`loaded ${loaded} entries\n`)
    return 0
  }
}

const checkpoint: Command = {
  usage: 'checkpoint <db> <dir>',
  summary: 'write a consistent, openable copy into <dir> (new or empty)',
  args: ['db', 'dir'],
  flags: { help },
  async run (p) {
    noExtra(p, 2, 'checkpoint')
    const dir = positional(p, 1, 'dir', 'checkpoint')
    await withDb(positional(p, 0, 'db', 'checkpoint'), 'write', (db) => db.checkpoint(dir))
    return 0
  }
}

export const commands: Readonly<Record<string, Command>> = {
  get, put, del, scan, count, stats, compact, verify: verifyCommand, dump, load, checkpoint
}

/** `lsmkv <command> --help`. */
export function commandHelp (c: Command): string {
  const lines = [`Usage: lsmkv ${c.usage}`, '', c.summary, '']
  const range = Object.keys(c.flags).some((f) => f === 'gte')
  if (range) lines.push('Range: --gt/--gte/--lt/--lte K (in --key-encoding)', '')
  lines.push('Flags:')
  for (const [flag, spec] of Object.entries(c.flags)) {
    const value = spec.kind === 'boolean' ? '' : spec.choices !== undefined ? ` <${spec.choices.join('|')}>` : spec.kind === 'number' ? ' N' : ' V'
    lines.push(`  --${flag}${value}`.padEnd(35) + ' ' + spec.help)
  }
  return lines.join('\n') + '\n'
}
