// Tests for lsm/slice.h: the bytewise order every key comparison uses.
#include "lsm/slice.h"

#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace lsm {
namespace {

// The reference: unsigned bytes, then the shorter first.
int Reference(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const int r = n == 0 ? 0 : memcmp(a.data(), b.data(), n);
  if (r != 0) return r < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

int Sign(int r) { return r < 0 ? -1 : (r > 0 ? 1 : 0); }

TEST(SliceTest, CompareIsBytewiseUnsignedAtEveryLength) {
  std::mt19937 rng(301);
  for (int i = 0; i < 200000; i++) {
    // Lengths on both sides of the 8-byte words and the 32-byte inline
    // limit; a shared prefix so the first difference lands anywhere; bytes
    // from a small alphabet with the high bit set half the time.
    const size_t la = rng() % 41, lb = rng() % 41;
    std::string a(la, '\0'), b(lb, '\0');
    for (char& c : a) c = static_cast<char>((rng() % 2 ? 0x80 : 0) | (rng() % 3));
    for (char& c : b) c = static_cast<char>((rng() % 2 ? 0x80 : 0) | (rng() % 3));
    const size_t shared = rng() % (std::min(la, lb) + 1);
    b.replace(0, shared, a, 0, shared);
    ASSERT_EQ(Sign(Slice(a).compare(Slice(b))), Reference(a, b)) << i;
    ASSERT_EQ(Sign(Slice(b).compare(Slice(a))), Reference(b, a)) << i;
  }
  EXPECT_LT(Slice("\x01", 1).compare(Slice("\xff", 1)), 0);
  EXPECT_EQ(Slice("abcdefghijklmnop").compare(Slice("abcdefghijklmnop")), 0);
  EXPECT_LT(Slice("abcdefgh").compare(Slice("abcdefghi")), 0);
}

}  // namespace
}  // namespace lsm
