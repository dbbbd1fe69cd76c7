// Owns the bloom filter byte format and the hash it is defined over.
//
// Format (DO NOT CHANGE: tables on disk depend on it):
//
//   filter    := lines:byte[64 * L] num_probes:uint8
//
//   A cache-local ("blocked") bloom filter: every key sets and tests bits in
//   ONE 64-byte line, so a lookup costs one cache miss per table instead of
//   one per probe (a point get consults a filter in every L0 table).
//   L         = number of 512-bit lines, at least 1
//   line      = floor(h * L / 2^64)            (multiply-shift reduction)
//   probe i   = bit (g_i >> 55) of the line, for i in [0, num_probes), where
//               g_0 = Mix64(h ^ kProbeSeed), g_{i+1} = g_i * kProbeMul mod 2^64
//               bit b lives in line[b / 8] at mask (1 << (b % 8))
//   h         = BloomHash(key) (below; 64 bits)
//
// num_probes is in [1, 30]; values above 30 are reserved for future filter
// encodings and read as "may match", so an old reader never gives a false
// negative on a newer filter.
#include "util/bloom.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lsm {

namespace {

constexpr int kMaxProbes = 30;
constexpr uint64_t kLineBytes = 64;
constexpr uint64_t kProbeSeed = 0x2545f4914f6cdd1dull;
constexpr uint64_t kProbeMul = 0x9e3779b97f4a7c15ull;  // odd: a bijection mod 2^64

inline uint64_t Rotr64(uint64_t v, int r) { return (v >> r) | (v << (64 - r)); }

// splitmix64's finaliser: every input bit affects every output bit, which
// matters because the probe sequence uses both halves of the hash.
inline uint64_t Mix64(uint64_t v) {
  v ^= v >> 30;
  v *= 0xbf58476d1ce4e5b9ull;
  v ^= v >> 27;
  v *= 0x94d049bb133111ebull;
  v ^= v >> 31;
  return v;
}

// The hash the filter format is defined over. Private to this file on
// purpose: the general-purpose util/hash may evolve, the filter hash may not.
// DO NOT CHANGE.
uint64_t BloomHash(const char* data, size_t n) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  constexpr uint64_t kSeed = 0x6c736d6b762d626cull;  // "lsmkv-bl"
  uint64_t h = kSeed ^ (static_cast<uint64_t>(n) * kMul);
  while (n >= 8) {
    uint64_t k;
    memcpy(&k, data, 8);  // little-endian host (util/coding.h asserts it)
    h = Rotr64(h ^ Mix64(k), 37) * kMul;
    data += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t k = 0;
    memcpy(&k, data, n);
    h = Rotr64(h ^ Mix64(k ^ (static_cast<uint64_t>(n) << 56)), 37) * kMul;
  }
  return Mix64(h);
}

// High 64 bits of the 128-bit product a * b.
inline uint64_t MulHi64(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
#else
  // 32-bit targets (e.g. armv7) have no 128-bit integer type.
  const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
#endif
}

int ProbesFor(int bits_per_key) {
  // ln(2) * bits/key minimises the false-positive rate of a classic filter;
  // a blocked one does best with a probe fewer (uneven line loads).
  const int k = static_cast<int>(std::lround(bits_per_key * 0.69314718056)) - 1;
  return std::clamp(k, 1, kMaxProbes);
}

}  // namespace

uint64_t BloomHash(const Slice& key) { return BloomHash(key.data(), key.size()); }

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)),
      num_probes_(ProbesFor(std::max(bits_per_key, 1))) {}

void BloomFilterBuilder::AddKey(const Slice& key) {
  const uint64_t h = BloomHash(key.data(), key.size());
  if (!hashes_.empty() && hashes_.back() == h) return;
  hashes_.push_back(h);
}

void BloomFilterBuilder::Finish(std::string* out) {
  const uint64_t bits = static_cast<uint64_t>(hashes_.size()) * bits_per_key_;
  const uint64_t lines = std::max<uint64_t>(1, (bits + kLineBytes * 8 - 1) / (kLineBytes * 8));

  const size_t start = out->size();
  out->resize(start + lines * kLineBytes, '\0');
  char* array = &(*out)[start];
  for (uint64_t h : hashes_) {
    char* line = array + MulHi64(h, lines) * kLineBytes;
    uint64_t g = Mix64(h ^ kProbeSeed);
    for (int i = 0; i < num_probes_; i++) {
      const uint32_t bit = static_cast<uint32_t>(g >> 55);
      line[bit / 8] |= static_cast<char>(1 << (bit % 8));
      g *= kProbeMul;
    }
  }
  out->push_back(static_cast<char>(num_probes_));
  hashes_.clear();
}

bool BloomFilterMayMatch(const Slice& filter, const Slice& key) {
  return BloomFilterMayMatchHash(filter, BloomHash(key.data(), key.size()));
}

bool BloomFilterMayMatchHash(const Slice& filter, uint64_t h) {
  if (filter.size() < kLineBytes + 1 || (filter.size() - 1) % kLineBytes != 0) return true;
  const int num_probes = static_cast<uint8_t>(filter[filter.size() - 1]);
  if (num_probes < 1 || num_probes > kMaxProbes) return true;
  const uint64_t lines = (filter.size() - 1) / kLineBytes;

  const char* line = filter.data() + MulHi64(h, lines) * kLineBytes;
  uint64_t g = Mix64(h ^ kProbeSeed);
  for (int i = 0; i < num_probes; i++) {
    const uint32_t bit = static_cast<uint32_t>(g >> 55);
    if ((line[bit / 8] & (1 << (bit % 8))) == 0) return false;
    g *= kProbeMul;
  }
  return true;
}

}  // namespace lsm
