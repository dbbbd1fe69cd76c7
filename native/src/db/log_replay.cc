// WAL and MANIFEST replay (see log_replay.h).
#include "db/log_replay.h"

#include <algorithm>

#include "db/filename.h"
#include "log/log_reader.h"

namespace lsm {

Status ApplyManifestRecord(const std::string& fname, const Slice& record, uint64_t offset,
                           ManifestSummary* sum) {
  VersionEdit edit;
  if (!edit.DecodeFrom(record).ok()) {
    return Status::Corruption(fname, "bad version edit at offset " + std::to_string(offset));
  }
  if (edit.has_format_version_ && edit.format_version_ > kManifestFormatVersion) {
    return Status::NotSupported(fname, "written by a newer lsmkv (MANIFEST format version " +
                                           std::to_string(edit.format_version_) + ")");
  }
  if (edit.has_comparator_ && edit.comparator_ != GetInternalKeyComparator()->Name()) {
    return Status::InvalidArgument(fname, "database uses comparator " + edit.comparator_);
  }
  for (const auto& d : edit.deleted_files_) sum->files.erase(d);
  for (const auto& [level, f] : edit.new_files_) sum->files[{level, f.number}] = f;
  if (edit.has_log_number_) { sum->have_log = true; sum->log_number = edit.log_number_; }
  if (edit.has_next_file_) { sum->have_next = true; sum->next_file = edit.next_file_; }
  if (edit.has_last_sequence_) { sum->have_seq = true; sum->last_sequence = edit.last_sequence_; }
  return Status::OK();
}

Status ReplayWalSegment(Env* env, const std::string& fname, bool is_last,
                        const std::function<Status(const WriteBatch&, uint64_t)>& apply) {
  std::string contents;
  Status s = env->ReadFileToString(fname, &contents);
  if (!s.ok()) return s;
  log::Reader reader(fname, contents);
  Slice record;
  uint64_t offset = 0;
  WriteBatch batch;
  while (reader.ReadRecord(&record, &offset)) {
    if (record.size() < WriteBatch::kHeader) {
      return Status::Corruption(fname, "short write batch at offset " + std::to_string(offset));
    }
    batch.SetContents(record);
    s = apply(batch, offset);
    if (!s.ok()) return s;
  }
  if (!reader.status().ok()) return reader.status();
  const Slice tail(contents.data() + reader.valid_length(), contents.size() - reader.valid_length());
  const bool zero_tail = std::all_of(tail.data(), tail.data() + tail.size(), [](char c) { return c == 0; });
  if (reader.dropped_torn_tail() && !zero_tail && !is_last) {
    // Segments are synced before the next one starts, so only the newest may
    // end in a torn write; anything else means lost data.
    return Status::Corruption(fname, "truncated record at offset " +
                                         std::to_string(reader.valid_length()) +
                                         " in a WAL segment followed by newer segments");
  }
  return Status::OK();
}

Status ListWalSegments(Env* env, const std::string& dbname, uint64_t first,
                       std::vector<uint64_t>* logs, uint64_t* max_number) {
  std::vector<std::string> children;
  Status s = env->GetChildren(dbname, &children);
  if (!s.ok()) return s;
  logs->clear();
  *max_number = 0;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    *max_number = std::max(*max_number, number);
    if (type == FileType::kLogFile && number >= first) logs->push_back(number);
  }
  std::sort(logs->begin(), logs->end());
  return Status::OK();
}

}  // namespace lsm
