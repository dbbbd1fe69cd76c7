// VersionEdit: one record of the MANIFEST, the change from one Version (set of
// live SSTables per level) to the next.
//
//   edit   := field*
//   field  := kFormatVersion varint32
//           | kComparator    varstring
//           | kLogNumber     varint64     (WAL segments below it are obsolete)
//           | kNextFile      varint64
//           | kLastSequence  varint64
//           | kDeletedFile   level:varint32 number:varint64
//           | kNewFile       level:varint32 number:varint64 size:varint64
//                            smallest:varstring largest:varstring (internal keys)
//                            smallest_seq:varint64 largest_seq:varint64
//                            entries:varint64 deletions:varint64
//   each field starts with its tag as a varint32.
//
// DO NOT CHANGE the tag values: they are on disk. An unknown tag is
// Corruption (a newer format must bump kFormatVersion instead).
#ifndef LSMKV_NATIVE_SRC_DB_VERSION_EDIT_H_
#define LSMKV_NATIVE_SRC_DB_VERSION_EDIT_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "db/read_charges.h"
#include "lsm/status.h"

namespace lsm {

class Table;

// The MANIFEST format this build writes and the newest it can read.
constexpr uint32_t kManifestFormatVersion = 1;

struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal keys
  std::string largest;
  SequenceNumber smallest_seq = 0;
  SequenceNumber largest_seq = 0;
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  // Runtime only: the open table, shared by every Version that lists the file.
  std::shared_ptr<Table> table;
  // Runtime only: what reads that looked past this table paid (read_charges.h).
  ReadCharges read_charges;
};

class VersionEdit {
 public:
  void Clear() { *this = VersionEdit(); }

  void SetFormatVersion(uint32_t v) { has_format_version_ = true; format_version_ = v; }
  void SetComparatorName(const std::string& name) { has_comparator_ = true; comparator_ = name; }
  void SetLogNumber(uint64_t n) { has_log_number_ = true; log_number_ = n; }
  void SetNextFile(uint64_t n) { has_next_file_ = true; next_file_ = n; }
  void SetLastSequence(SequenceNumber s) { has_last_sequence_ = true; last_sequence_ = s; }
  void AddFile(int level, const FileMetaData& f) { new_files_.emplace_back(level, f); }
  void RemoveFile(int level, uint64_t number) { deleted_files_.emplace(level, number); }

  void EncodeTo(std::string* dst) const;
  // Corruption (message naming the field) if `src` does not parse.
  Status DecodeFrom(const Slice& src);

  bool has_format_version_ = false;
  bool has_comparator_ = false;
  bool has_log_number_ = false;
  bool has_next_file_ = false;
  bool has_last_sequence_ = false;
  uint32_t format_version_ = 0;
  std::string comparator_;
  uint64_t log_number_ = 0;
  uint64_t next_file_ = 0;
  SequenceNumber last_sequence_ = 0;
  std::set<std::pair<int, uint64_t>> deleted_files_;
  std::vector<std::pair<int, FileMetaData>> new_files_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_VERSION_EDIT_H_
