// CompactionJob: runs one picked Compaction to completion.
//
//  1. Merges every input table (one table iterator each, through
//     NewMergingIterator) in internal-key order: user key ascending, newest
//     version first.
//  2. Keeps, for each user key, the newest version in each "stripe" between
//     consecutive live snapshots (and above the newest one): exactly the
//     versions some reader can still see. Everything else is dropped.
//  3. Drops a tombstone only if it lies below every live snapshot (nobody
//     can see what it hides) AND no level deeper than the output holds the
//     key (R7); otherwise it is kept.
//  4. Writes outputs through TableBuilder, cutting a new file at
//     target_file_size but never between two versions of one user key (so
//     files of a level keep disjoint user-key ranges); each output is
//     fdatasync'd and reopened (footer verified).
//  5. fsyncs the directory (R3), then logs ONE VersionEdit (inputs out,
//     outputs in) with VersionSet::LogAndApply, and only after that edit is
//     durable marks the inputs obsolete (R4: their files are deleted when no
//     Version holds them).
// On any failure the outputs are removed and nothing is installed: the
// inputs stay live, so no acknowledged data is lost. A checksum mismatch in
// an input is Corruption naming the file and offset.
//
// Thread-safety: one thread runs a job; it takes no DB lock.
#ifndef LSMKV_NATIVE_SRC_DB_COMPACTION_JOB_H_
#define LSMKV_NATIVE_SRC_DB_COMPACTION_JOB_H_

#include <atomic>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/dbformat.h"
#include "db/version_set.h"
#include "lsm/env.h"
#include "lsm/options.h"
#include "table/table.h"
#include "table/table_builder.h"

namespace lsm {

class CompactionJob {
 public:
  // `snapshots`: sequence numbers of every live snapshot (any order).
  // `shutting_down`: when it becomes true the job stops early with Closed.
  CompactionJob(Compaction* compaction, const std::string& dbname, const Options& options,
                Env* env, const TableOptions& table_options, VersionSet* versions,
                std::vector<SequenceNumber> snapshots, const std::atomic<bool>* shutting_down);

  Status Run();

  // Filled by Run() (input_* also on failure).
  const CompactionInfo& info() const { return info_; }

 private:
  struct Output {
    FileMetaData meta;
    std::unique_ptr<WritableFile> file;
    std::unique_ptr<TableBuilder> builder;
  };

  Status TrivialMove();
  Status OpenOutput();
  Status FinishOutput();
  void RemoveOutputs();

  Compaction* const c_;
  const std::string& dbname_;
  const Options& options_;
  Env* const env_;
  const TableOptions& table_options_;
  VersionSet* const versions_;
  std::vector<SequenceNumber> snapshots_;  // ascending
  const std::atomic<bool>* const shutting_down_;

  std::unique_ptr<Output> current_;
  std::vector<FileMetaData> outputs_;       // finished, synced, open
  std::vector<uint64_t> created_numbers_;   // every output file created
  CompactionInfo info_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_COMPACTION_JOB_H_
