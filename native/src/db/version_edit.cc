// VersionEdit encoding (grammar in version_edit.h).
#include "db/version_edit.h"

#include "lsm/db.h"
#include "util/coding.h"

namespace lsm {

namespace {

// DO NOT CHANGE: on disk.
enum Tag : uint32_t {
  kFormatVersion = 1,
  kComparator = 2,
  kLogNumber = 3,
  kNextFile = 4,
  kLastSequence = 5,
  kDeletedFile = 6,
  kNewFile = 7,
};

bool GetLevel(Slice* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(DB::kNumLevels)) return false;
  *level = static_cast<int>(v);
  return true;
}

bool GetInternalKey(Slice* input, std::string* dst) {
  Slice s;
  if (!GetLengthPrefixedSlice(input, &s) || s.size() < kInternalKeyTrailer) return false;
  dst->assign(s.data(), s.size());
  return true;
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (has_format_version_) {
    PutVarint32(dst, kFormatVersion);
    PutVarint32(dst, format_version_);
  }
  if (has_comparator_) {
    PutVarint32(dst, kComparator);
    PutLengthPrefixedSlice(dst, comparator_);
  }
  if (has_log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, log_number_);
  }
  if (has_next_file_) {
    PutVarint32(dst, kNextFile);
    PutVarint64(dst, next_file_);
  }
  if (has_last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixedSlice(dst, f.smallest);
    PutLengthPrefixedSlice(dst, f.largest);
    PutVarint64(dst, f.smallest_seq);
    PutVarint64(dst, f.largest_seq);
    PutVarint64(dst, f.num_entries);
    PutVarint64(dst, f.num_deletions);
  }
}

Status VersionEdit::DecodeFrom(const Slice& src) {
  Clear();
  Slice input = src;
  const char* msg = nullptr;
  uint32_t tag;
  while (msg == nullptr && GetVarint32(&input, &tag)) {
    switch (tag) {
      case kFormatVersion:
        if (GetVarint32(&input, &format_version_)) has_format_version_ = true;
        else msg = "format version";
        break;
      case kComparator: {
        Slice s;
        if (GetLengthPrefixedSlice(&input, &s)) {
          comparator_ = s.ToString();
          has_comparator_ = true;
        } else {
          msg = "comparator name";
        }
        break;
      }
      case kLogNumber:
        if (GetVarint64(&input, &log_number_)) has_log_number_ = true;
        else msg = "log number";
        break;
      case kNextFile:
        if (GetVarint64(&input, &next_file_)) has_next_file_ = true;
        else msg = "next file number";
        break;
      case kLastSequence:
        if (GetVarint64(&input, &last_sequence_)) has_last_sequence_ = true;
        else msg = "last sequence";
        break;
      case kDeletedFile: {
        int level;
        uint64_t number;
        if (GetLevel(&input, &level) && GetVarint64(&input, &number)) {
          deleted_files_.emplace(level, number);
        } else {
          msg = "deleted file";
        }
        break;
      }
      case kNewFile: {
        int level;
        FileMetaData f;
        if (GetLevel(&input, &level) && GetVarint64(&input, &f.number) &&
            GetVarint64(&input, &f.file_size) && GetInternalKey(&input, &f.smallest) &&
            GetInternalKey(&input, &f.largest) && GetVarint64(&input, &f.smallest_seq) &&
            GetVarint64(&input, &f.largest_seq) && GetVarint64(&input, &f.num_entries) &&
            GetVarint64(&input, &f.num_deletions)) {
          new_files_.emplace_back(level, std::move(f));
        } else {
          msg = "new file";
        }
        break;
      }
      default:
        msg = "unknown tag";
        break;
    }
  }
  if (msg == nullptr && !input.empty()) msg = "trailing bytes";
  if (msg != nullptr) return Status::Corruption("version edit", msg);
  return Status::OK();
}

}  // namespace lsm
