// Tests for VersionEdit, the MANIFEST record (grammar in db/version_edit.h):
// every field survives a round trip, and damaged input is Corruption, never a
// partially applied edit.
#include <string>

#include <gtest/gtest.h>

#include "db/dbformat.h"
#include "db/version_edit.h"
#include "util/coding.h"

namespace lsm {
namespace {

std::string IKey(const std::string& user_key, SequenceNumber seq, ValueType t = kTypeValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, t);
  return k;
}

FileMetaData MakeFile(uint64_t number, const std::string& lo, const std::string& hi) {
  FileMetaData f;
  f.number = number;
  f.file_size = 4096 * number + 17;
  f.smallest = IKey(lo, number * 10);
  f.largest = IKey(hi, number * 10 + 5, kTypeDeletion);
  f.smallest_seq = number * 10;
  f.largest_seq = number * 10 + 5;
  f.num_entries = number * 100;
  f.num_deletions = number;
  return f;
}

VersionEdit FullEdit() {
  VersionEdit e;
  e.SetFormatVersion(kManifestFormatVersion);
  e.SetComparatorName("lsm.InternalKeyComparator");
  e.SetLogNumber(42);
  e.SetNextFile(uint64_t{1} << 40);
  e.SetLastSequence(kMaxSequenceNumber);
  e.RemoveFile(0, 7);
  e.RemoveFile(3, uint64_t{1} << 33);
  e.AddFile(0, MakeFile(11, "a", "m"));
  e.AddFile(6, MakeFile(12, std::string("\0\xff", 2), "zzz"));
  return e;
}

void ExpectSameFile(const FileMetaData& a, const FileMetaData& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.file_size, b.file_size);
  EXPECT_EQ(a.smallest, b.smallest);
  EXPECT_EQ(a.largest, b.largest);
  EXPECT_EQ(a.smallest_seq, b.smallest_seq);
  EXPECT_EQ(a.largest_seq, b.largest_seq);
  EXPECT_EQ(a.num_entries, b.num_entries);
  EXPECT_EQ(a.num_deletions, b.num_deletions);
}

TEST(VersionEditTest, RoundTripKeepsEveryField) {
  const VersionEdit e = FullEdit();
  std::string encoded;
  e.EncodeTo(&encoded);

  VersionEdit d;
  Status s = d.DecodeFrom(encoded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(d.has_format_version_);
  EXPECT_EQ(kManifestFormatVersion, d.format_version_);
  EXPECT_TRUE(d.has_comparator_);
  EXPECT_EQ("lsm.InternalKeyComparator", d.comparator_);
  EXPECT_TRUE(d.has_log_number_);
  EXPECT_EQ(42u, d.log_number_);
  EXPECT_TRUE(d.has_next_file_);
  EXPECT_EQ(uint64_t{1} << 40, d.next_file_);
  EXPECT_TRUE(d.has_last_sequence_);
  EXPECT_EQ(kMaxSequenceNumber, d.last_sequence_);
  EXPECT_EQ(e.deleted_files_, d.deleted_files_);
  ASSERT_EQ(2u, d.new_files_.size());
  for (size_t i = 0; i < 2; i++) {
    EXPECT_EQ(e.new_files_[i].first, d.new_files_[i].first);
    ExpectSameFile(e.new_files_[i].second, d.new_files_[i].second);
  }

  // Re-encoding the decoded edit gives the same bytes.
  std::string again;
  d.EncodeTo(&again);
  EXPECT_EQ(encoded, again);
}

TEST(VersionEditTest, EmptyEditRoundTripsWithNoFields) {
  VersionEdit e;
  std::string encoded;
  e.EncodeTo(&encoded);
  EXPECT_TRUE(encoded.empty());
  VersionEdit d;
  d.SetLogNumber(5);  // DecodeFrom starts from a clean edit
  ASSERT_TRUE(d.DecodeFrom(encoded).ok());
  EXPECT_FALSE(d.has_format_version_);
  EXPECT_FALSE(d.has_comparator_);
  EXPECT_FALSE(d.has_log_number_);
  EXPECT_FALSE(d.has_next_file_);
  EXPECT_FALSE(d.has_last_sequence_);
  EXPECT_TRUE(d.deleted_files_.empty());
  EXPECT_TRUE(d.new_files_.empty());
}

TEST(VersionEditTest, PartialEditsKeepUnsetFieldsUnset) {
  VersionEdit e;
  e.SetLastSequence(0);  // zero is a value, not "absent"
  e.AddFile(2, MakeFile(3, "b", "c"));
  std::string encoded;
  e.EncodeTo(&encoded);
  VersionEdit d;
  ASSERT_TRUE(d.DecodeFrom(encoded).ok());
  EXPECT_TRUE(d.has_last_sequence_);
  EXPECT_EQ(0u, d.last_sequence_);
  EXPECT_FALSE(d.has_log_number_);
  EXPECT_FALSE(d.has_next_file_);
  ASSERT_EQ(1u, d.new_files_.size());
  EXPECT_EQ(2, d.new_files_[0].first);
}

TEST(VersionEditTest, EveryTruncationIsCorruption) {
  std::string encoded;
  FullEdit().EncodeTo(&encoded);
  // Cutting inside a field is Corruption. Cutting exactly at a field boundary
  // yields a shorter valid edit, which the MANIFEST's record checksum (not
  // the edit) protects against; count those to make sure they are few.
  int boundaries = 0;
  for (size_t n = 0; n < encoded.size(); n++) {
    VersionEdit d;
    Status s = d.DecodeFrom(Slice(encoded.data(), n));
    if (s.ok()) {
      boundaries++;
      continue;
    }
    EXPECT_TRUE(s.IsCorruption()) << n << ": " << s.ToString();
  }
  // 0 bytes + one boundary after each of the 9 fields but the last.
  EXPECT_EQ(9, boundaries);
}

TEST(VersionEditTest, TruncatedNewFileNamesTheField) {
  VersionEdit e;
  e.AddFile(1, MakeFile(9, "a", "b"));
  std::string encoded;
  e.EncodeTo(&encoded);
  VersionEdit d;
  Status s = d.DecodeFrom(Slice(encoded.data(), encoded.size() - 1));
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("new file")) << s.ToString();
}

TEST(VersionEditTest, UnknownTagIsCorruption) {
  std::string encoded;
  FullEdit().EncodeTo(&encoded);
  for (uint32_t tag : {0u, 8u, 99u, 1000000u}) {
    std::string bad = encoded;
    PutVarint32(&bad, tag);
    PutVarint64(&bad, 1);
    VersionEdit d;
    Status s = d.DecodeFrom(bad);
    EXPECT_TRUE(s.IsCorruption()) << tag << ": " << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("unknown tag")) << s.ToString();

    std::string first;
    PutVarint32(&first, tag);
    EXPECT_TRUE(d.DecodeFrom(first + encoded).IsCorruption()) << tag;
  }
}

TEST(VersionEditTest, LevelOutOfRangeIsCorruption) {
  VersionEdit e;
  e.AddFile(1, MakeFile(4, "a", "b"));
  std::string encoded;
  e.EncodeTo(&encoded);
  ASSERT_EQ(1, encoded[1]);  // tag kNewFile (7), then the level varint
  encoded[1] = 7;            // == DB::kNumLevels
  VersionEdit d;
  EXPECT_TRUE(d.DecodeFrom(encoded).IsCorruption());

  std::string del;
  PutVarint32(&del, 6);    // kDeletedFile
  PutVarint32(&del, 100);  // level
  PutVarint64(&del, 1);
  EXPECT_TRUE(d.DecodeFrom(del).IsCorruption());
}

TEST(VersionEditTest, InternalKeyShorterThanTrailerIsCorruption) {
  VersionEdit e;
  FileMetaData f = MakeFile(4, "a", "b");
  f.smallest = "short";  // < 8 bytes: not an internal key
  e.AddFile(0, f);
  std::string encoded;
  e.EncodeTo(&encoded);
  VersionEdit d;
  EXPECT_TRUE(d.DecodeFrom(encoded).IsCorruption());
}

TEST(VersionEditTest, NewerFormatVersionStillDecodes) {
  // Rejecting a newer format is the VersionSet's job (NotSupported, with the
  // file name); the edit itself must carry the number through.
  VersionEdit e;
  e.SetFormatVersion(99);
  std::string encoded;
  e.EncodeTo(&encoded);
  VersionEdit d;
  ASSERT_TRUE(d.DecodeFrom(encoded).ok());
  EXPECT_EQ(99u, d.format_version_);
}

}  // namespace
}  // namespace lsm
