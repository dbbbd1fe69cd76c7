// PrefixIndex: for every target, the narrowed range brackets exactly the
// restart keys a full comparison would place around it, for bytewise keys
// and internal keys, including keys shorter than the prefix window, keys
// that extend the common prefix by zero bytes, and targets outside the
// common prefix. A Block with a prefix index seeks exactly as one without.
#include "table/prefix_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "table/block.h"
#include "table/block_builder.h"
#include "util/random.h"

namespace lsm {
namespace {

std::string Digits(uint64_t n) {
  std::string s = std::to_string(n);
  return std::string(16 - s.size(), '0') + s;
}

std::string Internal(const std::string& user, SequenceNumber seq) {
  std::string k = user;
  PutFixed64(&k, PackSequenceAndType(seq, kTypeValue));
  return k;
}

// Checks Narrow's contract against the comparator for `target`.
void ExpectNarrowed(const PrefixIndex& index, const Comparator* cmp,
                    const std::vector<std::string>& keys, const std::string& target) {
  uint32_t lo = 99, hi = 99;
  index.Narrow(target, &lo, &hi);
  ASSERT_LE(lo, hi);
  ASSERT_LE(hi, keys.size());
  for (uint32_t i = 0; i < lo; i++) ASSERT_LT(cmp->Compare(keys[i], target), 0) << i;
  for (uint32_t i = hi; i < keys.size(); i++) ASSERT_GT(cmp->Compare(keys[i], target), 0) << i;
}

TEST(PrefixIndexTest, NarrowsToTheKeysThatNeedComparingForBytewiseKeys) {
  Random rnd(17);
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; i++) {
    // Shared prefixes of varying length, short keys and zero bytes.
    std::string k = "pre";
    const int len = rnd.Uniform(14);
    for (int j = 0; j < len; j++) k.push_back(static_cast<char>(rnd.OneIn(3) ? 0 : rnd.Uniform(4)));
    keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<Slice> slices(keys.begin(), keys.end());
  auto index = PrefixIndex::Build(BytewiseComparator(), slices);
  ASSERT_NE(nullptr, index);
  for (const auto& k : keys) ExpectNarrowed(*index, BytewiseComparator(), keys, k);
  for (int i = 0; i < 3000; i++) {
    std::string t = rnd.OneIn(5) ? "" : (rnd.OneIn(4) ? "pr" : "pre");
    const int len = rnd.Uniform(14);
    for (int j = 0; j < len; j++) t.push_back(static_cast<char>(rnd.OneIn(3) ? 0 : rnd.Uniform(5)));
    ExpectNarrowed(*index, BytewiseComparator(), keys, t);
  }
  ExpectNarrowed(*index, BytewiseComparator(), keys, "a");
  ExpectNarrowed(*index, BytewiseComparator(), keys, "z");
}

TEST(PrefixIndexTest, DigitKeysWithALongCommonPrefixNarrowToOneEntry) {
  // db_bench-style keys: the first ten digits are shared, the prefix window
  // covers the rest, so every narrowed range holds at most one key.
  // As in an index block, the last separator is a short successor ("1").
  const Comparator* cmp = GetInternalKeyComparator();
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 2000; i++) keys.push_back(Internal(Digits(100000 + i * 7), 1000 - i % 5));
  keys.push_back(Internal("1", kMaxSequenceNumber));
  std::vector<Slice> slices(keys.begin(), keys.end());
  auto index = PrefixIndex::Build(cmp, slices);
  ASSERT_NE(nullptr, index);
  EXPECT_EQ(keys.size(), index->size());
  for (const std::string& far : {std::string("0"), std::string("09"), std::string("1"), std::string("2")}) {
    ExpectNarrowed(*index, cmp, keys, Internal(far, 3));
  }
  for (uint64_t n = 99990; n < 100000 + 2000 * 7 + 10; n++) {
    for (SequenceNumber seq : {SequenceNumber{1}, SequenceNumber{998}, kMaxSequenceNumber}) {
      const std::string target = Internal(Digits(n), seq);
      ExpectNarrowed(*index, cmp, keys, target);
      uint32_t lo, hi;
      index->Narrow(target, &lo, &hi);
      // One key to compare; two past the core (its end and the last key).
      EXPECT_LE(hi - lo, hi == keys.size() ? 2u : 1u) << n;
    }
  }
}

TEST(PrefixIndexTest, UnsortedOrOrderlessInputsGetNoIndex) {
  std::vector<std::string> keys = {"b", "a", "c"};
  std::vector<Slice> slices(keys.begin(), keys.end());
  EXPECT_EQ(nullptr, PrefixIndex::Build(BytewiseComparator(), slices));
  EXPECT_EQ(nullptr, PrefixIndex::Build(BytewiseComparator(), {}));
  EXPECT_EQ(nullptr, PrefixIndex::Build(BytewiseComparator(), {Slice("a")}));
}

TEST(PrefixIndexTest, BlockSeeksTheSameWithAndWithoutThePrefixIndex) {
  const Comparator* cmp = GetInternalKeyComparator();
  BlockBuilder builder(1);
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 500; i++) {
    keys.push_back(Internal(Digits(i * 10), 5));
    builder.Add(keys.back(), "v" + std::to_string(i));
  }
  const std::string bytes = builder.Finish().ToString();
  BlockContents a_contents, b_contents;
  a_contents.data = bytes;
  b_contents.data = bytes;
  Block plain(std::move(a_contents));
  Block indexed(std::move(b_contents));
  indexed.BuildPrefixIndex(cmp);
  std::unique_ptr<Iterator> p(plain.NewIterator(cmp));
  std::unique_ptr<Iterator> q(indexed.NewIterator(cmp));
  for (uint64_t n = 0; n < 5010; n++) {
    for (SequenceNumber seq : {SequenceNumber{1}, SequenceNumber{5}, SequenceNumber{9}}) {
      const std::string target = Internal(Digits(n), seq);
      p->Seek(target);
      q->Seek(target);
      ASSERT_EQ(p->Valid(), q->Valid()) << n;
      if (p->Valid()) ASSERT_EQ(p->key().ToString(), q->key().ToString()) << n;
    }
  }
}

}  // namespace
}  // namespace lsm
