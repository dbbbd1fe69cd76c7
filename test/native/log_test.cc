// Tests for log/ (WAL and MANIFEST framing): round trips, and the torn tail
// versus corruption decision that recovery depends on (DESIGN.md §6, R5).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log/log_format.h"
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "lsm/env.h"
#include "util/coding.h"
#include "util/random.h"

namespace lsm {
namespace log {
namespace {

// A WritableFile that appends to a string, so tests can damage the bytes.
class StringFile final : public WritableFile {
 public:
  Status Append(const Slice& data) override {
    if (fail_appends_) return Status::IOError("injected append failure");
    contents_.append(data.data(), data.size());
    appends_++;
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return contents_.size(); }

  std::string contents_;
  int appends_ = 0;
  bool fail_appends_ = false;
};

const char kFileName[] = "000007.log";

std::string Payload(Random* rnd, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rnd->Next());
  return s;
}

class LogTest : public testing::Test {
 protected:
  void Write(const std::string& payload) {
    offsets_.push_back(file_.contents_.size());
    ASSERT_TRUE(writer_.AddRecord(payload).ok());
    payloads_.push_back(payload);
  }

  // Reads `contents` to the end; returns the payloads read.
  std::vector<std::string> ReadAll(const std::string& contents) {
    reader_ = std::make_unique<Reader>(kFileName, Slice(contents));
    std::vector<std::string> out;
    Slice record;
    uint64_t offset;
    while (reader_->ReadRecord(&record, &offset)) {
      if (out.size() < offsets_.size()) {
        EXPECT_EQ(offsets_[out.size()], offset);
      }
      out.push_back(record.ToString());
    }
    // Stays stopped.
    EXPECT_FALSE(reader_->ReadRecord(&record, &offset));
    return out;
  }

  // Writes three 100-byte records and returns the middle one's offset.
  uint64_t WriteThree() {
    Random rnd(3);
    for (int i = 0; i < 3; i++) Write(Payload(&rnd, 100));
    return offsets_[1];
  }

  std::vector<std::string> Prefix(size_t n) {
    return std::vector<std::string>(payloads_.begin(), payloads_.begin() + n);
  }

  std::string CorruptionMessage(uint64_t offset) {
    return std::string(kFileName) + ": corrupt log record at offset " + std::to_string(offset);
  }

  StringFile file_;
  Writer writer_{&file_};
  std::vector<uint64_t> offsets_;
  std::vector<std::string> payloads_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(LogTest, EmptyFileIsACleanEnd) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_FALSE(reader_->dropped_torn_tail());
  EXPECT_EQ(0u, reader_->valid_length());
}

TEST_F(LogTest, RecordLayoutMatchesDocumentedFormat) {
  Write("abc");
  const std::string& c = file_.contents_;
  ASSERT_EQ(kHeaderSize + 3, c.size());
  EXPECT_EQ(3u, DecodeFixed32(c.data() + 4));
  EXPECT_EQ(kFullType, static_cast<uint8_t>(c[8]));
  EXPECT_EQ("abc", c.substr(9));
  EXPECT_EQ(1, file_.appends_);
}

TEST_F(LogTest, ManySizesRoundTripIncludingEmptyAndOneMebibyte) {
  Random rnd(301);
  const size_t sizes[] = {0, 1, 2, 8, 9, 10, 100, 4095, 4096, 4097, 32768, 100000, 1 << 20};
  for (size_t n : sizes) Write(Payload(&rnd, n));
  for (int i = 0; i < 200; i++) Write(Payload(&rnd, rnd.Skewed(14)));

  EXPECT_EQ(payloads_, ReadAll(file_.contents_));
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_FALSE(reader_->dropped_torn_tail());
  EXPECT_EQ(file_.contents_.size(), reader_->valid_length());
}

TEST_F(LogTest, EncodedRecordsConcatenateIntoOneAppend) {
  std::string group;
  const std::vector<std::string> batches = {"first", "", std::string(5000, 'z'), "last"};
  for (const std::string& b : batches) Writer::EncodeRecord(b, &group);
  ASSERT_TRUE(file_.Append(group).ok());
  EXPECT_EQ(batches, ReadAll(file_.contents_));
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_EQ(group.size(), reader_->valid_length());

  // Same bytes as one AddRecord per batch.
  StringFile other;
  Writer w(&other);
  for (const std::string& b : batches) ASSERT_TRUE(w.AddRecord(b).ok());
  EXPECT_EQ(group, other.contents_);
}

TEST_F(LogTest, AppendErrorIsReturned) {
  file_.fail_appends_ = true;
  Status s = writer_.AddRecord("x");
  EXPECT_TRUE(s.IsIOError());
}

TEST_F(LogTest, TruncatedTrailingRecordIsIgnored) {
  Random rnd(5);
  Write(Payload(&rnd, 50));
  Write(Payload(&rnd, 1000));
  Write(Payload(&rnd, 300));
  const uint64_t last = offsets_[2];
  const std::string full = file_.contents_;
  // Every cut inside the last record, from one byte of header to one byte
  // short of its payload.
  for (size_t cut = last + 1; cut < full.size(); cut++) {
    EXPECT_EQ(Prefix(2), ReadAll(full.substr(0, cut))) << cut;
    EXPECT_TRUE(reader_->status().ok()) << cut;
    EXPECT_TRUE(reader_->dropped_torn_tail()) << cut;
    EXPECT_EQ(last, reader_->valid_length()) << cut;
  }
  // Cut exactly at the record boundary: a clean end, nothing dropped.
  EXPECT_EQ(Prefix(2), ReadAll(full.substr(0, last)));
  EXPECT_FALSE(reader_->dropped_torn_tail());
  EXPECT_EQ(last, reader_->valid_length());
}

TEST_F(LogTest, ZeroedTailIsATornTail) {
  WriteThree();
  const uint64_t end = file_.contents_.size();
  for (size_t zeros : {1, 8, 9, 10, 4096}) {
    std::string c = file_.contents_ + std::string(zeros, '\0');
    EXPECT_EQ(payloads_, ReadAll(c)) << zeros;
    EXPECT_TRUE(reader_->status().ok());
    EXPECT_TRUE(reader_->dropped_torn_tail());
    EXPECT_EQ(end, reader_->valid_length());
  }
}

TEST_F(LogTest, LastRecordOverwrittenWithZerosIsATornTail) {
  // The size was extended but the last record's data never landed.
  WriteThree();
  std::string c = file_.contents_;
  std::fill(c.begin() + offsets_[2], c.end(), '\0');
  EXPECT_EQ(Prefix(2), ReadAll(c));
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_TRUE(reader_->dropped_torn_tail());
  EXPECT_EQ(offsets_[2], reader_->valid_length());
}

TEST_F(LogTest, GarbageTailWithNoValidRecordIsATornTail) {
  WriteThree();
  const uint64_t end = file_.contents_.size();
  Random rnd(99);
  std::string c = file_.contents_ + Payload(&rnd, 10000);
  EXPECT_EQ(payloads_, ReadAll(c));
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_TRUE(reader_->dropped_torn_tail());
  EXPECT_EQ(end, reader_->valid_length());
}

TEST_F(LogTest, DamagedLastRecordIsATornTail) {
  WriteThree();
  std::string c = file_.contents_;
  c[offsets_[2] + kHeaderSize + 10] ^= 0x40;
  EXPECT_EQ(Prefix(2), ReadAll(c));
  EXPECT_TRUE(reader_->status().ok());
  EXPECT_TRUE(reader_->dropped_torn_tail());
  EXPECT_EQ(offsets_[2], reader_->valid_length());
}

TEST_F(LogTest, FlippedPayloadByteInMiddleRecordIsCorruption) {
  const uint64_t middle = WriteThree();
  std::string c = file_.contents_;
  c[middle + kHeaderSize + 50] ^= 0x01;
  EXPECT_EQ(Prefix(1), ReadAll(c));
  EXPECT_TRUE(reader_->status().IsCorruption());
  EXPECT_EQ(CorruptionMessage(middle), reader_->status().message());
  EXPECT_FALSE(reader_->dropped_torn_tail());
  EXPECT_EQ(middle, reader_->valid_length());
}

TEST_F(LogTest, FlippedHeaderBytesInMiddleRecordAreCorruption) {
  const uint64_t middle = WriteThree();
  // Every header byte: checksum, each length byte (shrinking, growing within
  // the file, and growing far past EOF), and the type.
  for (size_t i = 0; i < kHeaderSize; i++) {
    for (uint8_t flip : {0x01, 0x80}) {
      std::string c = file_.contents_;
      c[middle + i] ^= static_cast<char>(flip);
      EXPECT_EQ(Prefix(1), ReadAll(c)) << i;
      EXPECT_TRUE(reader_->status().IsCorruption()) << "header byte " << i;
      EXPECT_EQ(CorruptionMessage(middle), reader_->status().message());
      EXPECT_EQ(middle, reader_->valid_length());
    }
  }
}

TEST_F(LogTest, ZeroedMiddleRecordIsCorruption) {
  const uint64_t middle = WriteThree();
  std::string c = file_.contents_;
  std::fill(c.begin() + middle, c.begin() + offsets_[2], '\0');
  EXPECT_EQ(Prefix(1), ReadAll(c));
  EXPECT_TRUE(reader_->status().IsCorruption());
  EXPECT_EQ(CorruptionMessage(middle), reader_->status().message());
}

TEST_F(LogTest, UnknownRecordTypeIsRejected) {
  // A record with a valid checksum but a type this reader does not know,
  // followed by a good record: corruption, not a silent skip.
  Write("before");
  std::string c = file_.contents_;
  const uint64_t bad = c.size();
  char header[kHeaderSize];
  EncodeFixed32(header + 4, 3);
  header[8] = 2;
  EncodeFixed32(header, 0);  // never checked: the type is rejected first
  c.append(header, kHeaderSize);
  c.append("xyz");
  Writer::EncodeRecord("after", &c);
  EXPECT_EQ(Prefix(1), ReadAll(c));
  EXPECT_TRUE(reader_->status().IsCorruption());
  EXPECT_EQ(CorruptionMessage(bad), reader_->status().message());
}

}  // namespace
}  // namespace log
}  // namespace lsm
