// CompactionJob: merge, drop invisible versions, write, install.
#include "db/compaction_job.h"

#include <algorithm>

#include "db/filename.h"
#include "table/merger.h"
#include "table/table_builder.h"
#include "util/kill_point.h"

namespace lsm {

CompactionJob::CompactionJob(Compaction* compaction, const std::string& dbname,
                             const Options& options, Env* env, const TableOptions& table_options,
                             VersionSet* versions, std::vector<SequenceNumber> snapshots,
                             const std::atomic<bool>* shutting_down)
    : c_(compaction),
      dbname_(dbname),
      options_(options),
      env_(env),
      table_options_(table_options),
      versions_(versions),
      snapshots_(std::move(snapshots)),
      shutting_down_(shutting_down) {
  std::sort(snapshots_.begin(), snapshots_.end());
  snapshots_.erase(std::unique(snapshots_.begin(), snapshots_.end()), snapshots_.end());
  info_.level = c_->level();
  info_.output_level = c_->output_level();
  info_.manual = c_->manual();
  info_.input_files = c_->NumInputFiles();
  info_.input_bytes = c_->InputBytes();
}

Status CompactionJob::Run() {
  const uint64_t start = env_->NowMicros();
  Status s = c_->IsTrivialMove() ? TrivialMove() : Status::OK();
  if (info_.trivial_move) {
    info_.micros = env_->NowMicros() - start;
    return s;
  }

  std::vector<std::unique_ptr<Iterator>> children;
  for (int which = 0; which < 2; which++) {
    for (const Version::FilePtr& f : c_->inputs(which)) {
      // Read once, then deleted: no reason to keep them resident.
      children.emplace_back(f->table->NewIterator(/*release_behind=*/true));
    }
  }
  std::unique_ptr<Iterator> input(
      NewMergingIterator(GetInternalKeyComparator(), std::move(children)));

  std::string current_user_key;
  bool has_current_user_key = false;
  // Stripe of the last version kept or dropped for current_user_key:
  // snapshots_.size() + 1 means none yet.
  size_t last_stripe = 0;
  uint64_t count = 0;
  for (input->SeekToFirst(); input->Valid(); input->Next()) {
    if ((++count & 1023) == 0 && shutting_down_->load(std::memory_order_relaxed)) {
      s = Status::Closed("compaction aborted: the database is closing");
      break;
    }
    const Slice key = input->key();
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption("compaction input", "bad internal key");
      break;
    }
    info_.input_entries++;
    if (!has_current_user_key || ikey.user_key.compare(current_user_key) != 0) {
      current_user_key.assign(ikey.user_key.data(), ikey.user_key.size());
      has_current_user_key = true;
      last_stripe = snapshots_.size() + 1;
    }
    // Stripe i holds the sequences a reader at snapshots_[i] sees newest
    // first; stripe snapshots_.size() is the latest state.
    const size_t stripe =
        std::lower_bound(snapshots_.begin(), snapshots_.end(), ikey.sequence) - snapshots_.begin();
    bool drop = false;
    if (stripe == last_stripe) {
      drop = true;  // a newer version in the same stripe hides it from everyone
    } else if (ikey.type == kTypeDeletion && stripe == 0 &&
               c_->IsBottommostForKey(ikey.user_key)) {
      // Every reader sees this tombstone, and there is nothing older outside
      // this compaction for it to hide (R7); older versions in the inputs
      // fall in the same stripe and are dropped with it.
      drop = true;
    }
    last_stripe = stripe;
    if (drop) {
      info_.dropped_entries++;
      continue;
    }

    // Cut here only between user keys: a level's files never share one.
    if (current_ && current_->builder->FileSize() >= options_.target_file_size &&
        ExtractUserKey(current_->meta.largest).compare(ikey.user_key) != 0) {
      s = FinishOutput();
      if (!s.ok()) break;
    }
    if (!current_) {
      s = OpenOutput();
      if (!s.ok()) break;
      current_->meta.smallest.assign(key.data(), key.size());
    }
    FileMetaData& m = current_->meta;
    m.largest.assign(key.data(), key.size());
    m.smallest_seq = std::min(m.smallest_seq, ikey.sequence);
    m.largest_seq = std::max(m.largest_seq, ikey.sequence);
    m.num_entries++;
    if (ikey.type == kTypeDeletion) m.num_deletions++;
    Slice stored;
    const bool has_stored = input->StoredValue(&stored);
    current_->builder->Add(key, input->value(), has_stored ? &stored : nullptr);
  }
  if (s.ok()) s = input->status();  // Corruption naming the input file and offset
  if (s.ok() && current_) s = FinishOutput();
  if (s.ok() && !outputs_.empty()) s = env_->SyncDir(dbname_);  // R3
  input.reset();

  if (!s.ok()) {
    RemoveOutputs();
    info_.micros = env_->NowMicros() - start;
    return s;
  }
  VersionEdit edit;
  c_->AddInputDeletions(&edit);
  for (const FileMetaData& m : outputs_) edit.AddFile(c_->output_level(), m);
  LSM_KILL_POINT("compaction.before_edit");
  s = versions_->LogAndApply(&edit);
  if (s.ok()) LSM_KILL_POINT("compaction.after_edit");
  // R4: durable now; the inputs go once no Version (reader) holds them.
  // c_ still holds its input Version, so none is released before this.
  // On failure the outputs stay: the MANIFEST may hold the record after all
  // (a failed fsync proves nothing); if not, they are swept on open (R9).
  if (s.ok()) versions_->MarkObsolete(c_->InputNumbers());
  outputs_.clear();  // the installed Version holds the open tables now
  info_.micros = env_->NowMicros() - start;
  return s;
}

Status CompactionJob::TrivialMove() {
  info_.trivial_move = true;
  const Version::FilePtr& f = c_->inputs(0)[0];
  VersionEdit edit;
  edit.RemoveFile(c_->level(), f->number);
  FileMetaData meta = *f;
  meta.table.reset();  // Apply keeps the open FileMetaData of a moved file
  edit.AddFile(c_->output_level(), meta);
  return versions_->LogAndApply(&edit);
}

Status CompactionJob::OpenOutput() {
  auto out = std::make_unique<Output>();
  out->meta.number = versions_->NewFileNumber();
  out->meta.smallest_seq = kMaxSequenceNumber;
  out->meta.largest_seq = 0;
  created_numbers_.push_back(out->meta.number);
  Status s = env_->NewWritableFile(TableFileName(dbname_, out->meta.number), &out->file);
  if (!s.ok()) return s;
  out->builder = std::make_unique<TableBuilder>(table_options_, out->file.get());
  current_ = std::move(out);
  return Status::OK();
}

Status CompactionJob::FinishOutput() {
  std::unique_ptr<Output> out = std::move(current_);
  FileMetaData& m = out->meta;
  TableProperties* props = out->builder->mutable_properties();
  props->num_deletions = m.num_deletions;
  props->smallest_seq = m.smallest_seq;
  props->largest_seq = m.largest_seq;
  Status s = out->builder->Finish();
  if (s.ok()) LSM_KILL_POINT("compaction.table_before_sync");
  if (s.ok()) s = out->file->Sync();
  Status c = out->file->Close();
  if (s.ok()) s = c;
  if (!s.ok()) return s;
  m.file_size = out->builder->FileSize();
  const std::string fname = TableFileName(dbname_, m.number);
  std::unique_ptr<Table> table;
  s = Table::Open(table_options_, env_, fname, options_.use_mmap, &table);
  if (!s.ok()) return s;
  m.table = std::move(table);
  info_.output_files++;
  info_.output_bytes += m.file_size;
  outputs_.push_back(std::move(m));
  return Status::OK();
}

void CompactionJob::RemoveOutputs() {
  if (current_) {
    current_->builder->Abandon();
    current_->file->Close().ok();
    current_.reset();
  }
  outputs_.clear();  // close the tables before their files go
  for (uint64_t number : created_numbers_) {
    env_->RemoveFile(TableFileName(dbname_, number)).ok();  // else swept on open (R9)
  }
  info_.output_files = 0;
  info_.output_bytes = 0;
}

}  // namespace lsm
