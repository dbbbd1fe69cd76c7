// BuildTable: memtable -> SSTable.
#include "db/flush_job.h"

#include <algorithm>

#include "db/dbformat.h"
#include "db/filename.h"
#include "table/table_builder.h"
#include "util/kill_point.h"

namespace lsm {

Status BuildTable(const std::string& dbname, Env* env, const TableOptions& table_options,
                  bool use_mmap, Iterator* iter, FileMetaData* meta) {
  meta->file_size = 0;
  iter->SeekToFirst();
  if (!iter->Valid()) return iter->status();

  const std::string fname = TableFileName(dbname, meta->number);
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) return s;

  TableBuilder builder(table_options, file.get());
  meta->smallest = iter->key().ToString();
  meta->smallest_seq = kMaxSequenceNumber;
  meta->largest_seq = 0;
  meta->num_entries = 0;
  meta->num_deletions = 0;
  for (; iter->Valid(); iter->Next()) {
    const Slice key = iter->key();
    ParsedInternalKey parsed;
    if (!ParseInternalKey(key, &parsed)) {
      s = Status::Corruption(fname, "bad internal key in memtable");
      break;
    }
    meta->smallest_seq = std::min(meta->smallest_seq, parsed.sequence);
    meta->largest_seq = std::max(meta->largest_seq, parsed.sequence);
    meta->num_entries++;
    if (parsed.type == kTypeDeletion) meta->num_deletions++;
    meta->largest.assign(key.data(), key.size());
    builder.Add(key, iter->value());
    // Mid table: some data blocks built (and, for big tables, written).
    if (meta->num_entries == 64) LSM_KILL_POINT("table.mid_build");
  }
  if (s.ok()) s = iter->status();
  if (s.ok()) {
    TableProperties* props = builder.mutable_properties();
    props->num_deletions = meta->num_deletions;
    props->smallest_seq = meta->smallest_seq;
    props->largest_seq = meta->largest_seq;
    s = builder.Finish();
  } else {
    builder.Abandon();
  }
  if (s.ok()) LSM_KILL_POINT("table.before_sync");
  if (s.ok()) s = file->Sync();
  Status c = file->Close();
  if (s.ok()) s = c;
  if (s.ok()) {
    meta->file_size = builder.FileSize();
    std::unique_ptr<Table> table;
    s = Table::Open(table_options, env, fname, use_mmap, &table);
    if (s.ok()) meta->table = std::move(table);
  }
  if (!s.ok()) {
    meta->file_size = 0;
    meta->table.reset();
    env->RemoveFile(fname).ok();  // best effort; a leftover is removed on next open (R9)
  }
  return s;
}

}  // namespace lsm
