// Histogram: a lock-free latency histogram with log-linear buckets, and
// HistogramData, the plain copy that is merged and asked for percentiles.
//
// Buckets (values are unsigned integers, e.g. nanoseconds):
//   values 0..15                      one bucket each (exact)
//   values in [2^e, 2^(e+1)), e >= 4  16 equal buckets of width 2^(e-4)
// so a bucket is at most 1/16 (6.25%) of its lower bound wide, and 976
// buckets cover every uint64_t. Percentiles interpolate linearly inside the
// bucket holding the wanted rank and are clamped to the recorded min/max.
//
// Thread-safety: Histogram::Add and Histogram::Snapshot may run concurrently
// from any thread (relaxed atomics; a snapshot taken during Adds may miss
// some of them, never tear a counter). HistogramData is a plain value.
#ifndef LSMKV_NATIVE_SRC_UTIL_HISTOGRAM_H_
#define LSMKV_NATIVE_SRC_UTIL_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace lsm {

constexpr int kHistogramSubBits = 4;                      // 16 linear buckets per power of two
constexpr int kHistogramSubBuckets = 1 << kHistogramSubBits;
constexpr int kHistogramBuckets = kHistogramSubBuckets * (64 - kHistogramSubBits + 1);  // 976

// The bucket holding `value`, and the [lower, lower + width) it covers.
int HistogramBucket(uint64_t value);
uint64_t HistogramBucketLower(int bucket);
uint64_t HistogramBucketWidth(int bucket);

struct HistogramData {
  uint64_t count = 0;
  uint64_t sum = 0;
  uint64_t min = 0;  // 0 when empty
  uint64_t max = 0;
  std::array<uint64_t, kHistogramBuckets> buckets{};

  void Add(uint64_t value, uint64_t n = 1);
  void Merge(const HistogramData& other);
  // q in [0, 1]: the value below which a fraction q of the samples lie,
  // interpolated inside its bucket; 0 when empty.
  double Percentile(double q) const;
  double Mean() const { return count == 0 ? 0 : static_cast<double>(sum) / static_cast<double>(count); }
};

class Histogram {
 public:
  Histogram() = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records `n` samples of `value`. Lock-free; a few relaxed atomic ops.
  void Add(uint64_t value, uint64_t n = 1);
  // Adds every sample of `other` (e.g. a per-thread histogram).
  void Merge(const HistogramData& other);
  HistogramData Snapshot() const;

 private:
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_{UINT64_MAX};
  std::atomic<uint64_t> max_{0};
  std::array<std::atomic<uint64_t>, kHistogramBuckets> buckets_{};
};

// Monotonic nanoseconds (CLOCK_MONOTONIC through the vDSO: ~20 ns), for
// timing engine events into a Histogram.
inline uint64_t MonotonicNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_HISTOGRAM_H_
