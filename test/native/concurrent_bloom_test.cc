// ConcurrentBloom (the memtable's filter): no false negatives at any fill,
// a false-positive rate that makes it worth probing, and readers racing one
// writer always find what was published to them (run under TSan in CI).
#include "util/concurrent_bloom.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "util/bloom.h"

namespace lsm {
namespace {

uint64_t KeyHash(uint64_t i) { return BloomHash("key" + std::to_string(i)); }

TEST(ConcurrentBloomTest, EmptyFilterContainsNothing) {
  ConcurrentBloom filter(1024);
  int hits = 0;
  for (uint64_t i = 0; i < 1000; i++) hits += filter.MayContain(KeyHash(i));
  EXPECT_EQ(0, hits);
}

TEST(ConcurrentBloomTest, SizeRoundsUpToWholeLines) {
  EXPECT_EQ(64u, ConcurrentBloom(0).bytes());
  EXPECT_EQ(64u, ConcurrentBloom(1).bytes());
  EXPECT_EQ(128u, ConcurrentBloom(65).bytes());
}

TEST(ConcurrentBloomTest, NoFalseNegativesAndFewFalsePositivesAtTenBitsPerKey) {
  constexpr uint64_t kKeys = 100000;
  ConcurrentBloom filter(kKeys * 10 / 8);
  for (uint64_t i = 0; i < kKeys; i++) filter.Add(KeyHash(i));
  for (uint64_t i = 0; i < kKeys; i++) ASSERT_TRUE(filter.MayContain(KeyHash(i))) << i;
  int hits = 0;
  for (uint64_t i = kKeys; i < 2 * kKeys; i++) hits += filter.MayContain(KeyHash(i));
  const double rate = static_cast<double>(hits) / kKeys;
  EXPECT_LT(rate, 0.02) << "false-positive rate " << rate;
}

TEST(ConcurrentBloomTest, SaturatedFilterStillFindsEveryKey) {
  ConcurrentBloom filter(64);  // one line for 10k keys: every bit ends up set
  for (uint64_t i = 0; i < 10000; i++) filter.Add(KeyHash(i));
  for (uint64_t i = 0; i < 10000; i++) ASSERT_TRUE(filter.MayContain(KeyHash(i))) << i;
}

TEST(ConcurrentBloomTest, ReadersRacingTheWriterFindEveryPublishedKey) {
  constexpr uint64_t kKeys = 200000;
  ConcurrentBloom filter(16 * 1024);
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> misses{0};
  std::thread writer([&] {
    for (uint64_t i = 0; i < kKeys; i++) {
      filter.Add(KeyHash(i));
      published.store(i + 1, std::memory_order_release);
    }
  });
  auto reader = [&](uint64_t seed) {
    uint64_t x = seed;
    for (;;) {
      const uint64_t n = published.load(std::memory_order_acquire);
      if (n > 0) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if (!filter.MayContain(KeyHash((x >> 33) % n))) misses.fetch_add(1);
      }
      if (n == kKeys) break;
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  writer.join();
  r1.join();
  r2.join();
  EXPECT_EQ(0u, misses.load());
}

}  // namespace
}  // namespace lsm
