// Histogram bucket arithmetic, merging and percentile interpolation (layout:
// histogram.h).
#include "util/histogram.h"

#include <algorithm>

namespace lsm {

namespace {

int HighestBit(uint64_t v) { return 63 - __builtin_clzll(v); }  // v != 0

void AtomicMin(std::atomic<uint64_t>* a, uint64_t v) {
  uint64_t cur = a->load(std::memory_order_relaxed);
  while (v < cur && !a->compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

void AtomicMax(std::atomic<uint64_t>* a, uint64_t v) {
  uint64_t cur = a->load(std::memory_order_relaxed);
  while (v > cur && !a->compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

}  // namespace

int HistogramBucket(uint64_t value) {
  if (value < static_cast<uint64_t>(kHistogramSubBuckets)) return static_cast<int>(value);
  const int e = HighestBit(value);
  const int sub = static_cast<int>((value >> (e - kHistogramSubBits)) & (kHistogramSubBuckets - 1));
  return kHistogramSubBuckets * (e - kHistogramSubBits + 1) + sub;
}

uint64_t HistogramBucketLower(int bucket) {
  if (bucket < kHistogramSubBuckets) return static_cast<uint64_t>(bucket);
  const int shift = bucket / kHistogramSubBuckets - 1;  // e - kHistogramSubBits
  const uint64_t sub = static_cast<uint64_t>(bucket % kHistogramSubBuckets);
  return (kHistogramSubBuckets + sub) << shift;
}

uint64_t HistogramBucketWidth(int bucket) {
  if (bucket < kHistogramSubBuckets) return 1;
  return uint64_t{1} << (bucket / kHistogramSubBuckets - 1);
}

void HistogramData::Add(uint64_t value, uint64_t n) {
  if (n == 0) return;
  min = count == 0 ? value : std::min(min, value);
  max = std::max(max, value);
  count += n;
  sum += value * n;
  buckets[HistogramBucket(value)] += n;
}

void HistogramData::Merge(const HistogramData& other) {
  if (other.count == 0) return;
  min = count == 0 ? other.min : std::min(min, other.min);
  max = std::max(max, other.max);
  count += other.count;
  sum += other.sum;
  for (int i = 0; i < kHistogramBuckets; i++) buckets[i] += other.buckets[i];
}

double HistogramData::Percentile(double q) const {
  uint64_t total = 0;
  for (uint64_t b : buckets) total += b;
  if (total == 0) return 0;
  q = std::min(1.0, std::max(0.0, q));
  const double rank = q * static_cast<double>(total);
  uint64_t before = 0;
  for (int i = 0; i < kHistogramBuckets; i++) {
    const uint64_t n = buckets[i];
    if (n == 0) continue;
    if (static_cast<double>(before + n) >= rank) {
      // The bucket's integers are lower .. lower + width - 1; spread its n
      // samples evenly over them (exact for the one-value buckets).
      const double lower = static_cast<double>(HistogramBucketLower(i));
      const double span = static_cast<double>(HistogramBucketWidth(i) - 1);
      const double fraction = std::max(0.0, rank - static_cast<double>(before)) / static_cast<double>(n);
      const double v = lower + span * fraction;
      return std::min(static_cast<double>(max), std::max(static_cast<double>(min), v));
    }
    before += n;
  }
  return static_cast<double>(max);
}

void Histogram::Add(uint64_t value, uint64_t n) {
  if (n == 0) return;
  buckets_[HistogramBucket(value)].fetch_add(n, std::memory_order_relaxed);
  sum_.fetch_add(value * n, std::memory_order_relaxed);
  AtomicMin(&min_, value);
  AtomicMax(&max_, value);
  count_.fetch_add(n, std::memory_order_relaxed);
}

void Histogram::Merge(const HistogramData& other) {
  if (other.count == 0) return;
  for (int i = 0; i < kHistogramBuckets; i++) {
    if (other.buckets[i] != 0) buckets_[i].fetch_add(other.buckets[i], std::memory_order_relaxed);
  }
  sum_.fetch_add(other.sum, std::memory_order_relaxed);
  AtomicMin(&min_, other.min);
  AtomicMax(&max_, other.max);
  count_.fetch_add(other.count, std::memory_order_relaxed);
}

HistogramData Histogram::Snapshot() const {
  HistogramData d;
  for (int i = 0; i < kHistogramBuckets; i++) d.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  d.count = count_.load(std::memory_order_relaxed);
  d.sum = sum_.load(std::memory_order_relaxed);
  d.max = max_.load(std::memory_order_relaxed);
  const uint64_t min = min_.load(std::memory_order_relaxed);
  d.min = d.count == 0 || min == UINT64_MAX ? 0 : min;
  return d;
}

}  // namespace lsm
