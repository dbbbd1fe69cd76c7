// Arena block management: refilling the current block and giving large
// requests their own block.
#include "util/arena.h"

#include <cstdint>

namespace lsm {

static_assert((Arena::kAlignment & (Arena::kAlignment - 1)) == 0,
              "arena alignment must be a power of two");
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= Arena::kAlignment,
              "AllocateAligned relies on new[] returning aligned blocks");

Arena::Arena() = default;

Arena::~Arena() {
  for (char* block : blocks_) delete[] block;
}

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > kBlockSize / 4) {
    // Keep the current block: its remaining space is still useful for the
    // small allocations that usually follow.
    return AllocateNewBlock(bytes);
  }
  // Abandon the tail of the current block; at most a quarter block is wasted.
  alloc_ptr_ = AllocateNewBlock(kBlockSize);
  alloc_bytes_remaining_ = kBlockSize;

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
  char* block = new char[block_bytes];
  blocks_.push_back(block);
  // Count the vector slot too so that MemoryUsage tracks the arena's real
  // footprint for memtables made of many large values.
  memory_usage_.store(MemoryUsage() + block_bytes + sizeof(char*), std::memory_order_relaxed);
  return block;
}

}  // namespace lsm
