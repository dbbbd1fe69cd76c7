// Random: a small, fast, deterministic pseudo-random generator for skiplist
// node heights and tests. Same seed -> same sequence on every platform, so a
// failing randomized test can be replayed from its seed. Not for anything
// security-related.
//
// Thread-safety: none; give each thread its own instance.
#ifndef LSMKV_NATIVE_SRC_UTIL_RANDOM_H_
#define LSMKV_NATIVE_SRC_UTIL_RANDOM_H_

#include <cassert>
#include <cstdint>

namespace lsm {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  // Uniform over all 64-bit values. SplitMix64 step: a Weyl sequence (so
  // every seed, including 0, has full period) passed through a bijective
  // mixer.
  uint64_t Next64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  uint32_t Next() { return static_cast<uint32_t>(Next64() >> 32); }

  // Uniform in [0, n). REQUIRES: n > 0. Uses the high half of a 64-bit
  // product (Lemire) rather than %, so the bias is at most n / 2^32.
  uint32_t Uniform(uint32_t n) {
    assert(n > 0);
    return static_cast<uint32_t>((static_cast<uint64_t>(Next()) * n) >> 32);
  }

  // True with probability 1/n. REQUIRES: n > 0.
  bool OneIn(uint32_t n) { return Uniform(n) == 0; }

  // Picks a bit width in [0, max_log] uniformly, then a value of that width:
  // favours small numbers while still producing occasional large ones
  // (useful for sizes in tests). REQUIRES: 0 <= max_log <= 31.
  uint32_t Skewed(int max_log) {
    assert(max_log >= 0 && max_log <= 31);
    return Uniform(1u << Uniform(static_cast<uint32_t>(max_log) + 1));
  }

 private:
  uint64_t state_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_RANDOM_H_
