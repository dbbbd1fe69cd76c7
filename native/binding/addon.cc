// Addon entry point: registers the exported functions and the per-env
// instance data, and an env cleanup hook that closes databases a worker
// thread (or Electron context) left open when its environment goes away.
#include <napi.h>

#include "addon_data.h"
#include "database.h"
#include "errors.h"
#include "iterator.h"
#include "metrics.h"

namespace lsm_binding {

namespace {

void CleanupEnv(AddonData* data) {
  // Each core closes its DB (R8) and releases its threadsafe function.
  for (const auto& core : data->cores) core->Shutdown(/*close_db=*/true);
  data->cores.clear();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  env.AddCleanupHook(CleanupEnv, data);
  exports.Set("set_error_class", Napi::Function::New(env, SetErrorClass, "set_error_class"));
  exports.Set("db_init", Napi::Function::New(env, DbInit, "db_init"));
  exports.Set("db_open", Napi::Function::New(env, DbOpen, "db_open"));
  exports.Set("db_write", Napi::Function::New(env, DbWrite, "db_write"));
  exports.Set("db_getter", Napi::Function::New(env, DbGetter, "db_getter"));
  exports.Set("db_result_pool", Napi::Function::New(env, DbResultPool, "db_result_pool"));
  exports.Set("db_get_many", Napi::Function::New(env, DbGetMany, "db_get_many"));
  exports.Set("db_flush", Napi::Function::New(env, DbFlush, "db_flush"));
  exports.Set("db_close", Napi::Function::New(env, DbClose, "db_close"));
  exports.Set("db_stats", Napi::Function::New(env, DbStats, "db_stats"));
  exports.Set("db_compact_range", Napi::Function::New(env, DbCompactRange, "db_compact_range"));
  exports.Set("db_clear", Napi::Function::New(env, DbClear, "db_clear"));
  exports.Set("db_approximate_size", Napi::Function::New(env, DbApproximateSize, "db_approximate_size"));
  exports.Set("db_checkpoint", Napi::Function::New(env, DbCheckpoint, "db_checkpoint"));
  exports.Set("verify", Napi::Function::New(env, Verify, "verify"));
  exports.Set("db_refresh", Napi::Function::New(env, DbRefresh, "db_refresh"));
  exports.Set("iterator_init", Napi::Function::New(env, IteratorInit, "iterator_init"));
  exports.Set("iterator_next", Napi::Function::New(env, IteratorNext, "iterator_next"));
  exports.Set("iterator_seek", Napi::Function::New(env, IteratorSeek, "iterator_seek"));
  exports.Set("iterator_close", Napi::Function::New(env, IteratorClose, "iterator_close"));
  exports.Set("snapshot_create", Napi::Function::New(env, SnapshotCreate, "snapshot_create"));
  exports.Set("snapshot_release", Napi::Function::New(env, SnapshotRelease, "snapshot_release"));
  exports.Set("db_metrics", Napi::Function::New(env, DbMetrics, "db_metrics"));
  exports.Set("db_record_latency", Napi::Function::New(env, DbRecordLatency, "db_record_latency"));
  return exports;
}

}  // namespace lsm_binding

static Napi::Object InitLsmkv(Napi::Env env, Napi::Object exports) {
  return lsm_binding::Init(env, exports);
}

NODE_API_MODULE(lsmkv, InitLsmkv)
