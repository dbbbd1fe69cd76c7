// Arena: the bump allocator that owns every memtable entry and skiplist node.
// Memory is handed out from 4 KiB blocks and released only when the Arena is
// destroyed, which is what lets a memtable be dropped in one step once it has
// been flushed.
//
// Thread-safety: Allocate*() needs external synchronization (the memtable's
// single writer). MemoryUsage() may be called from any thread at any time; the
// write path reads it to decide when a memtable is full while readers and the
// flush thread may be looking at the same memtable.
#ifndef LSMKV_NATIVE_SRC_UTIL_ARENA_H_
#define LSMKV_NATIVE_SRC_UTIL_ARENA_H_

#include <atomic>
#include <cassert>
#include <cstddef>
#include <vector>

namespace lsm {

class Arena {
 public:
  // Block size for small allocations. Requests larger than a quarter of this
  // get a dedicated block so that a big value never wastes the tail of the
  // current block.
  static constexpr size_t kBlockSize = 4096;
  // Blocks at least this large are allocated huge-page aligned and advised
  // for transparent huge pages: a 64 MiB memtable in 4 KiB pages makes every
  // skiplist step a TLB miss.
  static constexpr size_t kHugePageSize = 2u << 20;
  // Alignment guaranteed by AllocateAligned(): enough for pointers and
  // std::atomic<T*>, which is what skiplist nodes hold.
  static constexpr size_t kAlignment = alignof(void*) > 8 ? alignof(void*) : 8;

  // `block_size`: bytes per block for small allocations (>= kBlockSize).
  explicit Arena(size_t block_size = kBlockSize);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Returns `bytes` bytes of uninitialized memory that live as long as the
  // Arena. REQUIRES: bytes > 0.
  char* Allocate(size_t bytes);

  // Like Allocate(), but the result is aligned to kAlignment.
  char* AllocateAligned(size_t bytes);

  // Approximate bytes held by the arena (blocks plus bookkeeping), including
  // the unused tail of the current block.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  // Bump pointer into the current block and bytes left after it.
  const size_t block_size_;
  char* alloc_ptr_ = nullptr;
  size_t alloc_bytes_remaining_ = 0;

  struct Block {
    char* data;
    bool aligned;  // from aligned_alloc (free()), else new[]
  };
  std::vector<Block> blocks_;

  // Written only by the allocating thread, read from anywhere.
  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  // Zero-byte allocations would hand out the same address twice, which
  // callers that compare pointers would not expect.
  assert(bytes > 0);
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_ARENA_H_
