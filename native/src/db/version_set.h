// Version and VersionSet: which SSTables are live, per level, and the
// MANIFEST that records every change durably.
//
// A Version is immutable once built and shared (std::shared_ptr) by every
// reader that pinned it, so a table stays open while anyone may read it (R4).
// The VersionSet owns the current Version, the file-number counter, the last
// sequence number and the MANIFEST writer.
//
// Thread-safety: all methods are thread-safe. LogAndApply calls are
// serialized internally; the MANIFEST write and fsync happen without holding
// the state mutex, so readers calling current() never wait on disk.
#ifndef LSMKV_NATIVE_SRC_DB_VERSION_SET_H_
#define LSMKV_NATIVE_SRC_DB_VERSION_SET_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/version_edit.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/options.h"
#include "table/table.h"
#include "util/thread_annotations.h"

namespace lsm {

namespace log {
class Writer;
}

// The picker weighs a table each time its read charges (read_charges.h)
// pass a multiple of this: the least a compaction of it can cost, itself
// alone.
inline uint64_t ReadChargeStep(const FileMetaData& f) { return CompactionCostNanos(f.file_size); }

class Version {
 public:
  using FilePtr = std::shared_ptr<const FileMetaData>;

  // Level 0 newest first (by largest sequence); other levels by key range.
  std::vector<FilePtr> files[DB::kNumLevels];

  // Looks `key` up in the tables, newest data first. Returns true if some
  // table holds a version of the key visible at key's sequence (then *s is OK
  // with *value, or NotFound for a deletion), false if none does; on a read
  // or checksum failure returns true with *s set to the error. Charges the
  // read to the first table it looked at (read_charges.h); *compaction_due,
  // if given, is set to true when that table's charges passed a multiple of
  // its ReadChargeStep.
  bool Get(const LookupKey& key, std::string* value, Status* s, bool* compaction_due = nullptr) const;

  // Charges a seek to `user_key`: `nanos` for each table holding it after
  // the first (a sampled seek stands for several); true when a table's
  // charges passed a multiple of its ReadChargeStep.
  bool ChargeSeek(const Slice& user_key, uint64_t nanos) const;

  uint64_t NumFiles(int level) const { return files[level].size(); }
  uint64_t NumBytes(int level) const;

  // Puts `files` in the order above (for Versions built outside VersionSet).
  void SortFiles();
};

class VersionSet {
 public:
  VersionSet(std::string dbname, const Options* options, Env* env, TableOptions table_options);
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;
  ~VersionSet();

  // Initial state of a brand-new database (nothing on disk yet).
  void InitNew();
  // Loads the state named by CURRENT and opens every live table (verifying
  // its footer). Corruption names the file and offset.
  Status Recover();

  // Writes a new MANIFEST holding the whole current state with `edit`
  // applied, makes CURRENT point at it (R3), then installs the new Version.
  // Used on open, so nothing is ever appended after a torn MANIFEST tail.
  Status WriteNewManifest(VersionEdit* edit);
  // Appends `edit` to the MANIFEST, fdatasyncs it, then installs the new
  // Version. On failure nothing is installed and the error must be treated
  // as sticky (R2): the MANIFEST may hold a partial record.
  Status LogAndApply(VersionEdit* edit);

  std::shared_ptr<const Version> current() const;

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Makes sure NewFileNumber() never returns `number` or anything below it.
  void MarkFileNumberUsed(uint64_t number);
  uint64_t log_number() const { return log_number_.load(std::memory_order_acquire); }
  uint64_t manifest_number() const { return manifest_number_.load(); }
  SequenceNumber LastSequence() const { return last_sequence_.load(std::memory_order_acquire); }
  void SetLastSequence(SequenceNumber s) { last_sequence_.store(s, std::memory_order_release); }

  // Numbers of every table in the current version.
  void AddLiveFiles(std::vector<uint64_t>* live) const;

  // R4: `numbers` were removed by an edit that is now durable. Each file is
  // deleted when the last Version listing it is released (no reader,
  // iterator or compaction can reach its Table any more). REQUIRES: the
  // caller still holds a Version listing them (so none is released before
  // it is marked).
  void MarkObsolete(const std::vector<uint64_t>& numbers);
  // Obsolete tables deleted so far.
  uint64_t obsolete_tables_deleted() const;

 private:
  // Builds the version that results from applying `edit` to `base`, opening
  // tables that are new. Also updates counters carried by the edit.
  Status Apply(const Version& base, const VersionEdit& edit, std::shared_ptr<Version>* out);
  Status OpenTable(FileMetaData* f);
  // Fills `edit` with a full snapshot of `v` and the counters.
  void SnapshotTo(const Version& v, VersionEdit* edit);
  void StampCounters(VersionEdit* edit);

  // Shared with the deleter of every FileMetaData in a Version, which may
  // outlive the VersionSet.
  struct ObsoleteTables;
  Version::FilePtr MakeFilePtr(const FileMetaData& meta) const;

  const std::string dbname_;
  const Options* const options_;
  Env* const env_;
  const TableOptions table_options_;
  const std::shared_ptr<ObsoleteTables> obsolete_;

  std::atomic<uint64_t> next_file_number_{2};
  std::atomic<uint64_t> log_number_{0};
  std::atomic<uint64_t> manifest_number_{0};
  std::atomic<SequenceNumber> last_sequence_{0};

  // Serializes MANIFEST writers (flush thread, open, close).
  std::mutex write_mu_;
  std::unique_ptr<WritableFile> manifest_file_;
  std::unique_ptr<log::Writer> manifest_log_;
  // The first failed MANIFEST append or sync. R2: never written to again
  // after one (a later fsync could "succeed" over lost pages and make a
  // file with a hole durable). Guarded by write_mu_.
  Status manifest_error_;

  mutable std::mutex mu_;
  std::shared_ptr<const Version> current_ GUARDED_BY(mu_);
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_VERSION_SET_H_
