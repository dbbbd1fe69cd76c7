// Tests for WriteBatch: the record format shared by the JS encoder, the
// engine and the WAL (grammar in lsm/write_batch.h), and Validate(), the gate
// every batch from JS passes.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "db/dbformat.h"
#include "lsm/write_batch.h"
#include "util/coding.h"

namespace lsm {
namespace {

constexpr size_t kMaxKey = 64;
constexpr size_t kMaxValue = 1024;

// Records what Iterate() reports as "P(key,value)" / "D(key)".
class Recorder final : public WriteBatch::Handler {
 public:
  void Put(const Slice& key, const Slice& value) override {
    ops.push_back("P(" + key.ToString() + "," + value.ToString() + ")");
  }
  void Delete(const Slice& key) override { ops.push_back("D(" + key.ToString() + ")"); }
  std::vector<std::string> ops;
};

std::vector<std::string> Contents(const WriteBatch& b) {
  Recorder r;
  Status s = b.Iterate(&r);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return r.ops;
}

// A batch built by hand from the grammar, independent of WriteBatch::Put.
std::string Encode(uint64_t seq, uint32_t count, const std::string& records) {
  std::string rep;
  PutFixed64(&rep, seq);
  PutFixed32(&rep, count);
  return rep + records;
}

std::string PutRecord(const std::string& k, const std::string& v) {
  std::string r(1, static_cast<char>(kTypeValue));
  PutLengthPrefixedSlice(&r, k);
  PutLengthPrefixedSlice(&r, v);
  return r;
}

std::string DeleteRecord(const std::string& k) {
  std::string r(1, static_cast<char>(kTypeDeletion));
  PutLengthPrefixedSlice(&r, k);
  return r;
}

TEST(WriteBatchTest, EmptyBatchHasHeaderOnlyAndNoRecords) {
  WriteBatch b;
  EXPECT_EQ(0u, b.Count());
  EXPECT_EQ(WriteBatch::kHeader, b.ApproximateSize());
  EXPECT_TRUE(Contents(b).empty());
  EXPECT_TRUE(WriteBatch::Validate(b.rep(), kMaxKey, kMaxValue).ok());
}

TEST(WriteBatchTest, PutDeleteRoundTripInOrder) {
  WriteBatch b;
  b.Put("foo", "bar");
  b.Delete("box");
  b.Put("baz", "");
  b.Put("foo", "again");
  EXPECT_EQ(4u, b.Count());
  const std::vector<std::string> want = {"P(foo,bar)", "D(box)", "P(baz,)", "P(foo,again)"};
  EXPECT_EQ(want, Contents(b));
  EXPECT_TRUE(WriteBatch::Validate(b.rep(), kMaxKey, kMaxValue).ok());
}

TEST(WriteBatchTest, EncodingMatchesTheDocumentedGrammar) {
  WriteBatch b;
  b.Put("k1", "v1");
  b.Delete("k2");
  b.SetSequence(77);
  EXPECT_EQ(Encode(77, 2, PutRecord("k1", "v1") + DeleteRecord("k2")), b.rep());
}

TEST(WriteBatchTest, SetContentsParsesForeignBytes) {
  WriteBatch b;
  b.SetContents(Encode(5, 2, DeleteRecord("a") + PutRecord("b", "c")));
  EXPECT_EQ(2u, b.Count());
  EXPECT_EQ(5u, b.Sequence());
  const std::vector<std::string> want = {"D(a)", "P(b,c)"};
  EXPECT_EQ(want, Contents(b));
}

TEST(WriteBatchTest, BinaryKeysAndValuesSurvive) {
  const std::string key("\0\xff\x01k", 4);
  const std::string value("\0\0v\xfe", 4);
  WriteBatch b;
  b.Put(key, value);
  Recorder r;
  ASSERT_TRUE(b.Iterate(&r).ok());
  ASSERT_EQ(1u, r.ops.size());
  EXPECT_EQ("P(" + key + "," + value + ")", r.ops[0]);
}

TEST(WriteBatchTest, ClearResetsCountAndRecords) {
  WriteBatch b;
  b.Put("a", "1");
  b.SetSequence(9);
  b.Clear();
  EXPECT_EQ(0u, b.Count());
  EXPECT_EQ(0u, b.Sequence());
  EXPECT_EQ(WriteBatch::kHeader, b.ApproximateSize());
  b.Put("b", "2");
  const std::vector<std::string> want = {"P(b,2)"};
  EXPECT_EQ(want, Contents(b));
}

TEST(WriteBatchTest, SequenceSetAndGet) {
  WriteBatch b;
  EXPECT_EQ(0u, b.Sequence());
  b.SetSequence(1);
  EXPECT_EQ(1u, b.Sequence());
  b.Put("a", "b");  // records do not disturb the header
  b.SetSequence(kMaxSequenceNumber);
  EXPECT_EQ(kMaxSequenceNumber, b.Sequence());
  EXPECT_EQ(1u, b.Count());
  b.SetSequence(uint64_t{1} << 40);
  EXPECT_EQ(uint64_t{1} << 40, b.Sequence());
}

TEST(WriteBatchTest, LargeBatchKeepsCount) {
  WriteBatch b;
  for (int i = 0; i < 10000; i++) {
    if (i % 3 == 0) b.Delete("k" + std::to_string(i));
    else b.Put("k" + std::to_string(i), std::string(i % 50, 'x'));
  }
  EXPECT_EQ(10000u, b.Count());
  EXPECT_EQ(10000u, Contents(b).size());
  EXPECT_TRUE(WriteBatch::Validate(b.rep(), kMaxKey, kMaxValue).ok());
}

TEST(WriteBatchTest, ValidateAcceptsEmptyKeys) {
  // The engine stores empty keys (abstract-level's contract needs them);
  // lsmkv's own JS API rejects them before they reach the engine.
  WriteBatch b;
  b.Put("ok", "v");
  b.Put("", "v");
  EXPECT_TRUE(WriteBatch::Validate(b.rep(), kMaxKey, kMaxValue).ok());

  WriteBatch d;
  d.Delete("");
  EXPECT_TRUE(WriteBatch::Validate(d.rep(), kMaxKey, kMaxValue).ok());
}

TEST(WriteBatchTest, ValidateEnforcesKeySizeLimitInclusive) {
  WriteBatch at;
  at.Put(std::string(kMaxKey, 'k'), "v");
  EXPECT_TRUE(WriteBatch::Validate(at.rep(), kMaxKey, kMaxValue).ok());

  WriteBatch over;
  over.Put(std::string(kMaxKey + 1, 'k'), "v");
  Status s = WriteBatch::Validate(over.rep(), kMaxKey, kMaxValue);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("maxKeySize")) << s.ToString();

  WriteBatch del;
  del.Delete(std::string(kMaxKey + 1, 'k'));
  EXPECT_TRUE(WriteBatch::Validate(del.rep(), kMaxKey, kMaxValue).IsInvalidArgument());
}

TEST(WriteBatchTest, ValidateEnforcesValueSizeLimitInclusive) {
  WriteBatch at;
  at.Put("k", std::string(kMaxValue, 'v'));
  EXPECT_TRUE(WriteBatch::Validate(at.rep(), kMaxKey, kMaxValue).ok());

  WriteBatch over;
  over.Put("k", std::string(kMaxValue + 1, 'v'));
  Status s = WriteBatch::Validate(over.rep(), kMaxKey, kMaxValue);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("maxValueSize")) << s.ToString();
}

TEST(WriteBatchTest, ValidateRejectsWrongCount) {
  const std::string records = PutRecord("a", "1") + DeleteRecord("b");
  EXPECT_TRUE(WriteBatch::Validate(Encode(0, 2, records), kMaxKey, kMaxValue).ok());
  for (uint32_t count : {0u, 1u, 3u, 0xffffffffu}) {
    Status s = WriteBatch::Validate(Encode(0, count, records), kMaxKey, kMaxValue);
    EXPECT_TRUE(s.IsInvalidArgument()) << count << ": " << s.ToString();
  }
  // Iterate reports the same problem as Corruption (it reads trusted WAL bytes).
  WriteBatch b;
  b.SetContents(Encode(0, 3, records));
  Recorder r;
  EXPECT_TRUE(b.Iterate(&r).IsCorruption());
}

TEST(WriteBatchTest, ValidateRejectsMalformedBytes) {
  const std::string good = PutRecord("key", "value");
  std::vector<std::pair<std::string, std::string>> cases = {
      {"shorter than the header", std::string(WriteBatch::kHeader - 1, '\0')},
      {"empty input", ""},
      {"unknown record type", Encode(0, 1, std::string(1, '\x07') + good.substr(1))},
      {"key length past end", Encode(0, 1, good.substr(0, 3))},
      {"value length past end", Encode(0, 1, good.substr(0, good.size() - 1))},
      {"tag with nothing after it", Encode(0, 1, std::string(1, static_cast<char>(kTypeValue)))},
      {"truncated varint", Encode(0, 1, std::string(1, static_cast<char>(kTypeDeletion)) + "\x80")},
      {"trailing garbage record", Encode(0, 1, good + "\x01")},
  };
  for (const auto& [what, bytes] : cases) {
    Status s = WriteBatch::Validate(bytes, kMaxKey, kMaxValue);
    EXPECT_TRUE(s.IsInvalidArgument()) << what << ": " << s.ToString();
    WriteBatch b;
    b.SetContents(bytes);
    Recorder r;
    if (bytes.size() >= WriteBatch::kHeader) {
      EXPECT_TRUE(b.Iterate(&r).IsCorruption()) << what;
    }
  }
}

TEST(WriteBatchTest, ValidateRejectsEveryTruncationOfAValidBatch) {
  WriteBatch b;
  b.Put("alpha", "one");
  b.Delete("beta");
  b.Put("gamma", std::string(200, 'g'));
  const std::string rep = b.rep();
  for (size_t n = 0; n < rep.size(); n++) {
    Status s = WriteBatch::Validate(Slice(rep.data(), n), kMaxKey, kMaxValue);
    EXPECT_FALSE(s.ok()) << "prefix of " << n << " bytes accepted";
  }
  EXPECT_TRUE(WriteBatch::Validate(rep, kMaxKey, kMaxValue).ok());
}

}  // namespace
}  // namespace lsm
