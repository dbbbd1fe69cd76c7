// ReadOnlyDB: the engine behind Options::read_only. It opens a database that
// another process (or another open in this process) may be writing at the
// same moment, without taking the LOCK and without creating, writing,
// renaming or deleting anything in the directory: no WAL, no recovery flush,
// no leftover sweep, no background threads.
//
// What it serves: a consistent state as of Open() (and of each Refresh()):
//   - CURRENT -> MANIFEST replay. A torn tail of a MANIFEST the live writer
//     is appending is normal here: replay stops at the last complete record.
//   - every live SSTable, opened (fd / mmap) while loading. An open file stays
//     readable after the writer deletes it (R4 on the writer's side only
//     covers its own readers), so reads never break under a compaction.
//   - the WAL segments the MANIFEST does not cover, replayed into a private
//     read-only memtable, so acknowledged writes that are not flushed yet are
//     visible too (a prefix of the writer's commits: the newest segment may
//     end in a write in progress, which is dropped like a torn tail).
// A file that vanishes between reading the MANIFEST and opening it (the
// writer compacted, flushed or reopened meanwhile), or a record caught half
// written, makes the load start over from CURRENT, a bounded number of
// times.
//
// Refresh() loads the writer's latest state the same way (reusing tables
// that are already open) and swaps it in atomically. Iterators and snapshots
// pin the state they started on, so they keep reading it unchanged.
//
// Writes (Write, WriteAsync, DeleteRange, Flush, CompactRange) return
// ReadOnly. Thread-safety: every method may be called concurrently.
#ifndef LSMKV_NATIVE_SRC_DB_READ_ONLY_DB_H_
#define LSMKV_NATIVE_SRC_DB_READ_ONLY_DB_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "db/dbformat.h"
#include "db/latencies.h"
#include "db/memtable.h"
#include "db/version_set.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "table/table.h"
#include "util/thread_annotations.h"

namespace lsm {

class ReadOnlyDB final : public DB {
 public:
  ReadOnlyDB(const Options& options, std::string dbname);
  ~ReadOnlyDB() override;

  // Loads the state. InvalidArgument if there is no database in dbname.
  Status Open();

  Status Write(const WriteOptions& options, WriteBatch* batch) override;
  void WriteAsync(const WriteOptions& options, WriteBatch&& batch,
                  std::function<void(const Status&)> done) override;
  Status Get(const ReadOptions& options, const Slice& key, std::string* value) override;
  Iterator* NewIterator(const ReadOptions& options, const KeyRange& range) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status DeleteRange(const WriteOptions& options, const KeyRange& range) override;
  uint64_t ApproximateSize(const KeyRange& range) override;
  Status Flush() override;
  Status CompactRange(const KeyRange* range) override;
  Status Close() override;
  void GetStats(DBStats* stats) override;
  Status BackgroundError() override { return Status::OK(); }
  Status Refresh() override;
  void RecordLatency(LatencyKind kind, uint64_t nanos, uint64_t count) override {
    latencies_.Record(kind, nanos, count);
  }
  void GetLatencies(LatencySummary out[kNumLatencyKinds]) override { latencies_.Summarize(out); }

  // Tests: how many loads started over because the writer changed the
  // directory under them.
  uint64_t TEST_Retries() const { return retries_.load(); }

 private:
  // One loaded state: immutable once built, shared by readers.
  struct State {
    std::shared_ptr<MemTable> mem;  // replayed WAL; may be empty
    std::shared_ptr<const Version> version;
    SequenceNumber last_sequence = 0;
  };

  class SnapshotImpl final : public Snapshot {
   public:
    explicit SnapshotImpl(std::shared_ptr<const State> s) : state(std::move(s)) {}
    uint64_t sequence() const override { return state->last_sequence; }
    const std::shared_ptr<const State> state;
  };

  // Loads the newest state, starting over while the writer changes the
  // directory under it. `previous` (may be null) lends its open tables.
  Status Load(const State* previous, std::shared_ptr<const State>* out);
  // One attempt.
  Status LoadOnce(const State* previous, std::shared_ptr<const State>* out);
  Status ReplayManifest(const std::string& fname, const std::string& contents,
                        const State* previous, std::shared_ptr<Version>* version,
                        uint64_t* log_number, SequenceNumber* last_sequence);
  Status ReplayWal(uint64_t number, bool is_last, MemTable* mem, SequenceNumber* max_sequence);
  // The state a read uses: the snapshot's or the current one (null: closed).
  std::shared_ptr<const State> ReadState(const ReadOptions& options) const;

  // Constant after construction.
  const std::string dbname_;
  const Options options_;
  Env* const env_;
  const TableOptions table_options_;

  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> stat_gets_{0};
  Latencies latencies_;  // the embedder's timings (reads, iterator pages)
  std::mutex refresh_mu_;  // one Refresh at a time

  mutable std::mutex mu_;
  std::shared_ptr<const State> state_ GUARDED_BY(mu_);  // null once closed
};

// DB::Open for options.read_only.
Status OpenReadOnlyDB(const Options& options, const std::string& name,
                      std::unique_ptr<DB>* dbptr);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_READ_ONLY_DB_H_
