// binding.gyp and CMakeLists.txt must build the same explicit sources
// (issue 2 §1): the engine library and the addon, file for file.
'use strict'
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

function cmakeList (text, name) {
  const m = text.match(new RegExp(`set\\(${name}\\s+([^)]*)\\)`))
  assert.ok(m, `CMakeLists.txt defines ${name}`)
  return m[1].split(/\s+/).filter(Boolean)
}

function gypTargets () {
  const text = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '')
  const { targets } = JSON.parse(text)
  return Object.fromEntries(targets.map((t) => [t.target_name, t.sources]))
}

test('binding.gyp and CMakeLists.txt list the same sources', () => {
  const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8')
  const gyp = gypTargets()
  assert.deepStrictEqual(gyp.lsm_engine, cmakeList(cmake, 'LSM_ENGINE_SOURCES'))
  assert.deepStrictEqual(gyp.lsmkv, cmakeList(cmake, 'LSM_BINDING_SOURCES'))
})

test('every listed source exists and every engine source file is listed', () => {
  const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8')
  const listed = new Set([...cmakeList(cmake, 'LSM_ENGINE_SOURCES'), ...cmakeList(cmake, 'LSM_BINDING_SOURCES')])
  for (const f of listed) assert.ok(fs.existsSync(path.join(root, f)), `${f} exists`)
  const onDisk = []
  for (const dir of ['native/src', 'native/binding']) {
    for (const f of fs.readdirSync(path.join(root, dir), { recursive: true })) {
      if (String(f).endsWith('.cc')) onDisk.push(path.posix.join(dir, String(f)))
    }
  }
  for (const f of onDisk) assert.ok(listed.has(f), `${f} is listed in the build files`)
})

test('the engine never includes Node headers', () => {
  const dir = path.join(root, 'native/src')
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    if (!/\.(cc|h)$/.test(String(f))) continue
    const text = fs.readFileSync(path.join(dir, String(f)), 'utf8')
    assert.doesNotMatch(text, /#include\s*[<"](napi|node_api|node|v8|uv)\.h[>"]/, `${f} includes a Node header`)
  }
})
