// Latency metrics of a DB: which operations are timed (LatencyKind) and the
// summary DB::GetLatencies() reports for each (LatencySummary).
//
// The engine times its own events (flush, compaction, WAL fdatasync) into
// lock-free histograms (native/src/util/histogram.h). Operations whose cost
// is best seen by the embedder (a Node binding times an async get from call
// to settlement) are recorded through DB::RecordLatency into the same kind of
// histogram, so every percentile is computed by one implementation.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_METRICS_H_
#define LSMKV_NATIVE_INCLUDE_LSM_METRICS_H_

#include <cstdint>

namespace lsm {

// DO NOT REORDER: the Node binding passes these numbers from JS.
enum class LatencyKind : int {
  kGet = 0,           // embedder: an async point read
  kGetSync = 1,       // embedder: a synchronous point read
  kPut = 2,           // embedder: a put, from call to acknowledgement
  kDelete = 3,        // embedder: a delete, from call to acknowledgement
  kBatch = 4,         // embedder: a batch, from call to acknowledgement
  kIteratorPage = 5,  // embedder: one page of entries fetched from an iterator
  kFlush = 6,         // engine: one memtable written to an L0 table
  kCompaction = 7,    // engine: one compaction (trivial moves included)
  kWalSync = 8,       // engine: one fdatasync of a WAL segment
};
constexpr int kNumLatencyKinds = 9;

// All times in nanoseconds. Percentiles are interpolated inside log-linear
// buckets at most 6.25% wide, and clamped to [min, max]; 0 when count == 0.
struct LatencySummary {
  uint64_t count = 0;
  uint64_t sum = 0;
  uint64_t min = 0;
  uint64_t max = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double p999 = 0;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_METRICS_H_
