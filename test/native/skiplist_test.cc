// Tests for util/skiplist.h: ordering and iteration against std::set, and a
// single writer racing lock-free readers (run under TSan in CI).
#include "util/skiplist.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "util/arena.h"
#include "util/random.h"

namespace lsm {
namespace {

using Key = uint64_t;

struct KeyComparator {
  int operator()(const Key& a, const Key& b) const {
    if (a < b) return -1;
    if (a > b) return +1;
    return 0;
  }
};

using List = SkipList<Key, KeyComparator>;

TEST(SkipListTest, EmptyListHasNoEntries) {
  Arena arena;
  List list(KeyComparator(), &arena);
  EXPECT_FALSE(list.Contains(10));

  List::Iterator iter(&list);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, RandomInsertsMatchStdSet) {
  const int kN = 2000;
  const Key kRange = 5000;
  Random rnd(1000);
  std::set<Key> model;
  Arena arena;
  List list(KeyComparator(), &arena);
  for (int i = 0; i < kN; i++) {
    const Key key = rnd.Uniform(kRange);
    if (model.insert(key).second) list.Insert(key);
  }

  for (Key k = 0; k < kRange; k++) ASSERT_EQ(model.count(k) == 1, list.Contains(k)) << k;

  // Forward iteration visits exactly the model, in order.
  {
    List::Iterator iter(&list);
    iter.SeekToFirst();
    for (Key expected : model) {
      ASSERT_TRUE(iter.Valid());
      ASSERT_EQ(expected, iter.key());
      iter.Next();
    }
    EXPECT_FALSE(iter.Valid());
  }

  // Backward iteration from the end.
  {
    List::Iterator iter(&list);
    iter.SeekToLast();
    for (auto it = model.rbegin(); it != model.rend(); ++it) {
      ASSERT_TRUE(iter.Valid());
      ASSERT_EQ(*it, iter.key());
      iter.Prev();
    }
    EXPECT_FALSE(iter.Valid());
  }

  // Seek lands on the first key >= target; a few steps either way agree with
  // the model.
  for (Key target = 0; target < kRange + 10; target++) {
    List::Iterator iter(&list);
    iter.Seek(target);
    auto model_it = model.lower_bound(target);
    for (int step = 0; step < 3; step++) {
      if (model_it == model.end()) {
        ASSERT_FALSE(iter.Valid()) << target;
        break;
      }
      ASSERT_TRUE(iter.Valid()) << target;
      ASSERT_EQ(*model_it, iter.key());
      ++model_it;
      iter.Next();
    }

    iter.Seek(target);
    model_it = model.lower_bound(target);
    if (model_it == model.begin()) {
      if (iter.Valid()) {
        iter.Prev();
        ASSERT_FALSE(iter.Valid()) << "nothing before the first key";
      }
    } else if (iter.Valid()) {
      iter.Prev();
      ASSERT_TRUE(iter.Valid());
      ASSERT_EQ(*std::prev(model_it), iter.key());
    }
  }
}

TEST(SkipListTest, PointerKeysOrderedByPointee) {
  // The memtable stores pointers into its arena; check the list works with
  // a key type whose order is not its bit pattern.
  struct Cmp {
    int operator()(const char* const& a, const char* const& b) const {
      return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
    }
  };
  Arena arena;
  SkipList<const char*, Cmp> list(Cmp(), &arena);
  static const char kLetters[] = "qwertyuiopasdfghjklzxcvbnm";
  for (const char* p = kLetters; *p != '\0'; p++) list.Insert(p);
  SkipList<const char*, Cmp>::Iterator iter(&list);
  iter.SeekToFirst();
  for (char c = 'a'; c <= 'z'; c++) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(c, *iter.key());
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
}

// One writer inserts a shuffled sequence of keys, publishing how many it has
// inserted after each one. Readers snapshot that count, then walk the list:
// it must be strictly ordered and must contain every key published before the
// walk started (it may also contain newer ones).
TEST(SkipListTest, ConcurrentReadersSeeOrderedListWithAllPublishedKeys) {
  const int kKeys = 20000;
  const int kReaders = 4;
  std::vector<Key> keys(kKeys);
  for (int i = 0; i < kKeys; i++) keys[i] = static_cast<Key>(i) * 7 + 3;
  Random rnd(7);
  for (int i = kKeys - 1; i > 0; i--) std::swap(keys[i], keys[rnd.Uniform(i + 1)]);

  Arena arena;
  List list(KeyComparator(), &arena);
  std::atomic<int> published{0};
  std::atomic<bool> done{false};
  std::atomic<int> started{0};

  auto reader = [&](uint64_t seed) {
    Random r(seed);
    started.fetch_add(1);
    std::vector<Key> seen;
    int passes = 0;
    while (!done.load(std::memory_order_acquire) || passes < 2) {
      const int n = published.load(std::memory_order_acquire);
      seen.clear();
      List::Iterator iter(&list);
      iter.SeekToFirst();
      for (; iter.Valid(); iter.Next()) {
        if (!seen.empty()) {
          ASSERT_LT(seen.back(), iter.key());
        }
        seen.push_back(iter.key());
      }
      ASSERT_GE(seen.size(), static_cast<size_t>(n));
      for (int j = 0; j < n; j++) {
        ASSERT_TRUE(std::binary_search(seen.begin(), seen.end(), keys[j])) << keys[j];
      }
      // Point lookups and seeks for published keys must also succeed.
      for (int probe = 0; probe < 50 && n > 0; probe++) {
        const Key k = keys[r.Uniform(n)];
        ASSERT_TRUE(list.Contains(k));
        iter.Seek(k);
        ASSERT_TRUE(iter.Valid());
        ASSERT_EQ(k, iter.key());
      }
      passes++;
    }
  };

  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; i++) readers.emplace_back(reader, 100 + i);
  // Start inserting only once every reader is running, so the walks really
  // overlap the inserts.
  while (started.load() < kReaders) std::this_thread::yield();
  for (int i = 0; i < kKeys; i++) {
    list.Insert(keys[i]);
    published.store(i + 1, std::memory_order_release);
    if (i % 1000 == 0) std::this_thread::yield();
  }
  done.store(true, std::memory_order_release);
  for (std::thread& t : readers) t.join();

  List::Iterator iter(&list);
  int count = 0;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) count++;
  EXPECT_EQ(kKeys, count);
}

}  // namespace
}  // namespace lsm
