// Tests for util/hash: Hash64's output is on disk (bloom filters), so its
// values are pinned; the rest checks it mixes well enough for a filter.
#include "util/hash.h"

#include <bitset>
#include <cstdint>
#include <string>
#include <unordered_set>

#include <gtest/gtest.h>

#include "util/random.h"

namespace lsm {
namespace {

struct Golden {
  const char* input;
  uint64_t seed;
  uint64_t hash;
};

// DO NOT UPDATE these to make the test pass: a different value means filters
// already on disk would stop matching their keys.
const Golden kGolden[] = {
    {"", 0x0ull, 0x93351475dd625ff1ull},
    {"", 0xbc9f1d34ull, 0x9341ac71c0dbef56ull},
    {"a", 0x0ull, 0xc1e6880f063546a3ull},
    {"a", 0xbc9f1d34ull, 0x387461638ebe1a10ull},
    {"abc", 0x0ull, 0x9a74128e71ec90bbull},
    {"abc", 0xbc9f1d34ull, 0xfdc656f5bd3fcb6bull},
    {"12345678", 0x0ull, 0x5309db71b3675f7eull},
    {"12345678", 0xbc9f1d34ull, 0x0eb5fd7de49309d6ull},
    {"hello world", 0x0ull, 0xc3631beaab436894ull},
    {"hello world", 0xbc9f1d34ull, 0xc493f8446b59b6b7ull},
    {"0123456789abcdef0123456789abcdef", 0x0ull, 0xca615578755be967ull},
    {"0123456789abcdef0123456789abcdef", 0xbc9f1d34ull, 0xf032b05dfc7f341full},
    {"0123456789abcdef0123456789abcdef0123456789abcdef-xyz", 0x0ull, 0x7b6e1fa8683f77d6ull},
    {"0123456789abcdef0123456789abcdef0123456789abcdef-xyz", 0xbc9f1d34ull,
     0xb694c4ae9174c9d3ull},
};

TEST(HashTest, ValuesArePinnedBecauseTheyAreOnDisk) {
  for (const Golden& g : kGolden) {
    EXPECT_EQ(g.hash, Hash64(g.input, std::string(g.input).size(), g.seed))
        << "\"" << g.input << "\" seed " << g.seed;
  }
}

TEST(HashTest, DoesNotReadPastTheGivenLength) {
  const std::string s = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz";
  for (size_t n = 0; n < s.size(); n++) {
    std::string copy = s.substr(0, n);
    EXPECT_EQ(Hash64(copy.data(), n, 7), Hash64(s.data(), n, 7)) << n;
  }
}

TEST(HashTest, LengthAndSeedChangeTheResult) {
  const std::string zeros(100, '\0');
  std::unordered_set<uint64_t> seen;
  for (size_t n = 0; n <= zeros.size(); n++) {
    EXPECT_TRUE(seen.insert(Hash64(zeros.data(), n, 0)).second) << n;
  }
  for (uint64_t seed = 1; seed < 100; seed++) {
    EXPECT_TRUE(seen.insert(Hash64(zeros.data(), 8, seed)).second) << seed;
  }
}

// Flipping any one input bit should flip each output bit about half the time.
TEST(HashTest, SingleBitFlipsAvalanche) {
  Random rnd(17);
  for (size_t n : {1, 3, 4, 7, 8, 15, 16, 31, 32, 33, 64, 100}) {
    int flips[64] = {};
    int trials = 0;
    for (int round = 0; round < 40; round++) {
      std::string s(n, '\0');
      for (char& c : s) c = static_cast<char>(rnd.Next());
      const uint64_t base = Hash64(s.data(), n, 0);
      for (size_t bit = 0; bit < n * 8; bit++) {
        s[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        const uint64_t diff = base ^ Hash64(s.data(), n, 0);
        s[bit / 8] ^= static_cast<char>(1 << (bit % 8));
        for (int o = 0; o < 64; o++) flips[o] += (diff >> o) & 1;
        trials++;
      }
    }
    for (int o = 0; o < 64; o++) {
      const double p = static_cast<double>(flips[o]) / trials;
      EXPECT_GT(p, 0.40) << "length " << n << " output bit " << o;
      EXPECT_LT(p, 0.60) << "length " << n << " output bit " << o;
    }
  }
}

TEST(HashTest, SequentialKeysDoNotCollide) {
  std::unordered_set<uint64_t> seen;
  const int kN = 200000;
  for (int i = 0; i < kN; i++) {
    const std::string key = "key" + std::to_string(i);
    seen.insert(Hash64(key.data(), key.size(), 0xbc9f1d34));
  }
  EXPECT_EQ(static_cast<size_t>(kN), seen.size());
}

}  // namespace
}  // namespace lsm
