// The shared-open registry and its handles. See shared_db.h.
#include "db/shared_db.h"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "lsm/db.h"
#include "lsm/env.h"
#include "table/iterator.h"

namespace lsm {

namespace {

// Forwards engine events to the listener of every open handle.
class FanoutListener final : public EventListener {
 public:
  void Add(std::shared_ptr<EventListener> l) {
    if (!l) return;
    std::lock_guard<std::mutex> g(mu_);
    listeners_.push_back(std::move(l));
  }
  void Remove(const std::shared_ptr<EventListener>& l) {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
      if (*it == l) {
        listeners_.erase(it);
        return;
      }
    }
  }
  void OnFlushCompleted(const FlushInfo& i) override {
    Each([&](EventListener* l) { l->OnFlushCompleted(i); });
  }
  void OnCompactionCompleted(const CompactionInfo& i) override {
    Each([&](EventListener* l) { l->OnCompactionCompleted(i); });
  }
  void OnStallBegin(StallReason r) override { Each([&](EventListener* l) { l->OnStallBegin(r); }); }
  void OnStallEnd(StallReason r, uint64_t micros) override {
    Each([&](EventListener* l) { l->OnStallEnd(r, micros); });
  }
  void OnBackgroundError(const Status& s) override {
    Each([&](EventListener* l) { l->OnBackgroundError(s); });
  }

 private:
  template <typename Fn>
  void Each(Fn fn) {
    std::vector<std::shared_ptr<EventListener>> copy;
    {
      std::lock_guard<std::mutex> g(mu_);
      copy = listeners_;
    }
    for (const auto& l : copy) fn(l.get());
  }
  std::mutex mu_;
  std::vector<std::shared_ptr<EventListener>> listeners_;
};

struct Engine {
  std::string key;  // canonical path
  Options options;  // the first opener's (listener: the fan-out)
  std::shared_ptr<FanoutListener> fanout;
  std::unique_ptr<DB> db;
  int handles = 0;  // guarded by RegistryMutex()
};

// Never destroyed: a worker thread may close its handle while the process
// runs static destructors.
std::mutex& RegistryMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::map<std::string, std::shared_ptr<Engine>>& Registry() {
  static auto* map = new std::map<std::string, std::shared_ptr<Engine>>();
  return *map;
}

class SharedHandle final : public DB {
 public:
  SharedHandle(std::shared_ptr<Engine> engine, std::shared_ptr<EventListener> listener)
      : engine_(std::move(engine)), listener_(std::move(listener)), db_(engine_->db.get()) {}
  ~SharedHandle() override { Close().ok(); }

  Status Write(const WriteOptions& o, WriteBatch* b) override {
    return closed() ? Status::Closed() : db_->Write(o, b);
  }
  void WriteAsync(const WriteOptions& o, WriteBatch&& b,
                  std::function<void(const Status&)> done) override {
    if (closed()) return done(Status::Closed());
    db_->WriteAsync(o, std::move(b), std::move(done));
  }
  bool TryWriteInline(const WriteOptions& o, WriteBatch* b, Status* s) override {
    if (!closed()) return db_->TryWriteInline(o, b, s);
    *s = Status::Closed();
    return true;
  }
  Status Get(const ReadOptions& o, const Slice& k, std::string* v) override {
    return closed() ? Status::Closed() : db_->Get(o, k, v);
  }
  Iterator* NewIterator(const ReadOptions& o, const KeyRange& r) override {
    return closed() ? NewErrorIterator(Status::Closed()) : db_->NewIterator(o, r);
  }
  const Snapshot* GetSnapshot() override { return db_->GetSnapshot(); }
  void ReleaseSnapshot(const Snapshot* s) override { db_->ReleaseSnapshot(s); }
  Status DeleteRange(const WriteOptions& o, const KeyRange& r) override {
    return closed() ? Status::Closed() : db_->DeleteRange(o, r);
  }
  uint64_t ApproximateSize(const KeyRange& r) override {
    return closed() ? 0 : db_->ApproximateSize(r);
  }
  Status Flush() override { return closed() ? Status::Closed() : db_->Flush(); }
  Status CompactRange(const KeyRange* r) override {
    return closed() ? Status::Closed() : db_->CompactRange(r);
  }
  void GetStats(DBStats* st) override { db_->GetStats(st); }
  Status BackgroundError() override { return db_->BackgroundError(); }
  Status Refresh() override { return closed() ? Status::Closed() : db_->Refresh(); }
  Status Checkpoint(const std::string& dir) override {
    return closed() ? Status::Closed() : db_->Checkpoint(dir);
  }
  // One engine, one set of latency histograms: every handle's timings land in it.
  void RecordLatency(LatencyKind kind, uint64_t nanos, uint64_t count) override {
    db_->RecordLatency(kind, nanos, count);
  }
  void GetLatencies(LatencySummary out[kNumLatencyKinds]) override { db_->GetLatencies(out); }

  // Drops this handle's reference; the last one closes the engine.
  Status Close() override {
    std::lock_guard<std::mutex> c(close_mu_);
    if (closed_.exchange(true)) return close_status_;
    engine_->fanout->Remove(listener_);
    std::lock_guard<std::mutex> l(RegistryMutex());
    if (--engine_->handles == 0) {
      Registry().erase(engine_->key);
      close_status_ = db_->Close();
    }
    return close_status_;
  }

 private:
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  const std::shared_ptr<Engine> engine_;  // keeps the DB object alive
  const std::shared_ptr<EventListener> listener_;
  DB* const db_;
  std::atomic<bool> closed_{false};
  std::mutex close_mu_;
  Status close_status_;  // guarded by close_mu_
};

}  // namespace

std::string FirstSharedOptionDifference(const Options& mine, const Options& engine) {
  std::string out;
  auto check = [&out](const char* name, auto a, auto b) {
    if (out.empty() && a != b) {
      out = std::string(name) + " (" + std::to_string(a) + " here, " + std::to_string(b) +
            " in the open engine)";
    }
  };
  // The JS option name follows the engine's, so either reader finds it.
  check("read_only (readOnly)", mine.read_only, engine.read_only);
  check("write_buffer_size (memtableSize)", mine.write_buffer_size, engine.write_buffer_size);
  check("max_immutable_memtables (maxImmutableMemtables)", mine.max_immutable_memtables,
        engine.max_immutable_memtables);
  check("block_size (blockSize)", mine.block_size, engine.block_size);
  check("block_restart_interval (blockRestartInterval)", mine.block_restart_interval,
        engine.block_restart_interval);
  check("bloom_bits_per_key (bloomBitsPerKey)", mine.bloom_bits_per_key, engine.bloom_bits_per_key);
  check("compression", mine.compression, engine.compression);
  check("use_mmap (mmap)", mine.use_mmap, engine.use_mmap);
  check("max_key_size (maxKeySize)", mine.max_key_size, engine.max_key_size);
  check("max_value_size (maxValueSize)", mine.max_value_size, engine.max_value_size);
  check("max_group_commit_bytes", mine.max_group_commit_bytes, engine.max_group_commit_bytes);
  check("max_inline_write_bytes", mine.max_inline_write_bytes, engine.max_inline_write_bytes);
  check("level_base (levelBase)", mine.level_base, engine.level_base);
  check("level_ratio (levelRatio)", mine.level_ratio, engine.level_ratio);
  check("l0_compaction_trigger (l0CompactionTrigger)", mine.l0_compaction_trigger,
        engine.l0_compaction_trigger);
  check("l0_slowdown_trigger (l0SlowdownTrigger)", mine.l0_slowdown_trigger,
        engine.l0_slowdown_trigger);
  check("l0_stop_trigger (l0StopTrigger)", mine.l0_stop_trigger, engine.l0_stop_trigger);
  check("target_file_size (targetFileSize)", mine.target_file_size, engine.target_file_size);
  check("compaction_threads (compactionThreads)", mine.compaction_threads,
        engine.compaction_threads);
  check("disable_auto_compactions", mine.disable_auto_compactions,
        engine.disable_auto_compactions);
  check("test_flush_delay_ms (testHooks.flushDelayMs)", mine.test_flush_delay_ms,
        engine.test_flush_delay_ms);
  check("test_compaction_delay_ms (testHooks.compactionDelayMs)", mine.test_compaction_delay_ms,
        engine.test_compaction_delay_ms);
  return out;
}

size_t SharedEngineCount() {
  std::lock_guard<std::mutex> l(RegistryMutex());
  return Registry().size();
}

Status DB::OpenShared(const Options& options, const std::string& name,
                      std::unique_ptr<DB>* dbptr) {
  dbptr->reset();
  Env* env = options.env != nullptr ? options.env : Env::Default();
  // The key must name the directory however it is spelled, so it must exist.
  if (options.create_if_missing && !options.read_only) {
    Status s = env->CreateDir(name);
    if (!s.ok()) return s;
  }
  char resolved[PATH_MAX];
  // Not file I/O, so not through Env: resolving the name the OS will use.
  if (::realpath(name.c_str(), resolved) == nullptr) {
    return Open(options, name, dbptr);  // gives the proper missing-directory error
  }
  const std::string key(resolved);

  std::lock_guard<std::mutex> l(RegistryMutex());
  auto& registry = Registry();
  auto it = registry.find(key);
  std::shared_ptr<Engine> engine;
  if (it != registry.end()) {
    engine = it->second;
    const std::string diff = FirstSharedOptionDifference(options, engine->options);
    if (!diff.empty()) {
      return Status::InvalidArgument(name, "shared open with different option " + diff);
    }
    if (options.error_if_exists) return Status::InvalidArgument(name, "exists (errorIfExists is true)");
  } else {
    engine = std::make_shared<Engine>();
    engine->key = key;
    engine->options = options;
    engine->fanout = std::make_shared<FanoutListener>();
    Options engine_options = options;
    engine_options.listener = engine->fanout;
    Status s = Open(engine_options, key, &engine->db);
    if (!s.ok()) return s;
    registry.emplace(key, engine);
  }
  engine->handles++;
  engine->fanout->Add(options.listener);
  *dbptr = std::make_unique<SharedHandle>(engine, options.listener);
  return Status::OK();
}

}  // namespace lsm
