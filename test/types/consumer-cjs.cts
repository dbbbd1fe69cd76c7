// CommonJS consumer of lsmkv's published declarations (compiled by test/types.test.js).
import lsmkv = require('lsmkv')
import level = require('lsmkv/level')
import { open, type Database } from 'lsmkv'

async function main (): Promise<void> {
  const db: Database<'buffer', 'buffer'> = await open('./data', { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  const v: Buffer | undefined = db.getSync(Buffer.from('k'))
  const many: Array<Buffer | undefined> = await db.getMany([Buffer.from('a')])
  using snap = db.snapshot()
  const old: Buffer | undefined = await db.get(Buffer.from('k'), { snapshot: snap })
  await db.batch().put(Buffer.from('a'), Buffer.from('1')).del(Buffer.from('b')).write()
  // @ts-expect-error unknown option names are type errors too
  await lsmkv.open('./x', { memtablesize: 1 })
  lsmkv.setNativeBinding(require.resolve('lsmkv/package.json'))
  const ldb = new level.LsmLevel('./level')
  const s: string | undefined = await ldb.get('k')
  const sub = ldb.sublevel<string, number>('n', { valueEncoding: 'json' })
  const n: number | undefined = await sub.get('k')
  await ldb.close()
  void v; void many; void old; void s; void n
}
void main()
