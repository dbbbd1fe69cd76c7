// The read-side handles of a database: iterators (pages of entries packed
// into one Buffer per call) and snapshots, plus the key-range argument format
// shared with db_clear / db_approximate_size.
//
// Both handles are type-tagged Externals that hold a shared_ptr to their
// DbCore, so the engine object outlives them. DbCore tracks the open ones;
// DbCore::CloseReaders() deletes every native iterator and releases every
// snapshot before DB::Close (the engine requires both to be gone before the
// DB is). A handle closed that way stays valid as a JS object and answers
// ITERATOR_CLOSED / SNAPSHOT_RELEASED. All of it is JS-thread only.
//
// Range arguments: (flags, lower, upper) where lower/upper are Uint8Arrays or
// undefined (unbounded) and flags carry kLowerInclusive / kUpperInclusive.
//
// Page format returned by iterator_next (little-endian):
//   page    := count:u32 flags:u32 entry{count}
//   flags   := bit 0 set when the iterator is exhausted (end of range or limit)
//   entry   := [keyLen:u32 key] [valueLen:u32 value]   (each half only when asked for)
#ifndef LSMKV_NATIVE_BINDING_ITERATOR_H_
#define LSMKV_NATIVE_BINDING_ITERATOR_H_

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "lsm/db.h"

namespace lsm_binding {

class DbCore;

// Flag bits of iterator_init and the range functions (mirrored in lib/binding.ts).
constexpr uint32_t kIterReverse = 1;
constexpr uint32_t kIterKeys = 2;
constexpr uint32_t kIterValues = 4;
constexpr uint32_t kLowerInclusive = 8;
constexpr uint32_t kUpperInclusive = 16;

constexpr uint32_t kPageExhausted = 1;

struct IteratorState {
  std::shared_ptr<DbCore> core;
  std::unique_ptr<lsm::Iterator> it;  // nullptr once closed
  uint32_t flags = 0;
  uint64_t remaining = UINT64_MAX;  // entries left under `limit`
  bool positioned = false;          // false until the first next() or seek()
  // The last page ended on an entry it delivered; the step past it waits for
  // the next page, so a seek followed by one page never reads beyond it.
  bool step_pending = false;
  lsm::Status deferred;             // an error met after a page was filled
  std::string page;                 // reused between pages
};

struct SnapshotState {
  std::shared_ptr<DbCore> core;
  const lsm::Snapshot* snapshot = nullptr;  // nullptr once released
};

// Parses a range argument triple; false with a JS exception pending.
bool ParseRange(Napi::Env env, Napi::Value flags, Napi::Value lower, Napi::Value upper,
                lsm::KeyRange* range);

// Sets ro->snapshot from an optional snapshot argument of `core` (undefined:
// none); false with a JS exception pending (SNAPSHOT_RELEASED, wrong handle).
bool ResolveSnapshot(Napi::Env env, const DbCore* core, Napi::Value value, lsm::ReadOptions* ro);

Napi::Value IteratorInit(const Napi::CallbackInfo& info);
Napi::Value IteratorNext(const Napi::CallbackInfo& info);
Napi::Value IteratorSeek(const Napi::CallbackInfo& info);
Napi::Value IteratorClose(const Napi::CallbackInfo& info);
Napi::Value SnapshotCreate(const Napi::CallbackInfo& info);
Napi::Value SnapshotRelease(const Napi::CallbackInfo& info);

}  // namespace lsm_binding

#endif  // LSMKV_NATIVE_BINDING_ITERATOR_H_
