// Histogram: bucket boundaries, exact percentiles on known inputs, merging,
// and counts that survive concurrent Adds.
#include "util/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace lsm {
namespace {

TEST(HistogramTest, SmallValuesHaveTheirOwnBucket) {
  for (uint64_t v = 0; v < 16; v++) {
    EXPECT_EQ(HistogramBucket(v), static_cast<int>(v));
    EXPECT_EQ(HistogramBucketLower(static_cast<int>(v)), v);
    EXPECT_EQ(HistogramBucketWidth(static_cast<int>(v)), 1u);
  }
}

TEST(HistogramTest, BucketsAreLogLinear) {
  EXPECT_EQ(HistogramBucket(16), 16);
  EXPECT_EQ(HistogramBucket(31), 31);
  EXPECT_EQ(HistogramBucket(32), 32);  // [32, 34): width 2 from here
  EXPECT_EQ(HistogramBucket(33), 32);
  EXPECT_EQ(HistogramBucket(34), 33);
  EXPECT_EQ(HistogramBucketWidth(32), 2u);
  // 100 = 0b1100100: e = 6, sub = (100 >> 2) & 15 = 9.
  EXPECT_EQ(HistogramBucket(100), 16 + 2 * 16 + 9);
  EXPECT_EQ(HistogramBucketLower(57), 100u);
  EXPECT_EQ(HistogramBucketWidth(57), 4u);
  EXPECT_EQ(HistogramBucket(UINT64_MAX), kHistogramBuckets - 1);
  EXPECT_EQ(HistogramBucketLower(kHistogramBuckets - 1), uint64_t{31} << 59);
  EXPECT_EQ(HistogramBucketWidth(kHistogramBuckets - 1), uint64_t{1} << 59);
}

TEST(HistogramTest, EveryValueFallsInsideItsBucket) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{17}, uint64_t{1000}, uint64_t{123456789},
                     uint64_t{1} << 40, (uint64_t{1} << 40) - 1, UINT64_MAX}) {
    const int b = HistogramBucket(v);
    ASSERT_GE(v, HistogramBucketLower(b)) << v;
    ASSERT_LE(v - HistogramBucketLower(b), HistogramBucketWidth(b) - 1) << v;
  }
  // Consecutive buckets tile the line without gaps.
  for (int b = 0; b + 1 < kHistogramBuckets; b++) {
    ASSERT_EQ(HistogramBucketLower(b) + HistogramBucketWidth(b), HistogramBucketLower(b + 1)) << b;
  }
}

TEST(HistogramTest, EmptyHistogramReportsZero) {
  Histogram h;
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, 0u);
  EXPECT_EQ(d.min, 0u);
  EXPECT_EQ(d.max, 0u);
  EXPECT_EQ(d.Percentile(0.5), 0);
  EXPECT_EQ(d.Mean(), 0);
}

TEST(HistogramTest, PercentilesOfOneToTenAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 10; v++) h.Add(v);
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, 10u);
  EXPECT_EQ(d.sum, 55u);
  EXPECT_EQ(d.min, 1u);
  EXPECT_EQ(d.max, 10u);
  EXPECT_DOUBLE_EQ(d.Mean(), 5.5);
  EXPECT_DOUBLE_EQ(d.Percentile(0.5), 5);
  EXPECT_DOUBLE_EQ(d.Percentile(0.9), 9);
  EXPECT_DOUBLE_EQ(d.Percentile(0.99), 10);
  EXPECT_DOUBLE_EQ(d.Percentile(0), 1);
  EXPECT_DOUBLE_EQ(d.Percentile(1), 10);
}

TEST(HistogramTest, PercentilesInterpolateInsideWideBuckets) {
  // 1..100 once each. Ranks: p50 = 50 falls in [50, 51] (2 samples, 49
  // before): 50 + 1 * (50 - 49) / 2. p90 = 90 in [88, 91] (4 samples, 87
  // before): 88 + 3 * 3 / 4. p99 = 99 in [96, 99]: 96 + 3 * 4 / 4. p99.9 =
  // 99.9 in [100, 103] would be 102.7, clamped to the max, 100.
  HistogramData d;
  for (uint64_t v = 1; v <= 100; v++) d.Add(v);
  EXPECT_DOUBLE_EQ(d.Percentile(0.5), 50.5);
  EXPECT_DOUBLE_EQ(d.Percentile(0.9), 90.25);
  EXPECT_DOUBLE_EQ(d.Percentile(0.99), 99);
  EXPECT_DOUBLE_EQ(d.Percentile(0.999), 100);
}

TEST(HistogramTest, OneRepeatedValueIsEveryPercentile) {
  Histogram h;
  h.Add(1000, 999);
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, 999u);
  EXPECT_EQ(d.sum, 999000u);
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_DOUBLE_EQ(d.Percentile(q), 1000) << q;
}

TEST(HistogramTest, OutlierShowsOnlyInTheTail) {
  // 999 samples of 10 and one of 1,000,000: p99 is still 10; p99.95 (rank
  // 999.5) is halfway into the outlier's bucket [983040, 1015807]:
  // 983040 + 32767 / 2; p100 is clamped to the max.
  HistogramData d;
  d.Add(10, 999);
  d.Add(1000000);
  EXPECT_DOUBLE_EQ(d.Percentile(0.5), 10);
  EXPECT_DOUBLE_EQ(d.Percentile(0.99), 10);
  EXPECT_DOUBLE_EQ(d.Percentile(0.9995), 999423.5);
  EXPECT_DOUBLE_EQ(d.Percentile(1), 1000000);
  EXPECT_EQ(d.max, 1000000u);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram all;
  HistogramData even, odd;
  for (uint64_t v = 0; v < 5000; v += 7) {
    all.Add(v * v);
    ((v / 7) % 2 == 0 ? even : odd).Add(v * v);
  }
  Histogram merged;
  merged.Merge(even);
  merged.Merge(odd);
  HistogramData a = all.Snapshot();
  HistogramData m = merged.Snapshot();
  EXPECT_EQ(a.count, m.count);
  EXPECT_EQ(a.sum, m.sum);
  EXPECT_EQ(a.min, m.min);
  EXPECT_EQ(a.max, m.max);
  EXPECT_EQ(a.buckets, m.buckets);
  for (double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_DOUBLE_EQ(a.Percentile(q), m.Percentile(q));
  HistogramData copy = even;
  copy.Merge(odd);
  EXPECT_EQ(copy.buckets, a.buckets);
  EXPECT_EQ(copy.min, 0u);
}

TEST(HistogramTest, ConcurrentAddsAreAllCounted) {
  Histogram h;
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 50000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&h, t] {
      for (uint64_t i = 0; i < kPerThread; i++) h.Add(static_cast<uint64_t>(t) * 1000 + i % 100);
    });
  }
  for (auto& th : threads) th.join();
  HistogramData d = h.Snapshot();
  EXPECT_EQ(d.count, kThreads * kPerThread);
  uint64_t bucket_total = 0;
  for (uint64_t b : d.buckets) bucket_total += b;
  EXPECT_EQ(bucket_total, kThreads * kPerThread);
  // Per thread: 500 rounds of (t*1000 + 0..99), sum 500 * (100 * t*1000 + 4950).
  uint64_t expected_sum = 0;
  for (int t = 0; t < kThreads; t++) expected_sum += 500 * (100 * static_cast<uint64_t>(t) * 1000 + 4950);
  EXPECT_EQ(d.sum, expected_sum);
  EXPECT_EQ(d.min, 0u);
  EXPECT_EQ(d.max, 3099u);
}

}  // namespace
}  // namespace lsm
