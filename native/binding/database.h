// DbCore: one JS Database's native side. Thin by design: each exported
// function parses its arguments, makes one engine call, converts the result.
//
// Completions of writes, opens, flushes and closes (and engine events) are
// queued by engine threads and delivered to JS through ONE threadsafe
// function per database, draining the whole queue per libuv wake-up.
#ifndef LSMKV_NATIVE_BINDING_DATABASE_H_
#define LSMKV_NATIVE_BINDING_DATABASE_H_

#include <napi.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "lsm/db.h"

namespace lsm_binding {

struct IteratorState;
struct SnapshotState;

struct Completion {
  enum class Kind { kComplete, kFlushEvent, kStallEvent, kStallEndEvent, kErrorEvent,
                    kCompactionEvent };
  Kind kind = Kind::kComplete;
  uint32_t id = 0;
  lsm::Status status;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  lsm::CompactionInfo compaction;  // kCompactionEvent
};

class DbCore : public std::enable_shared_from_this<DbCore> {
 public:
  DbCore() = default;

  // Thread-safe: queue a completion or event for the JS thread.
  void Post(Completion c);
  // JS thread: deliver everything queued.
  void Drain(Napi::Env env);
  // JS thread: stop delivering (handle finalized or env teardown) and drop
  // every JS reference. With close_db (env teardown) it first waits for an
  // open still running, so the DB is closed and its LOCK free on return.
  void Shutdown(bool close_db);
  // JS thread, before the open thread starts / the open thread, when done:
  // hands over the opened DB (nullptr if the open failed), or closes it at
  // once if the core was shut down meanwhile (nobody else would).
  void BeginOpen();
  void FinishOpen(std::unique_ptr<lsm::DB> opened);

  // JS-thread-owned state.
  Napi::ThreadSafeFunction tsfn;
  Napi::FunctionReference on_complete;
  Napi::FunctionReference on_event;
  Napi::Reference<Napi::Buffer<char>> key_buffer_ref;
  Napi::Reference<Napi::Buffer<char>> value_buffer_ref;
  char* key_data = nullptr;
  size_t key_capacity = 0;
  char* value_data = nullptr;
  size_t value_capacity = 0;
  // The result pool (db_result_pool): each point read's value is written
  // just after the previous one's, so JS can hand out views of the pool
  // instead of copying every value out of a shared buffer. JS replaces the
  // pool (used = 0) before it runs low; it never reuses a pool's bytes.
  Napi::Reference<Napi::Buffer<char>> pool_ref;
  char* pool_data = nullptr;
  size_t pool_capacity = 0;
  size_t pool_used = 0;
  std::string scratch;
  // Ops submitted and not yet delivered; the tsfn keeps the loop alive only
  // while this is > 0, so an idle open database never blocks process exit.
  uint32_t inflight = 0;
  bool busy_thread = false;  // an open/flush/close thread is running

  // Open iterators and snapshots (iterator.h). CloseReaders() deletes the
  // native iterators and releases the snapshots; it runs before DB::Close
  // (db_close, GC of the handle, env teardown). `closing`: no new readers.
  std::set<IteratorState*> iterators;
  std::set<SnapshotState*> snapshots;
  bool closing = false;
  void CloseReaders();

  // Set by the open thread (FinishOpen, under mu_) before its completion is
  // posted; read on the JS thread after that completion or after Shutdown
  // took mu_, so the mutex orders the accesses.
  std::unique_ptr<lsm::DB> db;

 private:
  std::mutex mu_;
  std::vector<Completion> pending_;
  bool scheduled_ = false;
  bool shut_down_ = false;
  bool opening_ = false;  // an open thread has not called FinishOpen yet
  std::condition_variable open_cv_;
};

// Exported functions (see lib/binding.ts for the contract).
Napi::Value DbInit(const Napi::CallbackInfo& info);
Napi::Value DbOpen(const Napi::CallbackInfo& info);
Napi::Value DbWrite(const Napi::CallbackInfo& info);
Napi::Value DbGetter(const Napi::CallbackInfo& info);
Napi::Value DbResultPool(const Napi::CallbackInfo& info);
Napi::Value DbGetMany(const Napi::CallbackInfo& info);
Napi::Value DbFlush(const Napi::CallbackInfo& info);
Napi::Value DbClose(const Napi::CallbackInfo& info);
Napi::Value DbStats(const Napi::CallbackInfo& info);
Napi::Value DbCompactRange(const Napi::CallbackInfo& info);
Napi::Value DbClear(const Napi::CallbackInfo& info);
Napi::Value DbApproximateSize(const Napi::CallbackInfo& info);
Napi::Value DbCheckpoint(const Napi::CallbackInfo& info);
// verify.cc: verify(path) -> Promise<report>; needs no open database.
Napi::Value Verify(const Napi::CallbackInfo& info);
Napi::Value DbRefresh(const Napi::CallbackInfo& info);

// For the other binding files: the DbCore behind info[0] (nullptr with a
// TypeError pending), and its open DB (nullptr with NOT_OPEN / CLOSED pending).
std::shared_ptr<DbCore> UnwrapDb(const Napi::CallbackInfo& info);
lsm::DB* OpenDbForRead(Napi::Env env, const std::shared_ptr<DbCore>& core);

}  // namespace lsm_binding

#endif  // LSMKV_NATIVE_BINDING_DATABASE_H_
