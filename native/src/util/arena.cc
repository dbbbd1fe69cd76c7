// Arena block management: refilling the current block and giving large
// requests their own block.
#include "util/arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace lsm {

static_assert((Arena::kAlignment & (Arena::kAlignment - 1)) == 0,
              "arena alignment must be a power of two");
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= Arena::kAlignment,
              "AllocateAligned relies on new[] returning aligned blocks");

Arena::Arena(size_t block_size) : block_size_(block_size < kBlockSize ? kBlockSize : block_size) {}

Arena::~Arena() {
  for (const Block& b : blocks_) {
    if (b.aligned) free(b.data);
    else delete[] b.data;
  }
}

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Keep the current block: its remaining space is still useful for the
    // small allocations that usually follow.
    return AllocateNewBlock(bytes);
  }
  // Abandon the tail of the current block; at most a quarter block is wasted.
  alloc_ptr_ = AllocateNewBlock(block_size_);
  alloc_bytes_remaining_ = block_size_;

  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateAligned(size_t bytes) {
  assert(bytes > 0);
  const size_t misalignment = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlignment - 1);
  const size_t padding = misalignment == 0 ? 0 : kAlignment - misalignment;
  const size_t needed = bytes + padding;
  char* result;
  if (needed <= alloc_bytes_remaining_) {
    result = alloc_ptr_ + padding;
    alloc_ptr_ += needed;
    alloc_bytes_remaining_ -= needed;
  } else {
    // Fresh blocks come from operator new[], which aligns to
    // __STDCPP_DEFAULT_NEW_ALIGNMENT__ (>= kAlignment).
    result = AllocateFallback(bytes);
  }
  assert((reinterpret_cast<uintptr_t>(result) & (kAlignment - 1)) == 0);
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  char* block = nullptr;
  bool aligned = false;
  if (block_bytes >= kHugePageSize && block_bytes % kHugePageSize == 0) {
    block = static_cast<char*>(aligned_alloc(kHugePageSize, block_bytes));
    if (block != nullptr) {
      aligned = true;
      madvise(block, block_bytes, MADV_HUGEPAGE);  // advisory; failure is harmless
    }
  }
  if (block == nullptr) block = new char[block_bytes];
  blocks_.push_back({block, aligned});
  // Count the vector slot too so that MemoryUsage tracks the arena's real
  // footprint for memtables made of many large values.
  memory_usage_.store(MemoryUsage() + block_bytes + sizeof(Block), std::memory_order_relaxed);
  return block;
}

}  // namespace lsm
