// db_metrics / db_record_latency (contract: metrics.h, lib/binding.ts).
#include "metrics.h"

#include "database.h"
#include "lsm/metrics.h"

namespace lsm_binding {

namespace {
constexpr int kFieldsPerKind = 8;
}  // namespace

Napi::Value DbMetrics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = UnwrapDb(info);
  if (!core) return env.Undefined();
  Napi::Float64Array out = Napi::Float64Array::New(env, lsm::kNumLatencyKinds * kFieldsPerKind);
  if (!core->db) return out;
  lsm::LatencySummary all[lsm::kNumLatencyKinds];
  core->db->GetLatencies(all);
  for (int k = 0; k < lsm::kNumLatencyKinds; k++) {
    const lsm::LatencySummary& s = all[k];
    const double row[kFieldsPerKind] = {static_cast<double>(s.count), static_cast<double>(s.sum),
                                        static_cast<double>(s.min),   static_cast<double>(s.max),
                                        s.p50, s.p90, s.p99, s.p999};
    for (int f = 0; f < kFieldsPerKind; f++) out[k * kFieldsPerKind + f] = row[f];
  }
  return out;
}

Napi::Value DbRecordLatency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = UnwrapDb(info);
  if (!core || !core->db || info.Length() < 4 || !info[1].IsNumber() || !info[2].IsNumber() ||
      !info[3].IsNumber()) {
    return env.Undefined();
  }
  const int32_t kind = info[1].As<Napi::Number>().Int32Value();
  const double nanos = info[2].As<Napi::Number>().DoubleValue();
  const int64_t count = info[3].As<Napi::Number>().Int64Value();
  if (kind < 0 || kind >= lsm::kNumLatencyKinds || !(nanos >= 0) || count <= 0) return env.Undefined();
  core->db->RecordLatency(static_cast<lsm::LatencyKind>(kind), static_cast<uint64_t>(nanos),
                          static_cast<uint64_t>(count));
  return env.Undefined();
}

}  // namespace lsm_binding
