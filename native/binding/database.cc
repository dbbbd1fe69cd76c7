// DbCore and the db_* functions. One engine call per JS call; results cross
// back through shared buffers (reads) or the completion queue (writes).
#include "database.h"

#include <cstring>
#include <thread>

#include "addon_data.h"
#include "errors.h"
#include "iterator.h"

namespace lsm_binding {

namespace {

// Tags the External so a foreign object is never mistaken for a handle.
const napi_type_tag kDbTag = {0x6c736d6b76646230ULL, 0x9a1e2f3b4c5d6e7fULL};

struct Handle {
  std::shared_ptr<DbCore> core;
};

std::shared_ptr<DbCore> Unwrap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal() ||
      !info[0].As<Napi::Object>().CheckTypeTag(&kDbTag)) {
    Napi::TypeError::New(env, "expected a database handle").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<Handle>>().Data()->core;
}

// The open DB of `core`, or nullptr with a NOT_OPEN error thrown.
lsm::DB* OpenDb(Napi::Env env, const std::shared_ptr<DbCore>& core) {
  if (!core) return nullptr;
  if (!core->db) {
    ThrowCode(env, "NOT_OPEN", "database is not open");
    return nullptr;
  }
  return core->db.get();
}

class Listener final : public lsm::EventListener {
 public:
  explicit Listener(std::weak_ptr<DbCore> core) : core_(std::move(core)) {}
  void OnFlushCompleted(const lsm::FlushInfo& info) override {
    Completion c;
    c.kind = Completion::Kind::kFlushEvent;
    c.a = info.file_number;
    c.b = info.file_size;
    c.c = info.entries;
    c.d = info.micros;
    Send(std::move(c));
  }
  void OnCompactionCompleted(const lsm::CompactionInfo& info) override {
    Completion c;
    c.kind = Completion::Kind::kCompactionEvent;
    c.compaction = info;
    Send(std::move(c));
  }
  void OnStallBegin(lsm::StallReason reason) override {
    Completion c;
    c.kind = Completion::Kind::kStallEvent;
    c.a = static_cast<uint64_t>(reason);
    Send(std::move(c));
  }
  void OnStallEnd(lsm::StallReason reason, uint64_t micros) override {
    Completion c;
    c.kind = Completion::Kind::kStallEndEvent;
    c.a = static_cast<uint64_t>(reason);
    c.d = micros;
    Send(std::move(c));
  }
  void OnBackgroundError(const lsm::Status& s) override {
    Completion c;
    c.kind = Completion::Kind::kErrorEvent;
    c.status = s;
    Send(std::move(c));
  }

 private:
  void Send(Completion c) {
    if (auto core = core_.lock()) core->Post(std::move(c));
  }
  std::weak_ptr<DbCore> core_;
};

const char* StallReasonName(uint64_t r) {
  switch (static_cast<lsm::StallReason>(r)) {
    case lsm::StallReason::kImmutableQueueFull: return "immutable-queue-full";
    case lsm::StallReason::kL0Slowdown: return "l0-slowdown";
    case lsm::StallReason::kL0Stop: return "l0-stop";
  }
  return "unknown";
}

// Runs `fn` on a short-lived background thread (open/flush/close are rare
// and may block on disk; they must not occupy the libuv pool).
template <typename Fn>
void RunInBackground(const std::shared_ptr<DbCore>& core, uint32_t id, Fn fn) {
  std::thread([core, id, fn = std::move(fn)]() mutable {
    Completion c;
    c.id = id;
    c.status = fn(core.get());
    core->Post(std::move(c));
  }).detach();
}

void BeginOp(Napi::Env env, DbCore* core) {
  if (core->inflight++ == 0) core->tsfn.Ref(env);
}

uint32_t GetU32(const Napi::Object& o, const char* name, uint32_t dflt) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : dflt;
}
double GetNumber(const Napi::Object& o, const char* name, double dflt) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}
bool GetBool(const Napi::Object& o, const char* name, bool dflt) {
  Napi::Value v = o.Get(name);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

}  // namespace

std::shared_ptr<DbCore> UnwrapDb(const Napi::CallbackInfo& info) { return Unwrap(info); }

lsm::DB* OpenDbForRead(Napi::Env env, const std::shared_ptr<DbCore>& core) {
  if (core && core->closing) {
    ThrowCode(env, "CLOSED", "database is closed");
    return nullptr;
  }
  return OpenDb(env, core);
}

void DbCore::Post(Completion c) {
  bool call;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (shut_down_) return;
    pending_.push_back(std::move(c));
    call = !scheduled_;
    scheduled_ = true;
  }
  if (call) {
    std::weak_ptr<DbCore> weak = weak_from_this();
    tsfn.NonBlockingCall([weak](Napi::Env env, Napi::Function) {
      if (auto self = weak.lock()) self->Drain(env);
    });
  }
}

void DbCore::Drain(Napi::Env env) {
  std::vector<Completion> batch;
  {
    std::lock_guard<std::mutex> l(mu_);
    batch.swap(pending_);
    scheduled_ = false;
  }
  Napi::HandleScope scope(env);
  Napi::Value first_exception;
  for (Completion& c : batch) {
    if (c.kind == Completion::Kind::kComplete) {
      if (inflight > 0 && --inflight == 0) tsfn.Unref(env);
      const bool ok = c.status.ok();
      on_complete.Call({Napi::Number::New(env, c.id),
                        Napi::String::New(env, ok ? "" : c.status.CodeName()),
                        Napi::String::New(env, ok ? "" : c.status.message())});
    } else {
      Napi::Object payload = Napi::Object::New(env);
      const char* name = "flush";
      switch (c.kind) {
        case Completion::Kind::kFlushEvent:
          payload.Set("fileNumber", Napi::Number::New(env, static_cast<double>(c.a)));
          payload.Set("fileSize", Napi::Number::New(env, static_cast<double>(c.b)));
          payload.Set("entries", Napi::Number::New(env, static_cast<double>(c.c)));
          payload.Set("micros", Napi::Number::New(env, static_cast<double>(c.d)));
          break;
        case Completion::Kind::kStallEvent:
          name = "stall";
          payload.Set("reason", Napi::String::New(env, StallReasonName(c.a)));
          break;
        case Completion::Kind::kStallEndEvent:
          name = "stallEnd";
          payload.Set("reason", Napi::String::New(env, StallReasonName(c.a)));
          payload.Set("micros", Napi::Number::New(env, static_cast<double>(c.d)));
          break;
        case Completion::Kind::kCompactionEvent: {
          name = "compaction";
          const lsm::CompactionInfo& ci = c.compaction;
          auto num = [&](const char* key, uint64_t v) {
            payload.Set(key, Napi::Number::New(env, static_cast<double>(v)));
          };
          num("level", static_cast<uint64_t>(ci.level));
          num("outputLevel", static_cast<uint64_t>(ci.output_level));
          payload.Set("manual", Napi::Boolean::New(env, ci.manual));
          payload.Set("trivialMove", Napi::Boolean::New(env, ci.trivial_move));
          num("inputFiles", ci.input_files);
          num("inputBytes", ci.input_bytes);
          num("outputFiles", ci.output_files);
          num("outputBytes", ci.output_bytes);
          num("inputEntries", ci.input_entries);
          num("droppedEntries", ci.dropped_entries);
          num("micros", ci.micros);
          if (ci.manual) {
            num("filesDone", ci.files_done);
            num("filesTotal", ci.files_total);
            num("bytesDone", ci.bytes_done);
            num("bytesTotal", ci.bytes_total);
          }
          break;
        }
        case Completion::Kind::kErrorEvent:
          name = "error";
          payload.Set("code", Napi::String::New(env, c.status.CodeName()));
          payload.Set("message", Napi::String::New(env, c.status.message()));
          break;
        case Completion::Kind::kComplete:
          break;
      }
      on_event.Call({Napi::String::New(env, name), payload});
    }
    if (env.IsExceptionPending()) {
      // Keep delivering the others; rethrow the first failure at the end.
      Napi::Error e = env.GetAndClearPendingException();
      if (first_exception.IsEmpty()) first_exception = e.Value();
    }
  }
  // napi_throw fails only while the env is terminating (a worker being
  // terminated with completions queued): nobody is left to tell then.
  if (!first_exception.IsEmpty()) static_cast<void>(napi_throw(env, first_exception));
}

void DbCore::Shutdown(bool close_db) {
  {
    std::unique_lock<std::mutex> l(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    pending_.clear();
    // An open still running would otherwise hold the LOCK past teardown.
    if (close_db) open_cv_.wait(l, [this] { return !opening_; });
  }
  CloseReaders();  // the engine requires them gone before the DB
  if (close_db && db) db->Close().ok();  // env teardown: R8 flush, release LOCK
  tsfn.Release();
  // The last owner of this core may be a background thread (an open, flush,
  // compaction or close still running when the handle was collected or the
  // worker terminated). JS references must be deleted here, on the JS thread
  // while the env is alive, never by ~DbCore on that thread.
  on_complete.Reset();
  on_event.Reset();
  key_buffer_ref.Reset();
  value_buffer_ref.Reset();
  pool_ref.Reset();
  key_data = value_data = pool_data = nullptr;
  key_capacity = value_capacity = pool_capacity = pool_used = 0;
}

void DbCore::BeginOpen() {
  std::lock_guard<std::mutex> l(mu_);
  opening_ = true;
}

void DbCore::FinishOpen(std::unique_ptr<lsm::DB> opened) {
  std::unique_lock<std::mutex> l(mu_);
  if (opened && shut_down_) {
    l.unlock();
    opened->Close().ok();
    opened.reset();
    l.lock();
  } else if (opened) {
    db = std::move(opened);
  }
  opening_ = false;
  open_cv_.notify_all();
}

Napi::Value DbInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsFunction() || !info[1].IsFunction() ||
      !info[2].IsBuffer() || !info[3].IsBuffer()) {
    Napi::TypeError::New(env, "db_init(onComplete, onEvent, keyBuffer, valueBuffer)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto core = std::make_shared<DbCore>();
  core->on_complete = Napi::Persistent(info[0].As<Napi::Function>());
  core->on_event = Napi::Persistent(info[1].As<Napi::Function>());
  auto key_buf = info[2].As<Napi::Buffer<char>>();
  auto value_buf = info[3].As<Napi::Buffer<char>>();
  core->key_buffer_ref = Napi::Persistent(key_buf);
  core->value_buffer_ref = Napi::Persistent(value_buf);
  core->key_data = key_buf.Data();
  core->key_capacity = key_buf.Length();
  core->value_data = value_buf.Data();
  core->value_capacity = value_buf.Length();
  core->tsfn = Napi::ThreadSafeFunction::New(
      env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "lsmkv", 0, 1);
  core->tsfn.Unref(env);
  GetAddonData(env)->cores.insert(core);

  auto* handle = new Handle{core};
  auto ext = Napi::External<Handle>::New(env, handle, [](Napi::Env env, Handle* h) {
    // GC'd without close(): stop deliveries; the engine finishes in-flight
    // work and closes on a background thread (acknowledged data is in the WAL).
    std::shared_ptr<DbCore> core = std::move(h->core);
    delete h;
    if (AddonData* data = GetAddonData(env)) data->cores.erase(core);
    core->Shutdown(false);
    if (core->db) {
      std::thread([core] { core->db->Close().ok(); }).detach();
    }
  });
  if (ext.IsEmpty()) {
    // The env can no longer run JS (a worker being terminated); tagging an
    // empty External would be a fatal error.
    delete handle;
    GetAddonData(env)->cores.erase(core);
    core->Shutdown(false);
    return env.Undefined();
  }
  ext.TypeTag(&kDbTag);
  return ext;
}

Napi::Value DbOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (!core) return env.Undefined();
  if (!info[1].IsString() || !info[2].IsObject() || !info[3].IsNumber()) {
    Napi::TypeError::New(env, "db_open(db, location, options, id)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (core->db) {
    ThrowCode(env, "INVALID_ARGUMENT", "database handle is already open");
    return env.Undefined();
  }
  std::string location = info[1].As<Napi::String>().Utf8Value();
  Napi::Object o = info[2].As<Napi::Object>();
  lsm::Options options;
  options.create_if_missing = GetBool(o, "createIfMissing", options.create_if_missing);
  options.error_if_exists = GetBool(o, "errorIfExists", options.error_if_exists);
  options.write_buffer_size =
      static_cast<size_t>(GetNumber(o, "memtableSize", static_cast<double>(options.write_buffer_size)));
  options.max_immutable_memtables =
      static_cast<int>(GetU32(o, "maxImmutableMemtables", options.max_immutable_memtables));
  options.block_size = GetU32(o, "blockSize", static_cast<uint32_t>(options.block_size));
  options.block_restart_interval =
      static_cast<int>(GetU32(o, "blockRestartInterval", options.block_restart_interval));
  options.bloom_bits_per_key = static_cast<int>(GetU32(o, "bloomBitsPerKey", options.bloom_bits_per_key));
  options.compression = GetBool(o, "compression", options.compression);
  options.use_mmap = GetBool(o, "mmap", options.use_mmap);
  options.max_key_size = GetU32(o, "maxKeySize", static_cast<uint32_t>(options.max_key_size));
  options.max_value_size =
      static_cast<size_t>(GetNumber(o, "maxValueSize", static_cast<double>(options.max_value_size)));
  options.max_inline_write_bytes = static_cast<size_t>(
      GetNumber(o, "inlineWriteBytes", static_cast<double>(options.max_inline_write_bytes)));
  options.test_flush_delay_ms = GetU32(o, "testFlushDelayMs", 0);
  options.level_base =
      static_cast<uint64_t>(GetNumber(o, "levelBase", static_cast<double>(options.level_base)));
  options.level_ratio = static_cast<int>(GetU32(o, "levelRatio", options.level_ratio));
  options.l0_compaction_trigger =
      static_cast<int>(GetU32(o, "l0CompactionTrigger", options.l0_compaction_trigger));
  options.l0_slowdown_trigger =
      static_cast<int>(GetU32(o, "l0SlowdownTrigger", options.l0_slowdown_trigger));
  options.l0_stop_trigger = static_cast<int>(GetU32(o, "l0StopTrigger", options.l0_stop_trigger));
  options.target_file_size = static_cast<uint64_t>(
      GetNumber(o, "targetFileSize", static_cast<double>(options.target_file_size)));
  options.compaction_threads =
      static_cast<int>(GetU32(o, "compactionThreads", options.compaction_threads));
  options.read_triggered_compaction =
      GetBool(o, "readTriggeredCompaction", options.read_triggered_compaction);
  options.test_compaction_delay_ms = GetU32(o, "testCompactionDelayMs", 0);
  options.listener = std::make_shared<Listener>(core);
  options.read_only = GetBool(o, "readOnly", false);
  const bool shared = GetBool(o, "shared", false);
  const uint32_t id = info[3].As<Napi::Number>().Uint32Value();

  BeginOp(env, core.get());
  core->BeginOpen();
  RunInBackground(core, id, [options, location, shared](DbCore* c) {
    std::unique_ptr<lsm::DB> db;
    lsm::Status s = shared ? lsm::DB::OpenShared(options, location, &db)
                           : lsm::DB::Open(options, location, &db);
    c->FinishOpen(s.ok() ? std::move(db) : nullptr);
    return s;
  });
  return env.Undefined();
}

Napi::Value DbWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  lsm::DB* db = OpenDb(env, core);
  if (db == nullptr) return env.Undefined();
  if (!info[1].IsTypedArray() || !info[2].IsBoolean() || !info[3].IsNumber()) {
    Napi::TypeError::New(env, "db_write(db, batch, sync, id[, inline])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto bytes = info[1].As<Napi::Uint8Array>();
  lsm::WriteBatch batch;
  batch.SetContents(lsm::Slice(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength()));
  lsm::WriteOptions wo;
  wo.sync = info[2].As<Napi::Boolean>().Value();
  const uint32_t id = info[3].As<Napi::Number>().Uint32Value();
  // A non-sync write the engine can commit right here costs no thread hop
  // either way (DESIGN §8: the JS thread never waits on fdatasync or a
  // stall): true means done, and `id` is never completed.
  if (info.Length() > 4 && info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value()) {
    lsm::Status s;
    if (db->TryWriteInline(wo, &batch, &s)) {
      if (!s.ok()) ThrowStatus(env, s);
      return Napi::Boolean::New(env, s.ok());
    }
  }
  BeginOp(env, core.get());
  std::weak_ptr<DbCore> weak = core;
  db->WriteAsync(wo, std::move(batch), [weak, id](const lsm::Status& s) {
    if (auto c = weak.lock()) {
      Completion done;
      done.id = id;
      done.status = s;
      c->Post(std::move(done));
    }
  });
  return env.Undefined();
}

namespace {

// The body of a getter made by db_getter: its DbCore is the function's own
// data, so a call unwraps no handle (no External type-tag check, no
// shared_ptr copy). callgrind, getSync: 7.90k -> 7.16k instructions a call.
Napi::Value BoundGet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DbCore* core = static_cast<std::shared_ptr<DbCore>*>(info.Data())->get();
  if (!core->db) {
    ThrowCode(env, "NOT_OPEN", "database is not open");
    return env.Undefined();
  }
  const uint32_t key_len = info[0].As<Napi::Number>().Uint32Value();
  if (key_len > core->key_capacity) {
    Napi::RangeError::New(env, "key length exceeds the shared key buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  lsm::ReadOptions ro;
  if (!ResolveSnapshot(env, core, info[1], &ro)) return env.Undefined();
  lsm::Status s = core->db->Get(ro, lsm::Slice(core->key_data, key_len), &core->scratch);
  if (s.IsNotFound()) return Napi::Number::New(env, -1);
  if (!s.ok()) {
    ThrowStatus(env, s);
    return env.Undefined();
  }
  // hasSync passes a third argument; getSync does not (Length() is free, a
  // type check of a missing argument is not).
  if (info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value()) {
    return Napi::Number::New(env, 0);
  }
  const std::string& v = core->scratch;
  if (v.size() <= core->pool_capacity - core->pool_used) {
    if (!v.empty()) memcpy(core->pool_data + core->pool_used, v.data(), v.size());
    core->pool_used += v.size();
    return Napi::Number::New(env, static_cast<double>(v.size()));
  }
  return Napi::Buffer<char>::Copy(env, v.data(), v.size());
}

}  // namespace

Napi::Value DbGetter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (!core) return env.Undefined();
  // The function owns a reference to the core, dropped when it is collected.
  auto* holder = new std::shared_ptr<DbCore>(std::move(core));
  Napi::Function fn = Napi::Function::New(env, BoundGet, "db_get", holder);
  if (fn.IsEmpty() ||
      napi_add_finalizer(
          env, fn, holder,
          [](napi_env, void* data, void*) { delete static_cast<std::shared_ptr<DbCore>*>(data); },
          nullptr, nullptr) != napi_ok) {
    delete holder;
    return env.Undefined();
  }
  return fn;
}

Napi::Value DbResultPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  // Once closing, no read writes into a pool again, and a reference taken
  // now could outlive Shutdown() (which drops JS references on this thread).
  if (!core || core->closing) return env.Undefined();
  if (!info[1].IsBuffer()) {
    Napi::TypeError::New(env, "db_result_pool(db, buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto pool = info[1].As<Napi::Buffer<char>>();
  core->pool_ref = Napi::Persistent(pool);
  core->pool_data = pool.Data();
  core->pool_capacity = pool.Length();
  core->pool_used = 0;
  return env.Undefined();
}

Napi::Value DbGetMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  lsm::DB* db = OpenDb(env, core);
  if (db == nullptr) return env.Undefined();
  if (!info[1].IsTypedArray() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "db_get_many(db, keys, count)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto keys = info[1].As<Napi::Uint8Array>();
  const uint32_t count = info[2].As<Napi::Number>().Uint32Value();
  lsm::ReadOptions ro;
  if (!ResolveSnapshot(env, core.get(), info[3], &ro)) return env.Undefined();
  const char* p = reinterpret_cast<const char*>(keys.Data());
  const char* end = p + keys.ByteLength();
  std::string out;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t len;
    if (end - p < 4 || (memcpy(&len, p, 4), static_cast<size_t>(end - p - 4) < len)) {
      Napi::RangeError::New(env, "db_get_many: malformed key buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    p += 4;
    lsm::Status s = db->Get(ro, lsm::Slice(p, len), &core->scratch);
    p += len;
    int32_t vlen = -1;
    if (s.ok()) {
      vlen = static_cast<int32_t>(core->scratch.size());
    } else if (!s.IsNotFound()) {
      ThrowStatus(env, s);
      return env.Undefined();
    }
    out.append(reinterpret_cast<const char*>(&vlen), 4);
    if (vlen > 0) out.append(core->scratch);
  }
  return Napi::Buffer<char>::Copy(env, out.data(), out.size());
}

Napi::Value DbFlush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDb(env, core) == nullptr) return env.Undefined();
  const uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  BeginOp(env, core.get());
  RunInBackground(core, id, [](DbCore* c) { return c->db->Flush(); });
  return env.Undefined();
}

Napi::Value DbCheckpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDbForRead(env, core) == nullptr) return env.Undefined();
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsString()) {
    Napi::TypeError::New(env, "db_checkpoint(db, id, dir)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  std::string dir = info[2].As<Napi::String>().Utf8Value();
  BeginOp(env, core.get());
  // Links or copies every table and fsyncs: its own thread, like flush.
  RunInBackground(core, id, [dir = std::move(dir)](DbCore* c) { return c->db->Checkpoint(dir); });
  return env.Undefined();
}

Napi::Value DbClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDb(env, core) == nullptr) return env.Undefined();
  const uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  // Iterators and snapshots go first, on this thread: DB::Close requires it.
  core->closing = true;
  core->CloseReaders();
  BeginOp(env, core.get());
  RunInBackground(core, id, [](DbCore* c) { return c->db->Close(); });
  return env.Undefined();
}

Napi::Value DbRefresh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDbForRead(env, core) == nullptr) return env.Undefined();
  if (!info[1].IsNumber()) {
    Napi::TypeError::New(env, "db_refresh(db, id)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  BeginOp(env, core.get());
  // Reads CURRENT, the MANIFEST, WAL segments and opens tables: off the JS thread.
  RunInBackground(core, id, [](DbCore* c) { return c->db->Refresh(); });
  return env.Undefined();
}

Napi::Value DbStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  lsm::DB* db = OpenDb(env, core);
  if (db == nullptr) return env.Undefined();
  lsm::DBStats st;
  db->GetStats(&st);
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* name, uint64_t v) {
    o.Set(name, Napi::Number::New(env, static_cast<double>(v)));
  };
  set("puts", st.puts);
  set("deletes", st.deletes);
  set("gets", st.gets);
  set("batches", st.batches);
  set("bytesWritten", st.bytes_written);
  set("walBytes", st.wal_bytes);
  set("walSyncs", st.wal_syncs);
  set("groupCommits", st.group_commits);
  set("inlineCommits", st.inline_commits);
  set("flushes", st.flushes);
  set("flushBytes", st.flush_bytes);
  set("stalls", st.stalls);
  set("stallMicros", st.stall_micros);
  set("memtableBytes", st.memtable_bytes);
  set("immutableMemtables", st.immutable_memtables);
  set("immutableMemtableBytes", st.immutable_memtable_bytes);
  set("lastSequence", st.last_sequence);
  set("obsoleteFilesRemoved", st.obsolete_files_removed);
  set("readFlushes", st.read_flushes);
  set("compactions", st.compactions);
  set("readCompactions", st.read_compactions);
  set("compactionBytesRead", st.compaction_bytes_read);
  set("compactionBytesWritten", st.compaction_bytes_written);
  set("compactionMicros", st.compaction_micros);
  set("tablesDeleted", st.tables_deleted);
  set("pendingCompactionBytes", st.pending_compaction_bytes);
  set("runningCompactions", st.running_compactions);
  o.Set("writeAmplification", Napi::Number::New(env, st.write_amplification));
  Napi::Object stalls = Napi::Object::New(env);
  for (int r = 0; r < lsm::kNumStallReasons; r++) {
    Napi::Object one = Napi::Object::New(env);
    one.Set("count", Napi::Number::New(env, static_cast<double>(st.stall_reasons[r].count)));
    one.Set("micros", Napi::Number::New(env, static_cast<double>(st.stall_reasons[r].micros)));
    stalls.Set(StallReasonName(static_cast<uint64_t>(r)), one);
  }
  o.Set("stallsByReason", stalls);
  Napi::Array levels = Napi::Array::New(env, st.levels.size());
  for (size_t i = 0; i < st.levels.size(); i++) {
    Napi::Object l = Napi::Object::New(env);
    l.Set("level", Napi::Number::New(env, st.levels[i].level));
    l.Set("files", Napi::Number::New(env, static_cast<double>(st.levels[i].files)));
    l.Set("bytes", Napi::Number::New(env, static_cast<double>(st.levels[i].bytes)));
    l.Set("score", Napi::Number::New(env, st.levels[i].score));
    levels.Set(static_cast<uint32_t>(i), l);
  }
  o.Set("levels", levels);
  return o;
}

Napi::Value DbClear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDbForRead(env, core) == nullptr) return env.Undefined();
  lsm::KeyRange range;
  if (!ParseRange(env, info[1], info[2], info[3], &range)) return env.Undefined();
  if (!info[4].IsNumber()) {
    Napi::TypeError::New(env, "db_clear(db, flags, lower, upper, id)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint32_t id = info[4].As<Napi::Number>().Uint32Value();
  BeginOp(env, core.get());
  // DeleteRange scans then writes one batch: off the JS thread, like flush.
  RunInBackground(core, id, [range = std::move(range)](DbCore* c) {
    return c->db->DeleteRange(lsm::WriteOptions(), range);
  });
  return env.Undefined();
}

Napi::Value DbApproximateSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  lsm::DB* db = OpenDbForRead(env, core);
  if (db == nullptr) return env.Undefined();
  lsm::KeyRange range;
  if (!ParseRange(env, info[1], info[2], info[3], &range)) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(db->ApproximateSize(range)));
}

Napi::Value DbCompactRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = Unwrap(info);
  if (OpenDb(env, core) == nullptr) return env.Undefined();
  auto optional_buffer = [](const Napi::Value& v) {
    return v.IsUndefined() || v.IsNull() || v.IsTypedArray();
  };
  if (info.Length() < 2 || !info[1].IsNumber() || !optional_buffer(info[2]) ||
      !optional_buffer(info[3])) {
    Napi::TypeError::New(env, "db_compact_range(db, id, start?, end?)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  // Both bounds inclusive; a missing one is unbounded.
  lsm::KeyRange range;
  if (info[2].IsTypedArray()) {
    auto b = info[2].As<Napi::Uint8Array>();
    range.has_lower = true;
    range.lower.assign(reinterpret_cast<const char*>(b.Data()), b.ByteLength());
  }
  if (info[3].IsTypedArray()) {
    auto b = info[3].As<Napi::Uint8Array>();
    range.has_upper = true;
    range.upper_inclusive = true;
    range.upper.assign(reinterpret_cast<const char*>(b.Data()), b.ByteLength());
  }
  BeginOp(env, core.get());
  // Long-running: its own thread, never the libuv pool (like flush).
  RunInBackground(core, id, [range = std::move(range)](DbCore* c) {
    return c->db->CompactRange(&range);
  });
  return env.Undefined();
}

}  // namespace lsm_binding
