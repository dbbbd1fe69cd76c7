// Latencies: one lock-free histogram per LatencyKind, as a DB keeps them for
// DB::RecordLatency / DB::GetLatencies (the embedder's timings and the
// engine's own). Shared by the writable engine and read-only opens.
#ifndef LSMKV_NATIVE_SRC_DB_LATENCIES_H_
#define LSMKV_NATIVE_SRC_DB_LATENCIES_H_

#include <cstdint>

#include "lsm/metrics.h"
#include "util/histogram.h"

namespace lsm {

class Latencies {
 public:
  // Unknown kinds (a newer embedder) are ignored.
  void Record(LatencyKind kind, uint64_t nanos, uint64_t count = 1) {
    const int k = static_cast<int>(kind);
    if (k >= 0 && k < kNumLatencyKinds) histograms_[k].Add(nanos, count);
  }
  // Records the time since start_nanos (a MonotonicNanos() reading).
  void RecordSince(LatencyKind kind, uint64_t start_nanos) {
    Record(kind, MonotonicNanos() - start_nanos);
  }
  void Summarize(LatencySummary out[kNumLatencyKinds]) const {
    for (int k = 0; k < kNumLatencyKinds; k++) {
      const HistogramData d = histograms_[k].Snapshot();
      LatencySummary& s = out[k];
      s.count = d.count;
      s.sum = d.sum;
      s.min = d.min;
      s.max = d.max;
      s.p50 = d.Percentile(0.5);
      s.p90 = d.Percentile(0.9);
      s.p99 = d.Percentile(0.99);
      s.p999 = d.Percentile(0.999);
    }
  }

 private:
  Histogram histograms_[kNumLatencyKinds];
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_LATENCIES_H_
