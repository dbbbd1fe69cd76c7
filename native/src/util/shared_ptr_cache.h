// SharedPtrCache: one cached copy of a std::shared_ptr<const T> that readers
// borrow without a mutex or a reference-count update.
//
// The owner keeps the authoritative shared_ptr under its own mutex and calls
// Invalidate() (under that mutex) after every change to it. A reader calls
// Acquire(), reads through the entry, and calls Release(). A borrow costs two
// atomic exchanges; taking the pointer under the mutex costs a lock, an
// unlock and two reference-count updates (~4% of a random point read).
//
// The protocol is RocksDB's thread-local SuperVersion cache with one slot:
//   - the slot holds an Entry (a shared_ptr copy and the generation it was
//     taken at), nullptr, or the InUse() marker while a reader has the entry;
//   - Acquire swaps the marker in. A reader that finds it (another thread is
//     reading) gets nullptr and takes the slow path; one that finds nothing,
//     or an entry older than the current generation, refills it with `fill`;
//   - Release swaps the entry back in if the slot still holds the marker. If
//     Invalidate emptied the slot meanwhile, the entry is stale: deleted.
// Every entry is in the slot, held by one reader, or deleted; an entry a
// reader holds keeps its T alive however many invalidations pass.
//
// Thread-safety: Acquire/Release from any thread; Invalidate under the
// owner's mutex; `fill` must read the pointer and generation() under it.
#ifndef LSMKV_NATIVE_SRC_UTIL_SHARED_PTR_CACHE_H_
#define LSMKV_NATIVE_SRC_UTIL_SHARED_PTR_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace lsm {

template <typename T>
class SharedPtrCache {
 public:
  struct Entry {
    std::shared_ptr<const T> ptr;
    uint64_t generation = 0;
  };

  SharedPtrCache() = default;
  SharedPtrCache(const SharedPtrCache&) = delete;
  SharedPtrCache& operator=(const SharedPtrCache&) = delete;
  ~SharedPtrCache() {
    Entry* e = slot_.load(std::memory_order_acquire);
    if (e != InUse()) delete e;
  }

  // The current generation; read it with the pointer, under the owner's mutex.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The entry to read through, current as of this call, or nullptr when
  // another reader holds it. `fill(Entry*)` refills a missing or stale one.
  template <typename Fill>
  Entry* Acquire(Fill&& fill) {
    Entry* e = slot_.exchange(InUse(), std::memory_order_acquire);
    if (e == InUse()) return nullptr;
    if (e == nullptr) e = new Entry;
    if (e->generation != generation()) fill(e);
    return e;
  }

  // Returns an entry from Acquire.
  void Release(Entry* e) {
    Entry* expected = InUse();
    if (!slot_.compare_exchange_strong(expected, e, std::memory_order_release,
                                       std::memory_order_relaxed)) {
      delete e;  // invalidated while borrowed
    }
  }

  // After the owner changed its pointer: no entry taken before is handed
  // out again. Returns the cached entry, if any, for the caller to drop
  // outside its mutex (it may hold the last reference to the old T).
  std::unique_ptr<Entry> Invalidate() {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    Entry* e = slot_.exchange(nullptr, std::memory_order_acq_rel);
    return std::unique_ptr<Entry>(e == InUse() ? nullptr : e);
  }

 private:
  static Entry* InUse() { return reinterpret_cast<Entry*>(&in_use_tag_); }

  static inline char in_use_tag_ = 0;
  std::atomic<Entry*> slot_{nullptr};
  // Starts at 1 so a fresh Entry (generation 0) is always filled.
  std::atomic<uint64_t> generation_{1};
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_SHARED_PTR_CACHE_H_
