// db_metrics and db_record_latency: the Node side of the engine's latency
// histograms (lsm/metrics.h), plus the clock the binding times iterator
// pages with.
#ifndef LSMKV_NATIVE_BINDING_METRICS_H_
#define LSMKV_NATIVE_BINDING_METRICS_H_

#include <napi.h>

#include <chrono>
#include <cstdint>

namespace lsm_binding {

// Monotonic nanoseconds (vDSO clock_gettime, ~20 ns).
inline uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// db_metrics(db) -> Float64Array of kNumLatencyKinds rows of
// [count, sum, min, max, p50, p90, p99, p999], nanoseconds, row = LatencyKind.
Napi::Value DbMetrics(const Napi::CallbackInfo& info);
// db_record_latency(db, kind, nanos, count): adds `count` samples of `nanos`.
// Silently ignored for an unopened handle or a bad kind (timing never throws).
Napi::Value DbRecordLatency(const Napi::CallbackInfo& info);

}  // namespace lsm_binding

#endif  // LSMKV_NATIVE_BINDING_METRICS_H_
