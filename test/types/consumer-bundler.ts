// ESM consumer (bundler resolution) of lsmkv's published declarations (compiled by test/types.test.js).
import lsmkv, { open, Database, LsmError, setNativeBinding, type OpenOptions, type IteratorOptions, type DatabaseMetrics, type Logger, type LogEvent } from 'lsmkv'
import { LsmLevel, type LsmLevelOptions } from 'lsmkv/level'

const options: OpenOptions<'utf8', 'json'> = { valueEncoding: 'json', memtableSize: 1 << 20 }
const db: Database<'utf8', 'json'> = await open('./data', options)
await db.put('k', { n: 1 })
const value: unknown = await db.get('k')
const text: string | undefined = (await open('./other')).getSync('k')
const range: IteratorOptions<'utf8'> = { gte: 'a', lt: 'b', limit: 10 }
for (const [key] of db.iterator({ ...range, reverse: true })) { const k: string = key; void k }
for await (const v of db.values({ valueEncoding: 'buffer' })) { const b: Buffer = v; void b }
// @ts-expect-error keys of a utf8 database are strings or bytes
await db.put(42, 'v')
const err = new LsmError('x', 'LOCKED')
const code: 'LOCKED' | string = err.code
setNativeBinding('/opt/app/lsmkv.node')
const metrics: DatabaseMetrics = db.metrics()
const p99: number = metrics.latency.getSync.p99 + metrics.operations.walSync
const scrape: string = db.metrics({ format: 'prometheus', labels: { db: 'users' } })
// @ts-expect-error the Prometheus form is a string
const notObject: DatabaseMetrics = db.metrics({ format: 'prometheus' })
const logger: Logger = { debug () {}, info () {}, warn () {}, error (message, record) { const e: LogEvent = record.event; void message; void e } }
await open('./logged', { logger })
db.on('closing', () => {}).on('closed', () => {})
void p99; void scrape; void notObject
const viaDefault: typeof open = lsmkv.open

const levelOptions: LsmLevelOptions<string, { n: number }> = { valueEncoding: 'json', bloomBitsPerKey: 12 }
const level = new LsmLevel<string, { n: number }>('./level', levelOptions)
await level.put('k', { n: 1 })
const got: { n: number } | undefined = await level.get('k')
const sync: { n: number } | undefined = level.getSync('k')
const size: number = await level.approximateSize('a', 'z')
// @ts-expect-error values are { n: number }
await level.put('k', 'not an object')
await level.close()
void value; void text; void code; void viaDefault; void got; void sync; void size
