// Tests for util/arena: allocations stay intact and aligned, large requests
// are accounted for, and MemoryUsage is readable from another thread.
#include "util/arena.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "util/random.h"

namespace lsm {
namespace {

TEST(ArenaTest, EmptyArenaUsesNoMemory) {
  Arena arena;
  EXPECT_EQ(0u, arena.MemoryUsage());
}

TEST(ArenaTest, ManyAllocationsKeepTheirContents) {
  std::vector<std::pair<size_t, char*>> allocated;
  Arena arena;
  const int kN = 100000;
  size_t bytes = 0;
  Random rnd(301);
  for (int i = 0; i < kN; i++) {
    size_t s;
    if (i % (kN / 10) == 0) {
      s = i;
    } else {
      s = rnd.OneIn(4000) ? rnd.Uniform(6000) : (rnd.OneIn(10) ? rnd.Uniform(100) : rnd.Uniform(20));
    }
    if (s == 0) s = 1;  // Allocate(0) is not allowed.
    char* r = rnd.OneIn(10) ? arena.AllocateAligned(s) : arena.Allocate(s);
    // Fill with a pattern derived from i so overlaps would be detected.
    for (size_t b = 0; b < s; b++) r[b] = static_cast<char>(i % 256);
    bytes += s;
    allocated.emplace_back(s, r);
    ASSERT_GE(arena.MemoryUsage(), bytes);
    if (i > kN / 10) {
      ASSERT_LE(arena.MemoryUsage(), bytes * 1.10);
    }
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    const size_t num_bytes = allocated[i].first;
    const char* p = allocated[i].second;
    for (size_t b = 0; b < num_bytes; b++) {
      ASSERT_EQ(static_cast<int>(i % 256), static_cast<int>(p[b]) & 0xff) << i;
    }
  }
}

TEST(ArenaTest, AlignedAllocationsAreAligned) {
  Arena arena;
  for (int i = 0; i < 2000; i++) {
    arena.Allocate(1 + (i % 7));  // knock the bump pointer off alignment
    const size_t n = 1 + (i % 3000);
    char* p = arena.AllocateAligned(n);
    ASSERT_EQ(0u, reinterpret_cast<uintptr_t>(p) & (Arena::kAlignment - 1)) << i;
    memset(p, 0xab, n);
  }
}

TEST(ArenaTest, LargeAllocationGetsItsOwnBlockAndIsCounted) {
  Arena arena;
  char* small = arena.Allocate(16);
  const size_t after_small = arena.MemoryUsage();
  EXPECT_GE(after_small, Arena::kBlockSize);

  const size_t kBig = 1 << 20;
  char* big = arena.Allocate(kBig);
  memset(big, 1, kBig);
  EXPECT_GE(arena.MemoryUsage(), after_small + kBig);

  // The current block survived the big allocation: the next small request
  // continues right after the first one instead of opening a new block.
  char* next = arena.Allocate(16);
  EXPECT_EQ(small + 16, next);
  EXPECT_LT(arena.MemoryUsage(), after_small + kBig + Arena::kBlockSize);
}

TEST(ArenaTest, MemoryUsageIsReadableWhileAllocating) {
  Arena arena;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    size_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const size_t now = arena.MemoryUsage();
      ASSERT_GE(now, last);  // only the writer changes it, and only upward
      last = now;
    }
  });
  for (int i = 0; i < 20000; i++) arena.Allocate(1 + (i % 2000));
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GT(arena.MemoryUsage(), 0u);
}

}  // namespace
}  // namespace lsm
