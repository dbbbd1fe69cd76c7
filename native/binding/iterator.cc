// iterator_* and snapshot_* functions, DbCore::CloseReaders and the range
// argument parser (formats: iterator.h). Iterators are read synchronously on
// the JS thread, one page per call, like db_get.
#include "iterator.h"

#include <cstring>

#include "database.h"
#include "errors.h"
#include "metrics.h"

namespace lsm_binding {

namespace {

const napi_type_tag kIteratorTag = {0x6c736d6b76697430ULL, 0x3c1d5e7f90a2b4c6ULL};
const napi_type_tag kSnapshotTag = {0x6c736d6b76736e30ULL, 0x5b6a7c8d9eafb0c1ULL};

// The state behind a tagged External, or nullptr with a TypeError pending.
template <typename T>
T* UnwrapTagged(Napi::Env env, Napi::Value v, const napi_type_tag* tag, const char* what) {
  if (!v.IsExternal() || !v.As<Napi::Object>().CheckTypeTag(tag)) {
    Napi::TypeError::New(env, std::string("expected ") + what).ThrowAsJavaScriptException();
    return nullptr;
  }
  return v.As<Napi::External<T>>().Data();
}

bool ToBytes(Napi::Env env, Napi::Value v, std::string* out) {
  if (!v.IsTypedArray()) {
    Napi::TypeError::New(env, "range bounds must be Uint8Arrays").ThrowAsJavaScriptException();
    return false;
  }
  auto a = v.As<Napi::Uint8Array>();
  out->assign(reinterpret_cast<const char*>(a.Data()), a.ByteLength());
  return true;
}

inline void PutU32(std::string* out, uint32_t v) {
  char b[4];
  memcpy(b, &v, 4);  // little-endian hosts only (checked in lib/ at load)
  out->append(b, 4);
}

inline void PutU32At(std::string* out, size_t pos, uint32_t v) { memcpy(&(*out)[pos], &v, 4); }

void CloseIterator(IteratorState* st) {
  st->it.reset();
  if (st->core) st->core->iterators.erase(st);
}

void ReleaseSnapshot(SnapshotState* st) {
  if (st->snapshot != nullptr && st->core && st->core->db) {
    st->core->db->ReleaseSnapshot(st->snapshot);
  }
  st->snapshot = nullptr;
  if (st->core) st->core->snapshots.erase(st);
}

// A tagged External owning `st`: when JS drops it, Release(st) runs and st is
// deleted. If the env can no longer run JS (a worker being terminated),
// creating the External fails and nobody will ever see st: it is released
// and deleted now, and the result is empty.
template <typename T, void (*Release)(T*)>
Napi::Value WrapTagged(Napi::Env env, T* st, const napi_type_tag* tag) {
  auto ext = Napi::External<T>::New(env, st, [](Napi::Env, T* s) {
    Release(s);
    delete s;
  });
  if (ext.IsEmpty()) {
    Release(st);
    delete st;
    return env.Undefined();
  }
  ext.TypeTag(tag);
  return ext;
}

}  // namespace

void DbCore::CloseReaders() {
  for (IteratorState* st : iterators) st->it.reset();
  iterators.clear();
  for (SnapshotState* st : snapshots) {
    if (st->snapshot != nullptr && db) db->ReleaseSnapshot(st->snapshot);
    st->snapshot = nullptr;
  }
  snapshots.clear();
}

bool ParseRange(Napi::Env env, Napi::Value flags_value, Napi::Value lower, Napi::Value upper,
                lsm::KeyRange* range) {
  if (!flags_value.IsNumber()) {
    Napi::TypeError::New(env, "range flags must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const uint32_t flags = flags_value.As<Napi::Number>().Uint32Value();
  if (!lower.IsUndefined()) {
    if (!ToBytes(env, lower, &range->lower)) return false;
    range->has_lower = true;
    range->lower_inclusive = (flags & kLowerInclusive) != 0;
  }
  if (!upper.IsUndefined()) {
    if (!ToBytes(env, upper, &range->upper)) return false;
    range->has_upper = true;
    range->upper_inclusive = (flags & kUpperInclusive) != 0;
  }
  return true;
}

bool ResolveSnapshot(Napi::Env env, const DbCore* core, Napi::Value value, lsm::ReadOptions* ro) {
  if (value.IsUndefined()) return true;
  auto* st = UnwrapTagged<SnapshotState>(env, value, &kSnapshotTag, "a snapshot handle");
  if (st == nullptr) return false;
  if (st->core.get() != core) {
    Napi::RangeError::New(env, "snapshot belongs to another database").ThrowAsJavaScriptException();
    return false;
  }
  if (st->snapshot == nullptr) {
    ThrowCode(env, "SNAPSHOT_RELEASED", "snapshot was released");
    return false;
  }
  ro->snapshot = st->snapshot;
  return true;
}

// iterator_init(db, flags, limit, lower, upper, snapshot)
Napi::Value IteratorInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = UnwrapDb(info);
  lsm::DB* db = OpenDbForRead(env, core);
  if (db == nullptr) return env.Undefined();
  if (!info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "iterator_init(db, flags, limit, lower, upper, snapshot)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  lsm::KeyRange range;
  if (!ParseRange(env, info[1], info[3], info[4], &range)) return env.Undefined();
  lsm::ReadOptions ro;
  if (!ResolveSnapshot(env, core.get(), info[5], &ro)) return env.Undefined();
  const double limit = info[2].As<Napi::Number>().DoubleValue();

  auto* st = new IteratorState();
  st->core = core;
  st->flags = info[1].As<Napi::Number>().Uint32Value();
  st->remaining = limit < 0 ? UINT64_MAX : static_cast<uint64_t>(limit);
  st->it.reset(db->NewIterator(ro, range));
  core->iterators.insert(st);
  // Dropped without close(): CloseIterator unpins its memtables and tables.
  return WrapTagged<IteratorState, CloseIterator>(env, st, &kIteratorTag);
}

// iterator_next(it, maxEntries, maxBytes) -> page (format: iterator.h): its
// length when it was copied into the database's shared value buffer (JS
// copies it out before the next call), or a Buffer when it does not fit
// there. Short pages (a seek and a few entries) then cost no new native
// Buffer.
Napi::Value IteratorNext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* st = UnwrapTagged<IteratorState>(env, info[0], &kIteratorTag, "an iterator handle");
  if (st == nullptr) return env.Undefined();
  if (!st->it) {
    ThrowCode(env, "ITERATOR_CLOSED", "iterator is closed");
    return env.Undefined();
  }
  if (!st->deferred.ok()) {
    ThrowStatus(env, st->deferred);
    return env.Undefined();
  }
  const uint32_t max_entries = info[1].As<Napi::Number>().Uint32Value();
  const size_t max_bytes = info[2].As<Napi::Number>().Uint32Value();
  const uint64_t start = NowNanos();
  lsm::Iterator* it = st->it.get();
  const bool reverse = (st->flags & kIterReverse) != 0;
  const bool want_keys = (st->flags & kIterKeys) != 0;
  const bool want_values = (st->flags & kIterValues) != 0;
  if (!st->positioned) {
    st->positioned = true;
    if (st->remaining > 0) reverse ? it->SeekToLast() : it->SeekToFirst();
  }

  bool exhausted = st->remaining == 0;
  if (st->step_pending && !exhausted) reverse ? it->Prev() : it->Next();
  st->step_pending = false;

  std::string& page = st->page;
  page.assign(8, '\0');
  uint32_t count = 0;
  while (!exhausted && count < max_entries && it->Valid()) {
    if (want_keys) {
      const lsm::Slice k = it->key();
      PutU32(&page, static_cast<uint32_t>(k.size()));
      page.append(k.data(), k.size());
    }
    if (want_values) {
      const lsm::Slice v = it->value();
      PutU32(&page, static_cast<uint32_t>(v.size()));
      page.append(v.data(), v.size());
    }
    count++;
    // At the limit, stop without moving: nothing further is read.
    if (--st->remaining == 0) {
      exhausted = true;
      break;
    }
    if (count == max_entries || page.size() >= max_bytes) {
      st->step_pending = true;
      break;
    }
    reverse ? it->Prev() : it->Next();
  }
  if (!exhausted && !it->Valid()) {
    lsm::Status s = it->status();
    if (!s.ok()) {
      if (count == 0) {
        ThrowStatus(env, s);
        return env.Undefined();
      }
      st->deferred = s;  // deliver these entries first, the error next call
    } else {
      exhausted = true;
    }
  }
  PutU32At(&page, 0, count);
  PutU32At(&page, 4, exhausted ? kPageExhausted : 0);
  DbCore* core = st->core.get();
  Napi::Value result;
  if (core != nullptr && page.size() <= core->value_capacity) {
    memcpy(core->value_data, page.data(), page.size());
    result = Napi::Number::New(env, static_cast<double>(page.size()));
  } else {
    result = Napi::Buffer<char>::Copy(env, page.data(), page.size());
  }
  if (st->core && st->core->db) {
    st->core->db->RecordLatency(lsm::LatencyKind::kIteratorPage, NowNanos() - start, 1);
  }
  return result;
}

// iterator_seek(it, targetLength, limit): the target is in the database's
// shared key buffer, as for db_get. Forward: first key >= target; reverse:
// last key <= target; both clamped to the iterator's range. `limit` (-1: none)
// replaces the entries left: JS counts what it yielded, while the native side
// may have read a page ahead.
Napi::Value IteratorSeek(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* st = UnwrapTagged<IteratorState>(env, info[0], &kIteratorTag, "an iterator handle");
  if (st == nullptr) return env.Undefined();
  if (!st->it) {
    ThrowCode(env, "ITERATOR_CLOSED", "iterator is closed");
    return env.Undefined();
  }
  const uint32_t len = info[1].As<Napi::Number>().Uint32Value();
  if (len > st->core->key_capacity) {
    Napi::RangeError::New(env, "key length exceeds the shared key buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const lsm::Slice target(st->core->key_data, len);
  const double limit = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
  st->remaining = limit < 0 ? UINT64_MAX : static_cast<uint64_t>(limit);
  st->positioned = true;
  st->step_pending = false;
  st->deferred = lsm::Status::OK();
  (st->flags & kIterReverse) != 0 ? st->it->SeekForPrev(target) : st->it->Seek(target);
  return env.Undefined();
}

// iterator_close(it): idempotent.
Napi::Value IteratorClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* st = UnwrapTagged<IteratorState>(env, info[0], &kIteratorTag, "an iterator handle");
  if (st != nullptr) CloseIterator(st);
  return env.Undefined();
}

// snapshot_create(db) -> snapshot handle
Napi::Value SnapshotCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<DbCore> core = UnwrapDb(info);
  lsm::DB* db = OpenDbForRead(env, core);
  if (db == nullptr) return env.Undefined();
  auto* st = new SnapshotState();
  st->core = core;
  st->snapshot = db->GetSnapshot();
  core->snapshots.insert(st);
  return WrapTagged<SnapshotState, ReleaseSnapshot>(env, st, &kSnapshotTag);  // dropped: released
}

// snapshot_release(snap): idempotent.
Napi::Value SnapshotRelease(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* st = UnwrapTagged<SnapshotState>(env, info[0], &kSnapshotTag, "a snapshot handle");
  if (st != nullptr) ReleaseSnapshot(st);
  return env.Undefined();
}

}  // namespace lsm_binding
