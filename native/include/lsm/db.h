// DB: the engine's entry point. A DB is a directory holding WAL segments,
// SSTables, a MANIFEST, CURRENT and LOCK (formats: DESIGN §6 and the header
// comments of the files that own them).
//
// Thread-safety: every method may be called concurrently from any thread.
// Writes from all threads are serialized through one queue and committed in
// groups by a dedicated commit thread (one pwrite, at most one fdatasync per
// group). Reads never take the DB mutex while touching data.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_DB_H_
#define LSMKV_NATIVE_INCLUDE_LSM_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lsm/iterator.h"
#include "lsm/metrics.h"
#include "lsm/options.h"
#include "lsm/slice.h"
#include "lsm/status.h"
#include "lsm/write_batch.h"

namespace lsm {

struct LevelStats {
  int level = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  // Compaction urgency: L0 files / l0_compaction_trigger, or level bytes /
  // the level's target; >= 1 means due. 0 for the last level.
  double score = 0;
};

struct StallStats {
  uint64_t count = 0;   // stall episodes (kL0Slowdown: delayed write groups)
  uint64_t micros = 0;  // total time writers waited or were delayed
};

struct DBStats {
  uint64_t puts = 0;
  uint64_t deletes = 0;
  uint64_t gets = 0;
  uint64_t batches = 0;               // write batches committed
  uint64_t bytes_written = 0;         // user key + value bytes written
  uint64_t wal_bytes = 0;             // bytes appended to WAL segments
  uint64_t wal_syncs = 0;             // fdatasync calls on WAL segments
  uint64_t group_commits = 0;         // groups (pwrites) committed
  uint64_t inline_commits = 0;        // of which on the writer's thread (TryWriteInline)
  uint64_t flushes = 0;
  uint64_t read_flushes = 0;             // of which asked for by reads (read_charges.h)
  uint64_t flush_bytes = 0;           // SSTable bytes written by flushes
  uint64_t stalls = 0;
  uint64_t stall_micros = 0;
  uint64_t memtable_bytes = 0;        // active memtable
  uint64_t immutable_memtables = 0;
  uint64_t immutable_memtable_bytes = 0;
  uint64_t last_sequence = 0;
  uint64_t obsolete_files_removed = 0;  // crash leftovers removed on open (R9)
  uint64_t compactions = 0;              // compactions completed (trivial moves included)
  uint64_t read_compactions = 0;         // of which picked for reads, not size (version_set.h)
  uint64_t compaction_bytes_read = 0;    // SSTable bytes read by compactions
  uint64_t compaction_bytes_written = 0; // SSTable bytes written by compactions
  uint64_t compaction_micros = 0;
  uint64_t tables_deleted = 0;           // obsolete tables deleted after compaction (R4)
  // Bytes compaction still has to read to bring every level back to its
  // target (an estimate).
  uint64_t pending_compaction_bytes = 0;
  uint64_t running_compactions = 0;  // compactions in progress now
  // Bytes the engine wrote (WAL + flushes + compactions) / user bytes written.
  double write_amplification = 0;
  StallStats stall_reasons[kNumStallReasons];  // indexed by StallReason
  std::vector<LevelStats> levels;
};

// A point-in-time view: reads through it see exactly the writes committed
// before DB::GetSnapshot() returned. Released with DB::ReleaseSnapshot().
class Snapshot {
 public:
  virtual uint64_t sequence() const = 0;

 protected:
  virtual ~Snapshot() = default;
};

class DB {
 public:
  static constexpr int kNumLevels = 7;

  // Opens (or, with create_if_missing, creates) the database in `name`.
  // On success *dbptr owns an open DB whose recovered state is durable (R6).
  // Failures: Locked if another holder has the LOCK, Corruption naming the
  // file and offset for damaged files, InvalidArgument for bad options,
  // IOError/NoSpace from the file system.
  static Status Open(const Options& options, const std::string& name,
                     std::unique_ptr<DB>* dbptr);

  // Like Open, but opens of the same directory (by canonical path) in this
  // process share one engine, reference-counted: *dbptr is a handle whose
  // Close() affects only itself (REQUIRES: its iterators and snapshots are
  // released first); the engine closes (R8: flush, release the LOCK) when
  // the last handle closes. A later opener's options must equal the first
  // one's (env and listener aside; each handle gets the engine's events):
  // otherwise InvalidArgument naming the option that differs. A directory
  // held by a plain Open() (or another process) gives Locked.
  static Status OpenShared(const Options& options, const std::string& name,
                           std::unique_ptr<DB>* dbptr);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes if still open (errors are then lost: call Close() first).
  virtual ~DB() = default;

  // Applies `batch` atomically. Returns when the batch is in the WAL (and
  // fdatasync'd with options.sync) and visible to reads (R1). After a
  // background error every write returns ReadOnly (R2); after Close, Closed.
  virtual Status Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // Same as Write, but returns at once; `done` runs on the commit thread
  // after the write is acknowledged or failed. It must not block.
  virtual void WriteAsync(const WriteOptions& options, WriteBatch&& batch,
                          std::function<void(const Status&)> done) = 0;

  // Commits `batch` on the calling thread when that means no waiting: not
  // options.sync, at most Options::max_inline_write_bytes, no other write
  // queued or in progress, room in the memtable and no stall. Then returns
  // true with the result in *status (as Write would return it). Otherwise
  // returns false and leaves `batch` alone: use Write or WriteAsync.
  virtual bool TryWriteInline(const WriteOptions& options, WriteBatch* batch, Status* status) {
    (void)options, (void)batch, (void)status;
    return false;
  }

  Status Put(const WriteOptions& o, const Slice& key, const Slice& value);
  Status Delete(const WriteOptions& o, const Slice& key);

  // OK with *value set, NotFound if absent, Corruption/IOError on failure.
  virtual Status Get(const ReadOptions& options, const Slice& key,
                     std::string* value) = 0;

  // An iterator over the user keys in `range`, as of options.snapshot (or
  // now). It sees a consistent state: writes after its creation are
  // invisible. It pins the memtables and tables it reads until deleted.
  // Errors (Corruption, IOError) end iteration and show in status().
  // REQUIRES: delete the iterator before the DB.
  virtual Iterator* NewIterator(const ReadOptions& options, const KeyRange& range) = 0;

  // A snapshot of the current state; reads with ReadOptions::snapshot see
  // exactly what was committed before this call. Compaction keeps every
  // version a live snapshot can see. REQUIRES: ReleaseSnapshot() before the
  // DB is deleted.
  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Deletes every key in `range` with one atomic batch of deletions, built
  // inside the engine from the keys visible when the call starts. Writes
  // that land in the range while it runs are not deleted.
  virtual Status DeleteRange(const WriteOptions& options, const KeyRange& range) = 0;

  // Approximate bytes of SSTable data holding keys in `range` (memtables not
  // included).
  virtual uint64_t ApproximateSize(const KeyRange& range) = 0;

  // Flushes, then compacts every level holding keys in `range` (nullptr:
  // every key) down to the deepest level holding any of them, dropping
  // versions no reader can see and, at that bottom level, tombstones no
  // snapshot needs (R7). Progress goes to EventListener::
  // OnCompactionCompleted. Runs on the calling thread, concurrently with
  // writes, reads and background compactions. Returns the first error (a
  // failed compaction is also the sticky background error), Closed if the
  // DB closes meanwhile.
  virtual Status CompactRange(const KeyRange* range) = 0;

  // Turns the active memtable (if non-empty) into an SSTable and waits until
  // it and every older immutable memtable is flushed and recorded durably.
  virtual Status Flush() = 0;

  // R8: stops accepting writes, waits for in-flight writes, flushes every
  // memtable, waits for background work, syncs, removes the WAL segments the
  // tables now cover and releases the LOCK. Idempotent; returns the first
  // background error if one occurred.
  virtual Status Close() = 0;

  virtual void GetStats(DBStats* stats) = 0;

  // The sticky background error, or OK.
  virtual Status BackgroundError() = 0;

  // Writes an openable copy of the database as of this call into `dir`
  // (which must not exist or be empty; its parent must exist), while writes
  // continue: tables are hard-linked (copied across devices), the memtables'
  // writes up to the call's sequence number become one more table, and a
  // fresh MANIFEST + CURRENT describe exactly that. Every file and the
  // directory are fsync'd before it returns. InvalidArgument if `dir` is not
  // empty, Closed after Close(), IOError/NoSpace from the file system (the
  // partial checkpoint is left behind, without a CURRENT). Implemented in
  // db/checkpoint.cc; the base class returns NotSupported.
  virtual Status Checkpoint(const std::string& dir) {
    return Status::NotSupported(dir, "this DB does not support checkpoints");
  }
  // Options::read_only: loads the writer's latest durable state (CURRENT ->
  // MANIFEST, new tables, unflushed WAL data) and swaps it in atomically;
  // iterators and snapshots keep the state they pinned. A writable DB is
  // always current: OK, nothing to do. Closed after Close().
  virtual Status Refresh() { return Status::OK(); }
  // Records `count` samples of `nanos` for an operation the embedder timed
  // (LatencyKind kGet .. kIteratorPage). Lock-free; any thread. The default
  // ignores them.
  virtual void RecordLatency(LatencyKind kind, uint64_t nanos, uint64_t count) {}

  // Fills out[k] for every LatencyKind k: what RecordLatency received plus
  // the engine's own flush, compaction and WAL fdatasync timings. The
  // default reports nothing recorded.
  virtual void GetLatencies(LatencySummary out[kNumLatencyKinds]) {}
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_DB_H_
