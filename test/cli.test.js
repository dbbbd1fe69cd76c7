// The lsmkv CLI (bin/lsmkv.js), every subcommand run as a subprocess on a
// real database, including its error exits: bad path, locked database (held
// by another process), corrupt JSONL, a damaged file, unknown names.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { once } = require('node:events')
const { open } = require('..')
const { tempDir } = require('./helpers')

const bin = path.join(__dirname, '..', 'bin', 'lsmkv.js')

function lsmkv (args, input) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

function ok (args, input) {
  const r = lsmkv(args, input)
  assert.strictEqual(r.code, 0, `lsmkv ${args.join(' ')}: ${r.err}`)
  assert.strictEqual(r.err, '', 'quiet on stderr when not a TTY')
  return r.out
}

test('put, get, del, scan, count', () => {
  const dir = path.join(tempDir(), 'db')
  ok(['put', dir, 'b', '2'])
  ok(['put', dir, 'a', '1'])
  ok(['put', dir, 'c', '{"n":3}', '--value-encoding', 'json'])
  ok(['put', dir, '6869', 'ff00', '--key-encoding', 'hex', '--value-encoding', 'hex']) // key 'hi'
  assert.strictEqual(ok(['get', dir, 'a']), '1\n')
  assert.strictEqual(ok(['get', dir, 'hi', '--value-encoding', 'base64']), '/wA=\n')
  assert.strictEqual(ok(['scan', dir]).split('\n')[0], 'a\t1')
  assert.strictEqual(ok(['scan', dir, '--keys-only', '--reverse', '--limit', '2']), 'hi\nc\n')
  assert.strictEqual(ok(['scan', dir, '--gt', 'a', '--lte', 'c', '--json']), '{"key":"b","value":"2"}\n{"key":"c","value":"{\\"n\\":3}"}\n')
  assert.strictEqual(ok(['scan', dir, '--gte', 'b', '--lt', 'c', '--keys-only']), 'b\n')
  assert.strictEqual(ok(['count', dir]), '4\n')
  assert.strictEqual(ok(['count', dir, '--gte', 'b']), '3\n')
  ok(['del', dir, 'b'])
  const missing = lsmkv(['get', dir, 'b'])
  assert.strictEqual(missing.code, 1)
  assert.match(missing.err, /key not found/)
  assert.strictEqual(ok(['count', dir]), '3\n')
  fs.rmSync(path.dirname(dir), { recursive: true, force: true })
})

test('dump and load round-trip JSONL, binary bytes included; a bad line names its number', () => {
  const dir = path.join(tempDir(), 'db')
  ok(['put', dir, 'text', 'hello'])
  ok(['put', dir, '00ff', 'fe', '--key-encoding', 'hex', '--value-encoding', 'hex'])
  const dumped = ok(['dump', dir])
  assert.strictEqual(dumped, '{"key64":"AP8=","value64":"/g=="}\n{"key":"text","value":"hello"}\n')
  const copy = path.join(path.dirname(dir), 'copy')
  const file = path.join(path.dirname(dir), 'dump.jsonl')
  ok(['dump', dir, '--out', file])
  assert.strictEqual(fs.readFileSync(file, 'utf8'), dumped)
  ok(['load', copy, file])
  assert.strictEqual(ok(['dump', copy]), dumped)
  ok(['load', copy], '{"key":"piped","value":"1"}\n')
  assert.strictEqual(ok(['get', copy, 'piped']), '1\n')

  const bad = lsmkv(['load', copy], '{"key":"x1","value":"1"}\n\n{"key":"x2","value":2}\n')
  assert.strictEqual(bad.code, 1)
  assert.match(bad.err, /line 3: "value" must be a string/)
  const notJson = lsmkv(['load', copy], '{"key":"y","value":"1"}\n{oops\n')
  assert.strictEqual(notJson.code, 1)
  assert.match(notJson.err, /line 2: not JSON/)
  fs.rmSync(path.dirname(dir), { recursive: true, force: true })
})

test('stats draws the levels; compact empties L0; checkpoint copies; verify finds damage', async () => {
  const dir = tempDir()
  const db = await open(dir, { memtableSize: 16 * 1024 })
  for (let i = 0; i < 3000; i++) await db.put(`k${String(i).padStart(5, '0')}`, 'v'.repeat(40))
  await db.close()
  const stats = ok(['stats', dir])
  assert.match(stats, /^L0 [█▏▎▍▌▋▊▉]+\s+\d+ files\s+[\d.]+ KiB$/m)
  assert.match(stats, /^L1 /m)
  assert.strictEqual(JSON.parse(ok(['stats', dir, '--json'])).lastSequence, 3000)
  ok(['compact', dir])
  const after = JSON.parse(ok(['stats', dir, '--json']))
  assert.strictEqual(after.levels[0].files, 0)
  assert.ok(after.levels.slice(1).some((l) => l.files > 0))

  const ckpt = path.join(tempDir(), 'ckpt')
  ok(['checkpoint', dir, ckpt])
  assert.strictEqual(ok(['count', ckpt]), '3000\n')
  const busy = tempDir()
  fs.writeFileSync(path.join(busy, 'x'), '')
  const refused = lsmkv(['checkpoint', dir, busy])
  assert.strictEqual(refused.code, 1)
  assert.match(refused.err, /is not empty .*\(INVALID_ARGUMENT\)/)

  assert.match(ok(['verify', dir]), /^ok: \d+ files checked/m)
  const table = fs.readdirSync(ckpt).find((f) => f.endsWith('.sst'))
  const file = path.join(ckpt, table)
  fs.unlinkSync(file) // the checkpoint's table is a hard link: damage a copy only
  const bytes = fs.readFileSync(path.join(dir, table))
  bytes[100] ^= 0xff
  fs.writeFileSync(file, bytes)
  const damaged = lsmkv(['verify', ckpt])
  assert.strictEqual(damaged.code, 1)
  assert.match(damaged.out, new RegExp(`^DAMAGE ${table} @0: data block`, 'm'))
  assert.strictEqual(JSON.parse(lsmkv(['verify', ckpt, '--json']).out).ok, false)
  assert.match(ok(['verify', dir]), /^ok/m, 'the source is untouched')
  for (const d of [dir, path.dirname(ckpt), busy]) fs.rmSync(d, { recursive: true, force: true })
})

test('a database locked by another process: reads work, writes fail clearly; a bad path: exit 1', async () => {
  const dir = tempDir()
  ok(['put', dir, 'a', '1'])
  const holder = spawn(process.execPath, ['-e', `
    require(${JSON.stringify(path.join(__dirname, '..'))}).open(${JSON.stringify(dir)}).then(async (db) => {
      await db.put('b', '2') // acknowledged, in the holder's WAL, not flushed
      process.stdout.write('ready\\n'); setInterval(() => {}, 1000)
    })`], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await once(holder.stdout, 'data')
    for (const args of [['put', dir, 'c', '3'], ['del', dir, 'a'], ['compact', dir], ['load', dir, '/dev/null']]) {
      const locked = lsmkv(args)
      assert.strictEqual(locked.code, 1, args.join(' '))
      assert.match(locked.err, /is locked: another process/)
    }
    // Reads open read-only (no LOCK) and see the holder's acknowledged writes;
    // verify needs no lock either.
    assert.strictEqual(ok(['get', dir, 'b']), '2\n')
    assert.strictEqual(ok(['count', dir]), '2\n')
    assert.strictEqual(ok(['scan', dir, '--keys-only']), 'a\nb\n')
    assert.match(ok(['stats', dir]), /last sequence 2/)
    assert.match(ok(['verify', dir]), /^ok/m)
  } finally {
    holder.kill('SIGKILL')
    await once(holder, 'exit')
  }
  assert.strictEqual(ok(['get', dir, 'a']), '1\n')
  for (const args of [['get', path.join(dir, 'nope'), 'a'], ['verify', path.join(dir, 'nope')], ['scan', path.join(dir, 'nope')]]) {
    const r = lsmkv(args)
    assert.strictEqual(r.code, 1, args.join(' '))
    assert.match(r.err, /no database at/)
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

test('usage: --help everywhere, unknown subcommands and flags get a did-you-mean and exit 2', () => {
  const top = lsmkv(['--help'])
  assert.strictEqual(top.code, 0)
  for (const c of ['get', 'put', 'del', 'scan', 'count', 'stats', 'compact', 'verify', 'dump', 'load', 'checkpoint']) {
    assert.match(top.out, new RegExp(`^  ${c} `, 'm'))
    const h = lsmkv([c, '--help'])
    assert.strictEqual(h.code, 0, c)
    assert.match(h.out, new RegExp(`^Usage: lsmkv ${c} `))
  }
  assert.strictEqual(lsmkv([]).code, 2)
  const cmd = lsmkv(['sacn', 'x'])
  assert.strictEqual(cmd.code, 2)
  assert.match(cmd.err, /unknown command 'sacn'; did you mean 'scan'\?/)
  const flag = lsmkv(['scan', 'x', '--revers'])
  assert.strictEqual(flag.code, 2)
  assert.match(flag.err, /unknown flag '--revers' for 'scan'; did you mean 'reverse'\?/)
  const missing = lsmkv(['get', 'x'])
  assert.strictEqual(missing.code, 2)
  assert.match(missing.err, /'get' needs <key>/)
  assert.match(lsmkv(['scan', 'x', '--limit', 'many']).err, /--limit must be a non-negative integer/)
  assert.match(lsmkv(['put', 'x', 'k', 'v', '--value-encoding', 'yaml']).err, /--value-encoding must be one of utf8, hex, base64, json/)
  assert.match(lsmkv(['put', 'x', 'k', '{bad', '--value-encoding', 'json']).err, /value is not JSON/)
})
