// Block format: builder/reader round trips, seeking, both directions, restart
// intervals, and damaged blocks that must yield Corruption rather than a
// crash or an out-of-bounds read (run under ASan). Also the bytewise
// comparator's key-shortening hooks, which shape index blocks.
#include "table/block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "table/block_builder.h"
#include "util/coding.h"
#include "util/comparator.h"

namespace lsm {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// The block gets its own exactly-sized heap copy so ASan flags any read past
// its end.
std::unique_ptr<Block> MakeBlock(const std::string& bytes) {
  BlockContents contents;
  contents.heap.reset(new char[bytes.size() == 0 ? 1 : bytes.size()]);
  if (!bytes.empty()) memcpy(contents.heap.get(), bytes.data(), bytes.size());
  contents.data = Slice(contents.heap.get(), bytes.size());
  return std::make_unique<Block>(std::move(contents));
}

Entries MakeEntries(int n) {
  Entries entries;
  char buf[32];
  for (int i = 0; i < n; i++) {
    // Sparse keys (every 2nd number) so there is room to seek between them;
    // shared prefixes of varying length exercise prefix compression.
    snprintf(buf, sizeof(buf), "key%06d", 2 * i);
    std::string value(i % 17, static_cast<char>('a' + i % 26));
    entries.emplace_back(buf, value);
  }
  return entries;
}

std::string Build(const Entries& entries, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.Add(k, v);
  const size_t estimate = builder.CurrentSizeEstimate();
  std::string block = builder.Finish().ToString();
  EXPECT_EQ(estimate, block.size());
  return block;
}

class BlockRoundTripTest : public ::testing::TestWithParam<int> {};

TEST_P(BlockRoundTripTest, IteratesForwardAndBackward) {
  const Entries entries = MakeEntries(500);
  auto block = MakeBlock(Build(entries, GetParam()));
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));

  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_LT(i, entries.size());
    EXPECT_EQ(entries[i].first, it->key().ToString());
    EXPECT_EQ(entries[i].second, it->value().ToString());
  }
  EXPECT_EQ(entries.size(), i);
  EXPECT_TRUE(it->status().ok());

  i = entries.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(i, 0u);
    i--;
    EXPECT_EQ(entries[i].first, it->key().ToString());
    EXPECT_EQ(entries[i].second, it->value().ToString());
  }
  EXPECT_EQ(0u, i);
  EXPECT_TRUE(it->status().ok());
}

TEST_P(BlockRoundTripTest, SeeksToEveryKeyAndBetweenKeys) {
  const Entries entries = MakeEntries(300);
  auto block = MakeBlock(Build(entries, GetParam()));
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));

  for (size_t i = 0; i < entries.size(); i++) {
    it->Seek(entries[i].first);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(entries[i].first, it->key().ToString());
    EXPECT_EQ(entries[i].second, it->value().ToString());

    // Just after key i lands on key i+1 (or the end).
    it->Seek(entries[i].first + std::string(1, '\0'));
    if (i + 1 < entries.size()) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(entries[i + 1].first, it->key().ToString());
    } else {
      EXPECT_FALSE(it->Valid());
    }

    // Prev from a seeked position, across restart boundaries.
    it->Seek(entries[i].first);
    it->Prev();
    if (i > 0) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(entries[i - 1].first, it->key().ToString());
      it->Next();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(entries[i].first, it->key().ToString());
    } else {
      EXPECT_FALSE(it->Valid());
    }
  }

  it->Seek("");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(entries.front().first, it->key().ToString());
  it->Seek("kez");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

// Prev() remembers the restart interval it decoded; a random walk mixing
// Prev, Next and seeks must agree with the entry list at every step.
TEST_P(BlockRoundTripTest, RandomWalkMatchesTheEntries) {
  const Entries entries = MakeEntries(300);
  auto block = MakeBlock(Build(entries, GetParam()));
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  std::mt19937 rng(GetParam());
  int pos = -1;  // index into entries; -1 or entries.size() = not valid
  for (int step = 0; step < 20000; step++) {
    const int n = static_cast<int>(entries.size());
    switch (rng() % 8) {
      case 0:
        pos = static_cast<int>(rng() % n);
        it->Seek(entries[pos].first);
        break;
      case 1:
        it->SeekToLast();
        pos = n - 1;
        break;
      case 2:
        it->SeekToFirst();
        pos = 0;
        break;
      case 3:
      case 4:
        if (pos < 0 || pos >= n) continue;
        it->Next();
        pos++;
        break;
      default:
        if (pos < 0 || pos >= n) continue;
        it->Prev();
        pos--;
    }
    if (pos < 0 || pos >= n) {
      ASSERT_FALSE(it->Valid()) << step;
      continue;
    }
    ASSERT_TRUE(it->Valid()) << step;
    ASSERT_EQ(entries[pos].first, it->key().ToString()) << step;
    ASSERT_EQ(entries[pos].second, it->value().ToString()) << step;
  }
  EXPECT_TRUE(it->status().ok());
}

TEST_P(BlockRoundTripTest, KeysAndValuesOfAnyLengthSurvive) {
  Entries entries;
  for (int i = 0; i < 200; i++) {
    std::string key(i / 3, 'k');  // shares long prefixes with its neighbours
    key.push_back(static_cast<char>(i));
    entries.emplace_back(key, std::string(i * 13, 'v'));
  }
  std::sort(entries.begin(), entries.end());
  auto block = MakeBlock(Build(entries, GetParam()));
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    EXPECT_EQ(entries[i].first, it->key().ToString());
    EXPECT_EQ(entries[i].second, it->value().ToString());
  }
  EXPECT_EQ(entries.size(), i);
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockRoundTripTest,
                         ::testing::Values(1, 2, 16, 1000));

TEST(BlockTest, EmptyBlockHasNoEntries) {
  auto block = MakeBlock(Build({}, 16));
  EXPECT_EQ(8u, block->size());
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(BlockTest, SingleEntryBlock) {
  auto block = MakeBlock(Build({{"only", "one"}}, 16));
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("only", it->key().ToString());
  it->Prev();
  EXPECT_FALSE(it->Valid());
  it->Seek("only");
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST(BlockTest, BuilderResetStartsANewBlock) {
  BlockBuilder builder(4);
  builder.Add("a", "1");
  builder.Finish();
  builder.Reset();
  EXPECT_TRUE(builder.empty());
  builder.Add("b", "2");
  auto block = MakeBlock(builder.Finish().ToString());
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ("b", it->key().ToString());
  it->Next();
  EXPECT_FALSE(it->Valid());
}

void ExpectCorruption(const std::string& bytes) {
  auto block = MakeBlock(bytes);
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().message();
}

TEST(BlockTest, TooShortBlockIsCorruption) {
  ExpectCorruption("");
  ExpectCorruption("abc");
}

TEST(BlockTest, ImpossibleRestartCountIsCorruption) {
  std::string b;
  PutFixed32(&b, 0);  // zero restarts
  ExpectCorruption(b);
  b.clear();
  PutFixed32(&b, 0);
  PutFixed32(&b, 2);  // claims 2 restarts, room for 1
  ExpectCorruption(b);
  b.clear();
  PutFixed32(&b, 0xffffffffu);
  ExpectCorruption(b);
}

TEST(BlockTest, RestartPointOutsideEntriesIsCorruption) {
  std::string b = Build(MakeEntries(40), 16);
  // restarts: [0, x, y], count 3. Point the second one past the entries.
  const size_t second = b.size() - 4 - 3 * 4 + 4;
  EncodeFixed32(&b[second], static_cast<uint32_t>(b.size()));
  ExpectCorruption(b);
}

TEST(BlockTest, EntryOverrunningTheBlockIsCorruption) {
  std::string b;
  PutVarint32(&b, 0);
  PutVarint32(&b, 200);  // key longer than the block
  PutVarint32(&b, 1);
  b.append("abc");
  PutFixed32(&b, 0);
  PutFixed32(&b, 1);
  ExpectCorruption(b);

  auto block = MakeBlock(b);
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(BlockTest, SharedPrefixLongerThanPreviousKeyIsCorruption) {
  std::string b;
  PutVarint32(&b, 5);  // first entry cannot share anything
  PutVarint32(&b, 1);
  PutVarint32(&b, 0);
  b.append("x");
  PutFixed32(&b, 0);
  PutFixed32(&b, 1);
  ExpectCorruption(b);
}

// Runs every operation over a (possibly damaged) block. Must terminate and
// never touch memory outside the block (ASan); results are not checked.
void Exercise(const std::string& bytes, const Entries& entries) {
  auto block = MakeBlock(bytes);
  std::unique_ptr<Iterator> it(block->NewIterator(BytewiseComparator()));
  int steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < 10000; it->Next()) steps++;
  for (it->SeekToLast(); it->Valid() && steps < 20000; it->Prev()) steps++;
  for (size_t i = 0; i < entries.size(); i += 7) {
    it->Seek(entries[i].first);
    if (it->Valid()) {
      (void)it->key();
      (void)it->value();
      it->Prev();
    }
  }
  (void)it->status();
}

TEST(BlockTest, EveryFlippedByteIsSurvived) {
  const Entries entries = MakeEntries(60);
  for (int interval : {1, 16}) {
    const std::string good = Build(entries, interval);
    for (size_t pos = 0; pos < good.size(); pos++) {
      for (uint8_t mask : {0x01, 0x80, 0xff}) {
        std::string bad = good;
        bad[pos] = static_cast<char>(bad[pos] ^ mask);
        Exercise(bad, entries);
      }
    }
  }
}

TEST(BlockTest, EveryTruncationIsSurvived) {
  const Entries entries = MakeEntries(60);
  const std::string good = Build(entries, 16);
  for (size_t len = 0; len < good.size(); len++) {
    Exercise(good.substr(0, len), entries);
  }
}

TEST(BlockTest, RandomGarbageIsSurvived) {
  std::mt19937 rng(301);
  const Entries entries = MakeEntries(10);
  for (int trial = 0; trial < 2000; trial++) {
    std::string bytes(rng() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    if (bytes.size() >= 4 && trial % 2 == 0) {
      // A plausible restart count gets the parser past the first check.
      EncodeFixed32(&bytes[bytes.size() - 4], 1 + rng() % 3);
      if (bytes.size() >= 8 + 4 * 3) {
        EncodeFixed32(&bytes[bytes.size() - 8], 0);
      }
    }
    Exercise(bytes, entries);
  }
}

// Found by test/fuzz/block_fuzz.cc: a block that passed its checksum but holds
// keys shorter than the internal key trailer made the internal key comparator
// read outside them (ASan: heap-buffer-overflow). Such keys now compare
// without leaving their bytes, and stay malformed for ParseInternalKey.
TEST(BlockTest, InternalKeysShorterThanTheTrailerAreReadSafely) {
  BlockBuilder builder(2);
  builder.Add("a", "1");
  builder.Add("abc", "2");
  std::string long_key;
  AppendInternalKey(&long_key, "b", 5, kTypeValue);
  builder.Add(long_key, "3");
  builder.Add("c", "4");
  std::unique_ptr<Block> block = MakeBlock(builder.Finish().ToString());
  const Comparator* icmp = GetInternalKeyComparator();
  std::unique_ptr<Iterator> it(block->NewIterator(icmp));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, 4);
  std::string target;
  AppendInternalKey(&target, "b", 9, kTypeValue);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), long_key);
  for (it->SeekToLast(); it->Valid(); it->Prev()) n--;
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(it->status().ok());

  EXPECT_EQ(ExtractUserKey("abc").size(), 0u);
  ParsedInternalKey parsed;
  EXPECT_FALSE(ParseInternalKey("abc", &parsed));
  EXPECT_LT(icmp->Compare("a", long_key), 0);  // empty user key < "b"
}

TEST(BytewiseComparatorTest, OrdersUnsignedBytes) {
  const Comparator* cmp = BytewiseComparator();
  EXPECT_STREQ("lsm.Bytewise", cmp->Name());
  EXPECT_LT(cmp->Compare("a", "b"), 0);
  EXPECT_LT(cmp->Compare("a", "ab"), 0);
  EXPECT_GT(cmp->Compare("\xff", "\x01"), 0);
  EXPECT_EQ(0, cmp->Compare("", ""));
}

std::string Separator(std::string start, const std::string& limit) {
  BytewiseComparator()->FindShortestSeparator(&start, limit);
  return start;
}

std::string Successor(std::string key) {
  BytewiseComparator()->FindShortSuccessor(&key);
  return key;
}

TEST(BytewiseComparatorTest, ShortestSeparatorLiesBetweenKeys) {
  EXPECT_EQ("abd", Separator("abcdef", "abzz"));
  EXPECT_EQ("b", Separator("a", "c"));
  // Adjacent bytes: nothing shorter fits.
  EXPECT_EQ("abc", Separator("abc", "abd"));
  EXPECT_EQ("a\xff" "x", Separator("a\xff" "x", "b"));
  // A prefix of the limit cannot be shortened.
  EXPECT_EQ("ab", Separator("ab", "abc"));
  EXPECT_EQ("abc", Separator("abc", "abc"));
  // start >= limit is left unchanged.
  EXPECT_EQ("b", Separator("b", "a"));
}

TEST(BytewiseComparatorTest, ShortSuccessorIsAtLeastTheKey) {
  EXPECT_EQ("b", Successor("abc"));
  EXPECT_EQ(std::string("\xff\xff\x01", 3),
            Successor(std::string("\xff\xff\x00zz", 5)));
  EXPECT_EQ("\xff\xff", Successor("\xff\xff"));
  EXPECT_EQ("", Successor(""));
}

}  // namespace
}  // namespace lsm
