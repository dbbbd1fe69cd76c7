// Hash64 definition. The output reaches disk (bloom filters), so this file
// owns a format:
//
//   Input is read as little-endian words. Constants (all odd):
//     C0 = 0x9e3779b97f4a7c15   C1 = 0xbf58476d1ce4e5b9
//     C2 = 0x94d049bb133111eb   C3 = 0xff51afd7ed558ccd
//     C4 = 0xc4ceb9fe1a85ec53
//   Round(acc, w) := rotl64(acc + w * C1, 29) * C0
//
//   if n >= 32:
//     a = seed + C0 + C1; b = seed + C1; c = seed; d = seed - C0
//     for each whole 32-byte stripe (w0 w1 w2 w3):
//       a = Round(a, w0); b = Round(b, w1); c = Round(c, w2); d = Round(d, w3)
//     h = rotl(a,1) + rotl(b,7) + rotl(c,12) + rotl(d,18)
//     for v in (a, b, c, d): h = (h ^ Round(0, v)) * C0 + C3
//   else:
//     h = seed + C4
//   h += n
//   for each remaining whole 8-byte word w:  h = rotl(h ^ Round(0, w), 27) * C0 + C3
//   if 4 or more bytes remain (u32 x):        h = rotl(h ^ (x * C0), 23) * C1 + C2
//   for each remaining byte b:                h = rotl(h ^ (b * C4), 11) * C0
//   result = fmix(h), fmix(h) := h ^= h >> 33; h *= C3; h ^= h >> 33;
//                                h *= C4; h ^= h >> 33
//
// DO NOT CHANGE any of the above; test/native/hash_test.cc pins known values.
// The four independent lanes keep long inputs fast (the multiplies of one
// stripe overlap); short keys, the common case, take only the tail steps.
#include "util/hash.h"

#include "util/coding.h"

namespace lsm {

namespace {

constexpr uint64_t kC0 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kC1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kC2 = 0x94d049bb133111ebull;
constexpr uint64_t kC3 = 0xff51afd7ed558ccdull;
constexpr uint64_t kC4 = 0xc4ceb9fe1a85ec53ull;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Round(uint64_t acc, uint64_t word) {
  acc += word * kC1;
  acc = Rotl(acc, 29);
  return acc * kC0;
}

inline uint64_t Fmix(uint64_t h) {
  h ^= h >> 33;
  h *= kC3;
  h ^= h >> 33;
  h *= kC4;
  h ^= h >> 33;
  return h;
}

}  // namespace

uint64_t Hash64(const char* data, size_t n, uint64_t seed) {
  const char* p = data;
  const char* const end = data + n;
  uint64_t h;

  if (n >= 32) {
    uint64_t a = seed + kC0 + kC1;
    uint64_t b = seed + kC1;
    uint64_t c = seed;
    uint64_t d = seed - kC0;
    do {
      a = Round(a, DecodeFixed64(p));
      b = Round(b, DecodeFixed64(p + 8));
      c = Round(c, DecodeFixed64(p + 16));
      d = Round(d, DecodeFixed64(p + 24));
      p += 32;
    } while (end - p >= 32);
    h = Rotl(a, 1) + Rotl(b, 7) + Rotl(c, 12) + Rotl(d, 18);
    for (uint64_t v : {a, b, c, d}) h = (h ^ Round(0, v)) * kC0 + kC3;
  } else {
    h = seed + kC4;
  }

  h += static_cast<uint64_t>(n);

  while (end - p >= 8) {
    h = Rotl(h ^ Round(0, DecodeFixed64(p)), 27) * kC0 + kC3;
    p += 8;
  }
  if (end - p >= 4) {
    h = Rotl(h ^ (static_cast<uint64_t>(DecodeFixed32(p)) * kC0), 23) * kC1 + kC2;
    p += 4;
  }
  while (p < end) {
    h = Rotl(h ^ (static_cast<uint64_t>(static_cast<uint8_t>(*p)) * kC4), 11) * kC0;
    p++;
  }
  return Fmix(h);
}

}  // namespace lsm
