// The seeded PRNG of the randomized tests (mulberry32): small, fast and the
// same on every platform, so a printed seed replays a run. Loads nothing
// else, so child processes that must not load the addon can use it.
'use strict'

/** A function returning floats in [0, 1), determined by `seed`. */
function prng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

module.exports = { prng }
