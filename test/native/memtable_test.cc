// Tests for MemTable: point lookups at a sequence number (the newest visible
// version wins, deletions hide older values, newer versions are invisible)
// and iteration in internal-key order.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "db/dbformat.h"
#include "db/memtable.h"
#include "util/random.h"

namespace lsm {
namespace {

class MemTableTest : public testing::Test {
 protected:
  MemTableTest() : mem_(std::make_unique<MemTable>(GetInternalKeyComparator(), 7)) {}

  // "value", "<deleted>" or "<absent>" for the newest version of `key` at `seq`.
  std::string Get(const std::string& key, SequenceNumber seq) {
    LookupKey lkey(key, seq);
    std::string value = "garbage";
    Status s;
    if (!mem_->Get(lkey, &value, &s)) return "<absent>";
    if (s.IsNotFound()) return "<deleted>";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }

  std::unique_ptr<MemTable> mem_;
};

TEST_F(MemTableTest, EmptyTableHoldsNothing) {
  EXPECT_EQ("<absent>", Get("a", kMaxSequenceNumber));
  EXPECT_EQ(0u, mem_->num_entries());
  EXPECT_EQ(7u, mem_->log_number());
  std::unique_ptr<Iterator> it(mem_->NewIterator());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

TEST_F(MemTableTest, NewestVisibleVersionWins) {
  mem_->Add(10, kTypeValue, "k", "v10");
  mem_->Add(20, kTypeValue, "k", "v20");
  mem_->Add(30, kTypeValue, "k", "v30");
  EXPECT_EQ("<absent>", Get("k", 9));
  EXPECT_EQ("v10", Get("k", 10));
  EXPECT_EQ("v10", Get("k", 19));
  EXPECT_EQ("v20", Get("k", 20));
  EXPECT_EQ("v20", Get("k", 29));
  EXPECT_EQ("v30", Get("k", 30));
  EXPECT_EQ("v30", Get("k", kMaxSequenceNumber));
  EXPECT_EQ(3u, mem_->num_entries());
}

TEST_F(MemTableTest, InsertionOrderDoesNotMatterOnlySequence) {
  mem_->Add(30, kTypeValue, "k", "v30");
  mem_->Add(10, kTypeValue, "k", "v10");
  mem_->Add(20, kTypeValue, "k", "v20");
  EXPECT_EQ("v10", Get("k", 15));
  EXPECT_EQ("v20", Get("k", 25));
  EXPECT_EQ("v30", Get("k", 35));
}

TEST_F(MemTableTest, DeletionReturnsNotFoundAndHidesOlderValues) {
  mem_->Add(1, kTypeValue, "k", "old");
  mem_->Add(2, kTypeDeletion, "k", "");
  mem_->Add(3, kTypeValue, "k", "new");
  EXPECT_EQ("old", Get("k", 1));
  EXPECT_EQ("<deleted>", Get("k", 2));
  EXPECT_EQ("new", Get("k", 3));
  EXPECT_EQ(1u, mem_->num_deletions());
}

TEST_F(MemTableTest, VersionsAboveTheLookupSequenceAreInvisible) {
  mem_->Add(100, kTypeValue, "k", "future");
  mem_->Add(101, kTypeDeletion, "other", "");
  EXPECT_EQ("<absent>", Get("k", 99));
  EXPECT_EQ("<absent>", Get("other", 100));
  EXPECT_EQ("<deleted>", Get("other", 101));
}

TEST_F(MemTableTest, KeysDoNotLeakIntoNeighbours) {
  mem_->Add(5, kTypeValue, "ab", "ab");
  mem_->Add(6, kTypeValue, "abc", "abc");
  mem_->Add(7, kTypeValue, "b", "b");
  EXPECT_EQ("<absent>", Get("a", kMaxSequenceNumber));
  EXPECT_EQ("ab", Get("ab", kMaxSequenceNumber));
  EXPECT_EQ("<absent>", Get("abb", kMaxSequenceNumber));
  EXPECT_EQ("abc", Get("abc", kMaxSequenceNumber));
  EXPECT_EQ("<absent>", Get("abcd", kMaxSequenceNumber));
  EXPECT_EQ("<absent>", Get("c", kMaxSequenceNumber));
  // A version of "ab" that is too new must not make the lookup fall through
  // to "abc".
  EXPECT_EQ("<absent>", Get("ab", 4));
}

TEST_F(MemTableTest, EmptyAndBinaryValues) {
  const std::string key("\0k\xff", 3);
  const std::string value("\0\x01\x02", 3);
  mem_->Add(1, kTypeValue, key, value);
  mem_->Add(2, kTypeValue, "e", "");
  EXPECT_EQ(value, Get(key, 1));
  EXPECT_EQ("", Get("e", 2));
}

TEST_F(MemTableTest, MemoryUsageCoversWhatWasAdded) {
  // A small write buffer gets small arena blocks, so usage tracks the data
  // closely enough for the DB's "memtable full" check.
  MemTable small(GetInternalKeyComparator(), 1, 64 << 10);
  for (int i = 0; i < 1000; i++) {
    small.Add(i + 1, kTypeValue, "key" + std::to_string(i), std::string(100, 'v'));
  }
  EXPECT_GE(small.ApproximateMemoryUsage(), 1000u * 100);
  EXPECT_LT(small.ApproximateMemoryUsage(), 1000u * 100 * 2);
  EXPECT_EQ(1000u, small.num_entries());
}

TEST_F(MemTableTest, IteratorOrdersByUserKeyThenNewestFirst) {
  mem_->Add(1, kTypeValue, "b", "b1");
  mem_->Add(5, kTypeDeletion, "a", "");
  mem_->Add(2, kTypeValue, "a", "a2");
  mem_->Add(9, kTypeValue, "b", "b9");
  mem_->Add(3, kTypeValue, "c", "c3");
  mem_->Add(4, kTypeValue, std::string("a\0", 2), "a0");

  std::vector<std::string> got;
  std::unique_ptr<Iterator> it(mem_->NewIterator());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey p;
    ASSERT_TRUE(ParseInternalKey(it->key(), &p));
    std::string user = p.user_key.ToString();
    if (user == std::string("a\0", 2)) user = "a\\0";
    got.push_back(user + "@" + std::to_string(p.sequence) + (p.type == kTypeDeletion ? "D" : "") +
                  "=" + it->value().ToString());
  }
  EXPECT_TRUE(it->status().ok());
  const std::vector<std::string> want = {"a@5D=", "a@2=a2", "a\\0@4=a0", "b@9=b9", "b@1=b1",
                                         "c@3=c3"};
  EXPECT_EQ(want, got);

  // Backwards too.
  std::vector<std::string> back;
  for (it->SeekToLast(); it->Valid(); it->Prev()) back.push_back(it->value().ToString());
  const std::vector<std::string> want_back = {"c3", "b1", "b9", "a0", "a2", ""};
  EXPECT_EQ(want_back, back);
}

TEST_F(MemTableTest, IteratorSeekLandsOnNewestVisibleVersion) {
  mem_->Add(10, kTypeValue, "k", "v10");
  mem_->Add(20, kTypeValue, "k", "v20");
  mem_->Add(5, kTypeValue, "m", "m5");
  std::unique_ptr<Iterator> it(mem_->NewIterator());

  std::string target;
  AppendInternalKey(&target, "k", 15, kValueTypeForSeek);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("v10", it->value().ToString());

  target.clear();
  AppendInternalKey(&target, "k", kMaxSequenceNumber, kValueTypeForSeek);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("v20", it->value().ToString());

  target.clear();
  AppendInternalKey(&target, "l", kMaxSequenceNumber, kValueTypeForSeek);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("m5", it->value().ToString());

  target.clear();
  AppendInternalKey(&target, "z", kMaxSequenceNumber, kValueTypeForSeek);
  it->Seek(target);
  EXPECT_FALSE(it->Valid());
}

TEST_F(MemTableTest, RandomizedAgainstAModel) {
  // Model: for each key, every (seq, value-or-deleted) ever added.
  Random rnd(301);
  std::vector<std::vector<std::pair<SequenceNumber, std::string>>> model(50);
  const std::string kDeleted = "\x01<deleted>";
  for (SequenceNumber seq = 1; seq <= 3000; seq++) {
    const uint32_t k = rnd.Uniform(50);
    const std::string key = "key" + std::to_string(k);
    if (rnd.OneIn(4)) {
      mem_->Add(seq, kTypeDeletion, key, "");
      model[k].emplace_back(seq, kDeleted);
    } else {
      const std::string value = "v" + std::to_string(seq);
      mem_->Add(seq, kTypeValue, key, value);
      model[k].emplace_back(seq, value);
    }
  }
  for (int probe = 0; probe < 2000; probe++) {
    const uint32_t k = rnd.Uniform(50);
    const SequenceNumber at = rnd.Uniform(3100);
    std::string want = "<absent>";
    for (const auto& [seq, v] : model[k]) {
      if (seq <= at) want = v == kDeleted ? "<deleted>" : v;
    }
    ASSERT_EQ(want, Get("key" + std::to_string(k), at)) << "key" << k << " @" << at;
  }
}

TEST_F(MemTableTest, KeysNeverAddedAreAbsentAndAddedOnesFoundPastTheFilterBudget) {
  // 4 KiB intended size: a 128-byte filter, saturated long before 20k keys,
  // so this checks the filter never hides a key (no false negatives) and that
  // absent keys still fall through to the skiplist's answer.
  mem_ = std::make_unique<MemTable>(GetInternalKeyComparator(), 7, 4096);
  for (int i = 0; i < 20000; i++) mem_->Add(i + 1, kTypeValue, "k" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < 20000; i++) ASSERT_EQ("v" + std::to_string(i), Get("k" + std::to_string(i), 30000));
  for (int i = 0; i < 2000; i++) ASSERT_EQ("<absent>", Get("x" + std::to_string(i), 30000));
  // A full-size memtable's filter rejects absent keys without the skiplist.
  mem_ = std::make_unique<MemTable>(GetInternalKeyComparator(), 7, 16u << 20);
  for (int i = 0; i < 20000; i++) mem_->Add(i + 1, kTypeValue, "k" + std::to_string(i), "v");
  for (int i = 0; i < 20000; i++) ASSERT_EQ("v", Get("k" + std::to_string(i), 30000));
  for (int i = 0; i < 2000; i++) ASSERT_EQ("<absent>", Get("x" + std::to_string(i), 30000));
}

}  // namespace
}  // namespace lsm
