// DBImpl: the engine behind lsm::DB. It owns
//  - the write queue and the commit thread (group commit, DESIGN §4): the
//    commit thread takes every queued batch up to a byte cap, assigns
//    sequence numbers, appends one framed record per batch to the current WAL
//    segment with ONE pwrite, fdatasyncs once if any member asked for sync,
//    inserts into the memtable, publishes the sequence number, then
//    acknowledges every member (R1); a non-sync batch that finds the queue
//    empty and room in the memtable is committed the same way on its
//    caller's thread instead (TryWriteInline), without two thread wake-ups;
//  - memtable rotation (a new WAL segment per memtable) and the bounded queue
//    of immutable memtables; writers stall when it is full, nothing is dropped;
//  - the flush thread, which turns the oldest immutable memtable into an L0
//    SSTable, records it durably in the MANIFEST, and only then deletes the
//    WAL segment it replaces (DESIGN §4.6; there is no WAL rewrite anywhere);
//  - recovery (R6, R9) and close (R8).
//
// Readers pin a SuperVersion (memtables + Version) under mu_ and read without
// any lock.
#ifndef LSMKV_NATIVE_SRC_DB_DB_IMPL_H_
#define LSMKV_NATIVE_SRC_DB_DB_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/dbformat.h"
#include "db/latencies.h"
#include "db/memtable.h"
#include "db/version_set.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "table/table.h"
#include "util/helper_thread.h"
#include "util/histogram.h"
#include "util/shared_ptr_cache.h"
#include "util/thread.h"
#include "util/thread_annotations.h"

namespace lsm {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string dbname);
  ~DBImpl() override;

  // Recovers the on-disk state and starts the background threads.
  Status Open();

  Status Write(const WriteOptions& options, WriteBatch* batch) override;
  void WriteAsync(const WriteOptions& options, WriteBatch&& batch,
                  std::function<void(const Status&)> done) override;
  bool TryWriteInline(const WriteOptions& options, WriteBatch* batch, Status* status) override;
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
  Status BackgroundError() override;
  Status Checkpoint(const std::string& dir) override;  // db/checkpoint.cc
  void RecordLatency(LatencyKind kind, uint64_t nanos, uint64_t count) override {
    latencies_.Record(kind, nanos, count);
  }
  void GetLatencies(LatencySummary out[kNumLatencyKinds]) override { latencies_.Summarize(out); }

 private:
  struct Writer {
    WriteBatch batch;
    bool sync = false;
    bool flush_request = false;
    // For flush requests: the log number that must become obsolete (flushed)
    // before the flush is complete; 0 if nothing needed flushing.
    uint64_t flush_target = 0;
    std::function<void(const Status&)> done;
  };

  class SnapshotImpl final : public Snapshot {
   public:
    explicit SnapshotImpl(SequenceNumber s) : seq(s) {}
    uint64_t sequence() const override { return seq; }
    const SequenceNumber seq;
    std::multiset<SequenceNumber>::iterator pos;
  };

  struct SuperVersion {
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imm;  // newest first
    std::shared_ptr<const Version> version;
  };

  Status Recover();
  Status ReplayLog(uint64_t log_number, bool is_last, std::shared_ptr<MemTable>* mem,
                   SequenceNumber* max_sequence, VersionEdit* edit, std::vector<FlushInfo>* flushed);
  // Writes mem as an L0 table into edit; a table written is appended to
  // flushed, for ReportFlushes once the edit is installed.
  Status WriteLevel0Table(MemTable* mem, VersionEdit* edit, std::vector<FlushInfo>* flushed);
  void ReportFlushes(const std::vector<FlushInfo>& flushed);
  void DeleteObsoleteFilesOnOpen();

  void CommitLoop();
  // Writes batches[0..n) to the WAL (one pwrite; fdatasync if `sync`), then
  // the memtable (on `inserter` during the sync, if given and the group is
  // big), then publishes them; *entries = their entry count. The caller owns
  // the WAL: the commit thread while the group is in writers_, or an inline
  // writer while inline_writer_active_. Unlocks mu_ for the I/O. A failure
  // becomes the background error.
  Status CommitGroup(std::unique_lock<std::mutex>& l, WriteBatch* const* batches, size_t n,
                     bool sync, HelperThread* inserter, uint64_t* entries) REQUIRES(mu_);
  // MakeRoomForWrite's fast path: a write may go ahead now, without a
  // delay, a wait or a memtable switch.
  bool HasRoomForWrite() REQUIRES(mu_);
  void FlushLoop();
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& l) REQUIRES(mu_);
  Status SwitchMemtable(std::unique_lock<std::mutex>& l) REQUIRES(mu_);
  void HandleFlushRequest(std::unique_lock<std::mutex>& l, Writer* w) REQUIRES(mu_);
  // Writes the oldest immutable memtable as an L0 table and installs it.
  // Unlocks mu_ for the I/O, and again to free the flushed memtable.
  Status FlushOldestImmutable(std::unique_lock<std::mutex>& l) REQUIRES(mu_);
  // Waits until every memtable with log number <= target is flushed.
  Status WaitForFlush(std::unique_lock<std::mutex>& l, uint64_t target) REQUIRES(mu_);
  Status EnqueueFlushAndWait();

  // Compaction threads: pick by score, run, repeat (compaction.h).
  void CompactionLoop();
  // Marks c's files busy, runs it without mu_, installs the result, reports
  // it. An error other than Closed becomes the background error.
  Status RunCompaction(std::unique_lock<std::mutex>& l, std::unique_ptr<Compaction> c,
                       CompactionInfo* info) REQUIRES(mu_);
  // One manual compaction of the files of `level` in `range` into
  // output_level, waiting for busy files. *done = false if there was none.
  Status ManualCompaction(int level, int output_level, const KeyRange& range, bool* done,
                          CompactionInfo* info) EXCLUDES(mu_);
  // Ends an L0 slowdown episode once L0 is below the trigger again.
  void MaybeEndL0Slowdown() REQUIRES(mu_);
  // Read charges (read_charges.h). A table's charges passed a step: wake
  // the compaction thread to weigh them.
  void ReadCompactionDue() EXCLUDES(mu_);
  // A read looked past `mem`: charge it, and flush it early once the charges
  // since its last write pay for the flush.
  void ChargeMemtable(const MemTable& mem, uint64_t nanos) EXCLUDES(mu_);
  void MaybeReadFlush(const MemTable& mem) EXCLUDES(mu_);
  void RecordStall(StallReason reason, uint64_t micros);
  bool AutoCompactions() const { return !options_.disable_auto_compactions; }

  // What InstallSuperVersion replaced: the old SuperVersion and the read
  // cache's copy of it. Either may hold the last reference to obsolete
  // tables; a caller that must not delete files under mu_ drops it after
  // unlocking.
  struct RetiredSuperVersion {
    std::shared_ptr<const SuperVersion> sv;
    std::unique_ptr<SharedPtrCache<SuperVersion>::Entry> cached;
  };
  RetiredSuperVersion InstallSuperVersion() REQUIRES(mu_);
  // The sequence a read with `options` reads at: its snapshot's, or the
  // latest published.
  SequenceNumber ReadSequence(const ReadOptions& options) const;
  // Get's lookup in one SuperVersion at sequence `seq`.
  Status GetFrom(const SuperVersion& sv, SequenceNumber seq, const Slice& key, std::string* value);
  void SetBackgroundError(const Status& s) REQUIRES(mu_);
  Status WriteRejection() const REQUIRES(mu_);
  // The pinned SuperVersion, or nullptr after Close().
  std::shared_ptr<const SuperVersion> GetSuperVersion() EXCLUDES(mu_);
  // The same, for a read, with the sequence it reads at in *seq: the
  // snapshot's, or the latest published. Both are taken under mu_ together.
  // A sequence taken first, alone, could predate a compaction installed
  // before the SuperVersion is taken; that compaction dropped versions
  // older than the newest one it saw, which a read at the older sequence
  // needs (it found no version of a key that always had one). Taken
  // together, the SuperVersion's files were compacted with an oldest-reader
  // bound at or below *seq, and every memtable holding a sequence <= *seq is
  // in it.
  std::shared_ptr<const SuperVersion> GetSuperVersion(const ReadOptions& options,
                                                      SequenceNumber* seq) EXCLUDES(mu_);

 public:
  // The oldest sequence number a live snapshot reads at, or the latest
  // sequence if there is none: versions older than the newest one at or
  // below it are invisible to every reader (the compaction hook, R7).
  SequenceNumber OldestLiveSequence() EXCLUDES(mu_);
  // Sequence numbers of every live snapshot, ascending.
  std::vector<SequenceNumber> LiveSnapshots() EXCLUDES(mu_);

  // Tests: compacts the files of `level` overlapping `range` (nullptr: all)
  // into level + 1 with exactly one compaction (no flush first). OK if there
  // is nothing to do.
  Status TEST_CompactRange(int level, const KeyRange* range) EXCLUDES(mu_);
  std::shared_ptr<const Version> TEST_CurrentVersion() const { return versions_->current(); }

 private:
  std::vector<SequenceNumber> LiveSnapshotsLocked() const REQUIRES(mu_);

  // Constant after construction.
  const std::string dbname_;
  const Options options_;
  Env* const env_;
  const TableOptions table_options_;
  const InternalKeyComparator* const icmp_;
  std::unique_ptr<VersionSet> versions_;

  // Owned by the commit thread after Open() (and by Open/Close around it).
  std::unique_ptr<WritableFile> wal_;
  uint64_t wal_number_ = 0;
  uint64_t wal_zero_filled_end_ = 0;
  std::string wal_buffer_;

  std::unique_ptr<FileLock> lock_;
  Thread commit_thread_;
  Thread flush_thread_;
  std::vector<std::unique_ptr<Thread>> compaction_threads_;
  // Set by Close(): running compactions stop early (their inputs stay live).
  std::atomic<bool> shutting_down_{false};

  std::mutex close_mu_;  // serializes Close() callers
  bool closed_ = false;  // guarded by close_mu_
  Status close_status_;  // guarded by close_mu_

  mutable std::mutex mu_;
  std::condition_variable commit_cv_;  // writers_ gained an entry, or stop
  std::condition_variable bg_cv_;      // imm_, flushes, bg_error_ or stop changed
  std::deque<Writer*> writers_ GUARDED_BY(mu_);
  // Counts writers ever queued, so the commit thread can watch for the next
  // one without taking mu_ (CommitLoop's spin).
  std::atomic<uint64_t> writers_queued_{0};
  // A TryWriteInline caller is committing on its own thread: the WAL and
  // the memtable are its until it clears this, and the commit thread waits.
  bool inline_writer_active_ GUARDED_BY(mu_) = false;
  std::shared_ptr<MemTable> mem_ GUARDED_BY(mu_);
  // WAL segment (log_number) of the memtable a read-triggered flush was last
  // requested for: one request per memtable.
  uint64_t read_flush_requested_ GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<MemTable>> imm_ GUARDED_BY(mu_);  // front = newest
  // The WAL segment of the oldest unflushed memtable, set once a flush is
  // installed and reported: Flush() waits on it (versions_->log_number()
  // moves earlier, before the stats and the SuperVersion do).
  uint64_t flushed_log_number_ GUARDED_BY(mu_) = 0;
  std::shared_ptr<const SuperVersion> super_version_ GUARDED_BY(mu_);
  // super_version_ for Get without mu_; invalidated whenever it changes.
  SharedPtrCache<SuperVersion> sv_cache_;
  std::multiset<SequenceNumber> snapshots_ GUARDED_BY(mu_);
  Status bg_error_ GUARDED_BY(mu_);
  bool accepting_writes_ GUARDED_BY(mu_) = false;
  bool stop_commit_ GUARDED_BY(mu_) = false;
  bool stop_flush_ GUARDED_BY(mu_) = false;
  bool flush_running_ GUARDED_BY(mu_) = false;
  bool stop_compaction_ GUARDED_BY(mu_) = false;
  // Stateless; picks run under mu_ because the busy set below is guarded.
  const CompactionPicker picker_;
  // Numbers of the input files of running compactions: never shared.
  std::set<uint64_t> compacting_files_ GUARDED_BY(mu_);
  // Bumped whenever the tree or the set of busy files changes, so idle
  // compaction threads and waiting manual compactions look again.
  uint64_t bg_work_gen_ GUARDED_BY(mu_) = 0;
  // Manual compactions waiting or running: background threads start no
  // new work meanwhile, so CompactRange is not starved.
  int manual_compactions_ GUARDED_BY(mu_) = 0;
  bool l0_slowdown_active_ GUARDED_BY(mu_) = false;
  uint64_t l0_slowdown_episode_micros_ GUARDED_BY(mu_) = 0;

  // Statistics (relaxed atomics: counters only).
  std::atomic<uint64_t> stat_puts_{0}, stat_deletes_{0}, stat_gets_{0}, stat_batches_{0};
  std::atomic<uint64_t> stat_bytes_written_{0}, stat_wal_bytes_{0}, stat_wal_syncs_{0};
  std::atomic<uint64_t> stat_group_commits_{0}, stat_flushes_{0}, stat_flush_bytes_{0};
  std::atomic<uint64_t> stat_inline_commits_{0};
  std::atomic<uint64_t> stat_stalls_{0}, stat_stall_micros_{0}, stat_obsolete_removed_{0};
  std::atomic<uint64_t> stat_stall_count_[kNumStallReasons] = {};
  std::atomic<uint64_t> stat_stall_reason_micros_[kNumStallReasons] = {};
  std::atomic<uint64_t> stat_compactions_{0}, stat_read_compactions_{0}, stat_compaction_read_{0};
  std::atomic<uint64_t> stat_read_flushes_{0};
  std::atomic<uint64_t> stat_compaction_written_{0}, stat_compaction_micros_{0};
  std::atomic<uint64_t> stat_running_compactions_{0};
  std::atomic<uint64_t> seeks_{0};  // iterator seeks, for read-triggered compaction's sample
  Latencies latencies_;  // nanoseconds, lock-free
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_DB_IMPL_H_
