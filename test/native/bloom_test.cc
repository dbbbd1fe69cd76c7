// Bloom filter: no false negatives, false-positive rate within budget, and
// graceful handling of degenerate filters.
#include "util/bloom.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "util/coding.h"

namespace lsm {
namespace {

std::string IntKey(uint32_t i) {
  std::string s;
  PutFixed32(&s, i);
  return s;
}

std::string BuildFilter(int bits_per_key,
                        const std::vector<std::string>& keys) {
  BloomFilterBuilder builder(bits_per_key);
  for (const auto& k : keys) builder.AddKey(k);
  std::string filter;
  builder.Finish(&filter);
  return filter;
}

double FalsePositiveRate(const std::string& filter, uint32_t offset, int n) {
  int hits = 0;
  for (int i = 0; i < n; i++) {
    if (BloomFilterMayMatch(filter, IntKey(offset + i))) hits++;
  }
  return static_cast<double>(hits) / n;
}

TEST(BloomTest, EmptyFilterMatchesNothingItWasNotGiven) {
  std::string filter = BuildFilter(10, {});
  EXPECT_FALSE(BloomFilterMayMatch(filter, "hello"));
  EXPECT_FALSE(BloomFilterMayMatch(filter, ""));
}

TEST(BloomTest, SmallSetHasNoFalseNegatives) {
  std::string filter = BuildFilter(10, {"hello", "world", ""});
  EXPECT_TRUE(BloomFilterMayMatch(filter, "hello"));
  EXPECT_TRUE(BloomFilterMayMatch(filter, "world"));
  EXPECT_TRUE(BloomFilterMayMatch(filter, ""));
  EXPECT_FALSE(BloomFilterMayMatch(filter, "x"));
  EXPECT_FALSE(BloomFilterMayMatch(filter, "foo"));
}

TEST(BloomTest, ProbeCountIsStoredInLastByte) {
  EXPECT_EQ(6, BuildFilter(10, {"a"}).back());  // blocked filter: ln2 * 10 - 1
  EXPECT_EQ(1, BuildFilter(1, {"a"}).back());
  EXPECT_EQ(30, BuildFilter(100, {"a"}).back());
}

TEST(BloomTest, FalsePositiveRateAtTenBitsPerKeyIsAtMostOnePointFivePercent) {
  constexpr int kKeys = 100000;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; i++) keys.push_back(IntKey(i));
  std::string filter = BuildFilter(10, keys);
  EXPECT_LE(filter.size(), kKeys * 10 / 8 + 64 + 1);  // rounded up to whole 64-byte lines
  for (const auto& k : keys) ASSERT_TRUE(BloomFilterMayMatch(filter, k)) << k;
  double rate = FalsePositiveRate(filter, 1000000000, 100000);
  EXPECT_LE(rate, 0.015) << "false-positive rate " << rate;
  std::printf("bloom false-positive rate at 10 bits/key: %.3f%%\n", rate * 100);
}

TEST(BloomTest, VaryingLengthsHaveNoFalseNegativesAndFewFalsePositives) {
  for (int n = 1; n <= 10000;
       n = (n < 10 ? n + 1 : n < 1000 ? n + 97 : n * 10)) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; i++) keys.push_back(IntKey(i));
    std::string filter = BuildFilter(10, keys);
    for (const auto& k : keys) ASSERT_TRUE(BloomFilterMayMatch(filter, k));
    double rate = FalsePositiveRate(filter, 1000000000, 10000);
    // A filter of a few keys has a few dozen bits, so its set-bit count (and
    // rate) varies much more around the expectation than a large one's.
    EXPECT_LE(rate, n < 100 ? 0.03 : 0.015) << n << " keys";
  }
}

TEST(BloomTest, VariableLengthKeysHaveNoFalseNegatives) {
  std::vector<std::string> keys;
  for (int len = 0; len < 300; len++) {
    keys.push_back(std::string(len, static_cast<char>('a' + len % 26)));
    std::string k;
    for (int j = 0; j < len; j++) k.push_back(static_cast<char>(j * 7 + len));
    keys.push_back(k);
  }
  std::string filter = BuildFilter(10, keys);
  for (const auto& k : keys) EXPECT_TRUE(BloomFilterMayMatch(filter, k));
  int hits = 0;
  for (int i = 0; i < 10000; i++) {
    if (BloomFilterMayMatch(filter, "absent-" + std::to_string(i))) hits++;
  }
  EXPECT_LE(hits, 300);
}

TEST(BloomTest, AdjacentDuplicateKeysAreCountedOnce) {
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 100; i++) builder.AddKey("same");
  builder.AddKey("other");
  EXPECT_EQ(2u, builder.NumKeys());
}

TEST(BloomTest, DegenerateOrUnknownFiltersMayMatchEverything) {
  EXPECT_TRUE(BloomFilterMayMatch(Slice(), "k"));
  EXPECT_TRUE(BloomFilterMayMatch(Slice("\x07", 1), "k"));
  std::string reserved(9, '\0');
  reserved.back() = 31;  // probe counts > 30 are reserved for new encodings
  EXPECT_TRUE(BloomFilterMayMatch(reserved, "k"));
}

TEST(BloomTest, BuilderIsReusableAfterFinish) {
  BloomFilterBuilder builder(10);
  builder.AddKey("first");
  std::string a;
  builder.Finish(&a);
  builder.AddKey("second");
  std::string b;
  builder.Finish(&b);
  EXPECT_TRUE(BloomFilterMayMatch(b, "second"));
  EXPECT_FALSE(BloomFilterMayMatch(b, "first"));
}

}  // namespace
}  // namespace lsm
