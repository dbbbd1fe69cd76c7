// DBImpl: write queue + group commit, memtable rotation, flush thread,
// recovery and close. See db_impl.h for the design.
#include "db/db_impl.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "db/compaction_job.h"
#include "db/filename.h"
#include "db/db_iter.h"
#include "db/flush_job.h"
#include "db/level_iterator.h"
#include "db/log_replay.h"
#include "db/read_only_db.h"
#include "db/read_sources.h"
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "table/merger.h"
#include "util/coding.h"
#include "util/helper_thread.h"
#include "util/kill_point.h"

namespace lsm {

namespace {

// Zeros written ahead of sync writes in the WAL (see WritableFile::ZeroFillTo).
constexpr uint64_t kWalZeroFillBytes = 1u << 20;
// A sync group of this many entries or more is handed to the memtable on the
// helper thread during its fdatasync, and is followed by the commit thread's
// spin (CommitLoop).
constexpr uint64_t kBigSyncGroupEntries = 16;
// How long the commit thread yields in a loop, after a big sync group, for
// the next writer before it sleeps on commit_cv_. RocksDB's write thread
// yields up to 100 µs for the same reason.
constexpr uint64_t kCommitSpinNanos = 100 * 1000;

TableOptions MakeTableOptions(const Options& o) {
  TableOptions t;
  t.comparator = GetInternalKeyComparator();
  t.block_size = o.block_size;
  t.block_restart_interval = o.block_restart_interval;
  t.bloom_bits_per_key = o.bloom_bits_per_key;
  t.compress_values = o.compression;
  t.filter_key_suffix_strip = kInternalKeyTrailer;  // filter on user keys
  return t;
}

// Applies a batch's records to a memtable with consecutive sequence numbers.
// Records are collected first and inserted by Finish(), sorted when there are
// many: ascending inserts let the skiplist resume from its previous search
// path (SkipList::splice_) instead of descending from the top each time,
// which is most of the cost of random-order bulk writes.
class MemTableInserter final : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first, MemTable* mem) : seq_(first), mem_(mem) {}
  void Put(const Slice& key, const Slice& value) override {
    records_.push_back({key, value, seq_++, kTypeValue});
    puts++;
    bytes += key.size() + value.size();
  }
  void Delete(const Slice& key) override {
    records_.push_back({key, Slice(), seq_++, kTypeDeletion});
    deletes++;
    bytes += key.size();
  }
  // REQUIRES: the batch the records point into is still alive.
  void Finish() {
    auto before = [](const Record& a, const Record& b) {
      const int r = a.key.compare(b.key);
      return r != 0 ? r < 0 : a.seq > b.seq;
    };
    // A batch of ascending keys (a sequential load) is common and is already
    // in order: checking costs n compares, sorting n log n.
    if (records_.size() >= kSortThreshold &&
        !std::is_sorted(records_.begin(), records_.end(), before)) {
      std::sort(records_.begin(), records_.end(), before);
    }
    for (const Record& r : records_) mem_->Add(r.seq, r.type, r.key, r.value);
    records_.clear();
  }

  uint64_t puts = 0, deletes = 0, bytes = 0;

 private:
  static constexpr size_t kSortThreshold = 16;
  struct Record {
    Slice key;
    Slice value;
    SequenceNumber seq;
    ValueType type;
  };
  SequenceNumber seq_;
  MemTable* mem_;
  std::vector<Record> records_;
};

Status CheckOptions(const Options& o) {
  if (o.write_buffer_size < 4096) return Status::InvalidArgument("write_buffer_size too small");
  if (o.max_immutable_memtables < 1) {
    return Status::InvalidArgument("max_immutable_memtables must be at least 1");
  }
  if (o.block_size < 256) return Status::InvalidArgument("block_size too small");
  if (o.block_restart_interval < 1) return Status::InvalidArgument("block_restart_interval < 1");
  if (o.bloom_bits_per_key < 0) return Status::InvalidArgument("bloom_bits_per_key < 0");
  if (o.max_key_size < 1 || o.max_value_size < 1) {
    return Status::InvalidArgument("key and value size limits must be positive");
  }
  if (o.level_base < 1024) return Status::InvalidArgument("level_base too small");
  if (o.level_ratio < 2) return Status::InvalidArgument("level_ratio must be at least 2");
  if (o.l0_compaction_trigger < 1) return Status::InvalidArgument("l0_compaction_trigger < 1");
  if (o.l0_slowdown_trigger < o.l0_compaction_trigger) {
    return Status::InvalidArgument("l0_slowdown_trigger below l0_compaction_trigger");
  }
  if (o.l0_stop_trigger < o.l0_slowdown_trigger) {
    return Status::InvalidArgument("l0_stop_trigger below l0_slowdown_trigger");
  }
  if (o.target_file_size < 1024) return Status::InvalidArgument("target_file_size too small");
  if (o.compaction_threads < 1 || o.compaction_threads > 2) {
    return Status::InvalidArgument("compaction_threads must be 1 or 2");
  }
  return Status::OK();
}

}  // namespace

Status DB::Open(const Options& options, const std::string& name, std::unique_ptr<DB>* dbptr) {
  dbptr->reset();
  if (options.read_only) return OpenReadOnlyDB(options, name, dbptr);
  Status s = CheckOptions(options);
  if (!s.ok()) return s;
  auto impl = std::make_unique<DBImpl>(options, name);
  s = impl->Open();
  if (!s.ok()) return s;  // the destructor releases whatever Open acquired
  *dbptr = std::move(impl);
  return Status::OK();
}

DBImpl::DBImpl(const Options& options, std::string dbname)
    : dbname_(std::move(dbname)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      table_options_(MakeTableOptions(options)),
      icmp_(GetInternalKeyComparator()),
      versions_(std::make_unique<VersionSet>(dbname_, &options_, env_, table_options_)),
      picker_(&options_) {}

DBImpl::~DBImpl() { Close().ok(); }  // errors were reported to the listener

// ---------------------------------------------------------------------------
// Open and recovery

Status DBImpl::Open() {
  Status s = Recover();
  if (s.ok()) s = commit_thread_.Start("lsm-commit", [this] { CommitLoop(); });
  if (s.ok()) s = flush_thread_.Start("lsm-flush", [this] { FlushLoop(); });
  for (int i = 0; s.ok() && i < options_.compaction_threads; i++) {
    compaction_threads_.push_back(std::make_unique<Thread>());
    s = compaction_threads_.back()->Start("lsm-compact-" + std::to_string(i),
                                          [this] { CompactionLoop(); });
  }
  if (!s.ok()) {
    // Leave no thread running and release the LOCK; Close() sees closed_.
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_commit_ = stop_flush_ = stop_compaction_ = true;
    }
    shutting_down_.store(true);
    commit_cv_.notify_all();
    bg_cv_.notify_all();
    commit_thread_.Join();
    flush_thread_.Join();
    for (auto& t : compaction_threads_) t->Join();
    if (wal_) wal_->Close().ok();
    if (lock_) env_->UnlockFile(std::move(lock_)).ok();
    std::lock_guard<std::mutex> c(close_mu_);
    closed_ = true;
    close_status_ = Status::Closed();
    return s;
  }
  std::lock_guard<std::mutex> l(mu_);
  accepting_writes_ = true;
  return Status::OK();
}

Status DBImpl::Recover() {
  Status s;
  if (options_.create_if_missing) {
    s = env_->CreateDir(dbname_);
    if (!s.ok()) return s;
  }
  s = env_->LockFile(LockFileName(dbname_), &lock_);
  if (!s.ok()) {
    if (!s.IsLocked() && !options_.create_if_missing && !env_->FileExists(dbname_)) {
      return Status::InvalidArgument(dbname_, "does not exist (createIfMissing is false)");
    }
    return s;
  }

  if (!env_->FileExists(CurrentFileName(dbname_))) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(dbname_, "does not exist (createIfMissing is false)");
    }
    versions_->InitNew();
  } else {
    if (options_.error_if_exists) {
      return Status::InvalidArgument(dbname_, "exists (errorIfExists is true)");
    }
    s = versions_->Recover();
    if (!s.ok()) return s;
  }

  // Replay every WAL segment the MANIFEST does not cover, oldest first.
  std::vector<uint64_t> logs;
  uint64_t max_number;
  s = ListWalSegments(env_, dbname_, versions_->log_number(), &logs, &max_number);
  if (!s.ok()) return s;
  versions_->MarkFileNumberUsed(max_number);
  // Issue 5 (crash_test TruncationTest): the segment the MANIFEST's log
  // number names is deleted only after a later edit advanced it (R4), and
  // newer segments are created after it. If it is gone while a newer one
  // holds data, the MANIFEST lost edits (cut at a record boundary): opening
  // would silently drop the tables those edits added.
  const uint64_t needed_log = versions_->log_number();
  if (needed_log != 0 && !logs.empty() && logs.front() != needed_log) {
    for (uint64_t n : logs) {
      uint64_t size = 0;
      if (env_->GetFileSize(LogFileName(dbname_, n), &size).ok() && size > 0) {
        return Status::Corruption(ManifestFileName(dbname_, versions_->manifest_number()),
                                  "WAL " + std::to_string(needed_log) +
                                      " it needs is missing while newer WAL " +
                                      std::to_string(n) + " holds data");
      }
    }
  }

  VersionEdit edit;
  SequenceNumber max_sequence = versions_->LastSequence();
  std::shared_ptr<MemTable> mem;
  std::vector<FlushInfo> flushed;
  for (size_t i = 0; i < logs.size(); i++) {
    s = ReplayLog(logs[i], i + 1 == logs.size(), &mem, &max_sequence, &edit, &flushed);
    if (!s.ok()) return s;
  }
  // R6: the recovered state becomes durable (an SSTable + MANIFEST) before
  // anything is served, and new writes go to a brand-new WAL segment.
  if (mem) {
    s = WriteLevel0Table(mem.get(), &edit, &flushed);
    if (!s.ok()) return s;
    LSM_KILL_POINT("recovery.after_table");
  }
  versions_->SetLastSequence(max_sequence);

  wal_number_ = versions_->NewFileNumber();
  s = env_->NewWritableFile(LogFileName(dbname_, wal_number_), &wal_);
  if (!s.ok()) return s;
  // R3: the new WAL and any new tables reach the directory before the
  // MANIFEST names them and before the first acknowledged sync write.
  s = env_->SyncDir(dbname_);
  if (!s.ok()) return s;
  edit.SetLogNumber(wal_number_);
  edit.SetLastSequence(max_sequence);
  s = versions_->WriteNewManifest(&edit);
  if (!s.ok()) return s;
  LSM_KILL_POINT("recovery.before_sweep");

  DeleteObsoleteFilesOnOpen();
  std::lock_guard<std::mutex> l(mu_);
  mem_ = std::make_shared<MemTable>(icmp_, wal_number_, options_.write_buffer_size);
  InstallSuperVersion();
  ReportFlushes(flushed);
  flushed_log_number_ = wal_number_;
  return Status::OK();
}

Status DBImpl::ReplayLog(uint64_t log_number, bool is_last, std::shared_ptr<MemTable>* mem,
                         SequenceNumber* max_sequence, VersionEdit* edit,
                         std::vector<FlushInfo>* flushed) {
  const std::string fname = LogFileName(dbname_, log_number);
  return ReplayWalSegment(env_, fname, is_last, [&](const WriteBatch& batch, uint64_t offset) {
    if (!*mem) *mem = std::make_shared<MemTable>(icmp_, 0, options_.write_buffer_size);
    MemTableInserter inserter(batch.Sequence(), mem->get());
    if (!batch.Iterate(&inserter).ok()) {
      return Status::Corruption(fname, "bad write batch at offset " + std::to_string(offset));
    }
    inserter.Finish();
    if (batch.Count() > 0) {
      *max_sequence = std::max(*max_sequence, batch.Sequence() + batch.Count() - 1);
    }
    if ((*mem)->ApproximateMemoryUsage() > options_.write_buffer_size) {
      Status s = WriteLevel0Table(mem->get(), edit, flushed);
      if (!s.ok()) return s;
      mem->reset();
    }
    return Status::OK();
  });
}

Status DBImpl::WriteLevel0Table(MemTable* mem, VersionEdit* edit, std::vector<FlushInfo>* flushed) {
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  std::unique_ptr<Iterator> iter(mem->NewIterator());
  const uint64_t start = env_->NowMicros();
  Status s = BuildTable(dbname_, env_, table_options_, options_.use_mmap, iter.get(), &meta);
  if (!s.ok()) return s;
  if (meta.file_size == 0) return Status::OK();
  flushed->push_back({meta.number, meta.file_size, meta.num_entries, env_->NowMicros() - start});
  edit->AddFile(0, meta);
  return Status::OK();
}

// After the tables are in the current Version: a listener or a reader of
// stats() that sees the flush also sees its table.
void DBImpl::ReportFlushes(const std::vector<FlushInfo>& flushed) {
  for (const FlushInfo& info : flushed) {
    stat_flushes_.fetch_add(1, std::memory_order_relaxed);
    stat_flush_bytes_.fetch_add(info.file_size, std::memory_order_relaxed);
    if (options_.listener) options_.listener->OnFlushCompleted(info);
  }
}

void DBImpl::DeleteObsoleteFilesOnOpen() {
  // R9: anything lsmkv owns that the durable state does not reference is a
  // leftover of a crash (or of the previous MANIFEST / WAL generation).
  std::vector<uint64_t> live;
  versions_->AddLiveFiles(&live);
  std::sort(live.begin(), live.end());
  std::vector<std::string> children;
  if (!env_->GetChildren(dbname_, &children).ok()) return;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case FileType::kLogFile: keep = number >= versions_->log_number(); break;
      case FileType::kTableFile: keep = std::binary_search(live.begin(), live.end(), number); break;
      case FileType::kManifestFile: keep = number == versions_->manifest_number(); break;
      case FileType::kTempFile: keep = false; break;
      case FileType::kCurrentFile:
      case FileType::kLockFile: keep = true; break;
    }
    if (!keep && env_->RemoveFile(dbname_ + "/" + name).ok()) {
      stat_obsolete_removed_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

// ---------------------------------------------------------------------------
// Writes

Status DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  Status inline_status;
  if (TryWriteInline(options, batch, &inline_status)) return inline_status;
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  Status result;
  WriteAsync(options, std::move(*batch), [&](const Status& s) {
    std::lock_guard<std::mutex> l(m);
    result = s;
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> l(m);
  cv.wait(l, [&] { return done; });
  return result;
}

void DBImpl::WriteAsync(const WriteOptions& options, WriteBatch&& batch,
                        std::function<void(const Status&)> done) {
  Status s = WriteBatch::Validate(batch.rep(), options_.max_key_size, options_.max_value_size);
  if (!s.ok()) {
    done(s);
    return;
  }
  auto* w = new Writer();
  w->batch = std::move(batch);
  w->sync = options.sync;
  w->done = std::move(done);
  {
    std::lock_guard<std::mutex> l(mu_);
    s = WriteRejection();
    if (s.ok()) {
      writers_.push_back(w);
      writers_queued_.fetch_add(1, std::memory_order_release);
      if (writers_.size() == 1) commit_cv_.notify_one();
      return;
    }
  }
  w->done(s);
  delete w;
}

bool DBImpl::TryWriteInline(const WriteOptions& options, WriteBatch* batch, Status* status) {
  // The caller's thread must never wait: not on fdatasync (DESIGN §8), not on
  // a stall, a memtable switch or another writer; and not for long on its own
  // pwrite and memtable insert either (max_inline_write_bytes).
  if (options.sync || batch->ApproximateSize() > options_.max_inline_write_bytes) return false;
  Status s = WriteBatch::Validate(batch->rep(), options_.max_key_size, options_.max_value_size);
  if (!s.ok()) {
    *status = s;
    return true;
  }
  std::unique_lock<std::mutex> l(mu_);
  if (!writers_.empty() || inline_writer_active_ || !WriteRejection().ok() || !HasRoomForWrite()) {
    return false;
  }
  inline_writer_active_ = true;
  uint64_t entries = 0;
  s = CommitGroup(l, &batch, 1, false, nullptr, &entries);
  if (s.ok()) stat_inline_commits_.fetch_add(1, std::memory_order_relaxed);
  inline_writer_active_ = false;
  // Writers that queued meanwhile woke the commit thread, which waited for us.
  if (!writers_.empty() || stop_commit_) commit_cv_.notify_one();
  *status = s;
  return true;
}

bool DBImpl::HasRoomForWrite() {
  if (AutoCompactions() &&
      static_cast<int>(super_version_->version->NumFiles(0)) >= options_.l0_slowdown_trigger) {
    return false;
  }
  MaybeEndL0Slowdown();
  return mem_->ApproximateMemoryUsage() < options_.write_buffer_size;
}

Status DBImpl::WriteRejection() const {
  if (!accepting_writes_) return Status::Closed();
  if (!bg_error_.ok()) {
    return Status::ReadOnly("database is read-only after a background error", bg_error_.ToString());
  }
  return Status::OK();
}

void DBImpl::CommitLoop() {
  // Applies a sync group's batches to the memtable during its fdatasync
  // (below). Without it (no thread to be had) the commit thread does that
  // after the sync, as for every other group.
  HelperThread inserter;
  const bool have_inserter = inserter.Start("lsm-insert");
  std::unique_lock<std::mutex> l(mu_);
  std::vector<Writer*> group;
  std::vector<WriteBatch*> batches;
  bool spin = false;  // the last group was a big sync group
  for (;;) {
    if (spin && writers_.empty() && !stop_commit_) {
      // A big sync group means many writers waiting on one fdatasync. Their
      // next writes arrive within tens of µs of the acknowledgement, while a
      // thread that sleeps on commit_cv_ takes 7-45 µs to wake on the
      // two-vCPU VM we measured: fillsync with 64 in flight ran 17-20%
      // faster with this spin (bench A/B, README). A lone sync writer's next
      // write is further off, and the spin would share a CPU with it, so only
      // big groups spin.
      const uint64_t queued = writers_queued_.load(std::memory_order_relaxed);
      l.unlock();
      const uint64_t start = MonotonicNanos();
      while (writers_queued_.load(std::memory_order_acquire) == queued &&
             MonotonicNanos() - start < kCommitSpinNanos) {
        std::this_thread::yield();
      }
      l.lock();
    }
    spin = false;
    commit_cv_.wait(l, [this]() REQUIRES(mu_) {
      return (!writers_.empty() || stop_commit_) && !inline_writer_active_;
    });
    if (writers_.empty()) break;  // stopping, and the queue is drained
    if (writers_.front()->flush_request) {
      Writer* w = writers_.front();
      HandleFlushRequest(l, w);
      writers_.pop_front();
      l.unlock();
      w->done(Status::OK());
      delete w;
      l.lock();
      continue;
    }

    Status s = bg_error_.ok() ? MakeRoomForWrite(l) : WriteRejection();
    group.clear();
    batches.clear();
    size_t bytes = 0;
    bool sync = false;
    for (Writer* w : writers_) {
      if (w->flush_request) break;
      const size_t size = w->batch.ApproximateSize();
      if (!group.empty() && bytes + size > options_.max_group_commit_bytes) break;
      group.push_back(w);
      batches.push_back(&w->batch);
      bytes += size;
      sync |= w->sync;
    }
    uint64_t entries = 0;
    if (s.ok()) {
      s = CommitGroup(l, batches.data(), batches.size(), sync, have_inserter ? &inserter : nullptr,
                      &entries);
    }
    for (size_t i = 0; i < group.size(); i++) writers_.pop_front();
    spin = s.ok() && sync && entries >= kBigSyncGroupEntries;
    l.unlock();
    for (Writer* w : group) {
      w->done(s);
      delete w;
    }
    l.lock();
  }
}

Status DBImpl::CommitGroup(std::unique_lock<std::mutex>& l, WriteBatch* const* batches, size_t n,
                           bool sync, HelperThread* inserter, uint64_t* entries) {
  const SequenceNumber last_seq = versions_->LastSequence();
  SequenceNumber seq = last_seq;
  std::shared_ptr<MemTable> mem = mem_;
  uint64_t puts = 0, deletes = 0, user_bytes = 0;
  l.unlock();

  // R1: WAL first, memtable second, acknowledgement last. The entries are
  // invisible until SetLastSequence below publishes them (every read is
  // bounded by LastSequence), so a sync group's entries can go into the
  // memtable while its fdatasync runs. If that sync fails they are never
  // published: the error is sticky, no later write advances LastSequence
  // and no memtable is flushed after it (bg_error_).
  auto apply_to_memtable = [&] {
    for (size_t i = 0; i < n; i++) {
      const WriteBatch* batch = batches[i];
      if (batch->Count() == 0) continue;
      MemTableInserter inserter(batch->Sequence(), mem.get());
      batch->Iterate(&inserter).ok();  // validated by WriteAsync / TryWriteInline
      inserter.Finish();
      puts += inserter.puts;
      deletes += inserter.deletes;
      user_bytes += inserter.bytes;
    }
    // Read charges count since the last write (read_charges.h).
    if (puts + deletes > 0) mem->read_charges().Reset();
  };

  Status s;
  bool overlapped = false;
  wal_buffer_.clear();
  for (size_t i = 0; i < n; i++) {
    WriteBatch* batch = batches[i];
    if (batch->Count() == 0) continue;
    batch->SetSequence(seq + 1);
    seq += batch->Count();
    log::Writer::EncodeRecord(batch->rep(), &wal_buffer_);
  }
  *entries = seq - last_seq;
  if (sync && !wal_buffer_.empty() && wal_->Size() + wal_buffer_.size() > wal_zero_filled_end_) {
    // Sync writes overwrite pre-written zeros instead of growing the
    // file, which keeps size metadata out of most fdatasyncs.
    wal_zero_filled_end_ = wal_->Size() + wal_buffer_.size() + kWalZeroFillBytes;
    s = wal_->ZeroFillTo(wal_zero_filled_end_);
  }
  if (s.ok() && !wal_buffer_.empty()) s = wal_->Append(wal_buffer_);
  if (s.ok() && !wal_buffer_.empty()) LSM_KILL_POINT("wal.after_append");
  if (s.ok() && sync && !wal_buffer_.empty()) {
    // Handing over costs a wake-up; worth it for a few dozen entries
    // (~1 µs each into a large memtable), not for a lone put.
    if (inserter != nullptr && *entries >= kBigSyncGroupEntries) {
      inserter->Run(apply_to_memtable);
      overlapped = true;
    }
    LSM_KILL_POINT("wal.before_sync");
    const uint64_t sync_start = MonotonicNanos();
    s = wal_->Sync();
    latencies_.RecordSince(LatencyKind::kWalSync, sync_start);
    stat_wal_syncs_.fetch_add(1, std::memory_order_relaxed);
    if (s.ok()) LSM_KILL_POINT("wal.after_sync");
    if (overlapped) inserter->Wait();
  }
  if (s.ok() && !overlapped) apply_to_memtable();

  l.lock();
  if (s.ok()) {
    versions_->SetLastSequence(seq);  // publish: readers see the whole group
    stat_group_commits_.fetch_add(1, std::memory_order_relaxed);
    stat_batches_.fetch_add(n, std::memory_order_relaxed);
    stat_wal_bytes_.fetch_add(wal_buffer_.size(), std::memory_order_relaxed);
    stat_bytes_written_.fetch_add(user_bytes, std::memory_order_relaxed);
    stat_puts_.fetch_add(puts, std::memory_order_relaxed);
    stat_deletes_.fetch_add(deletes, std::memory_order_relaxed);
  } else {
    SetBackgroundError(s);  // R2: sticky, the DB turns read-only
  }
  return s;
}

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& l) {
  bool allow_delay = AutoCompactions();
  for (;;) {
    if (!bg_error_.ok()) return WriteRejection();
    const int l0_files = static_cast<int>(super_version_->version->NumFiles(0));
    if (allow_delay && l0_files >= options_.l0_slowdown_trigger) {
      // Compaction is falling behind: delay this group (once) by ~1 ms to
      // hand it CPU and disk, rather than stop writes altogether later.
      allow_delay = false;
      if (!l0_slowdown_active_) {
        l0_slowdown_active_ = true;
        l0_slowdown_episode_micros_ = 0;
        if (options_.listener) options_.listener->OnStallBegin(StallReason::kL0Slowdown);
      }
      const uint64_t start = env_->NowMicros();
      l.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      l.lock();
      const uint64_t micros = env_->NowMicros() - start;
      l0_slowdown_episode_micros_ += micros;
      RecordStall(StallReason::kL0Slowdown, micros);
      continue;
    }
    MaybeEndL0Slowdown();
    if (mem_->ApproximateMemoryUsage() < options_.write_buffer_size) return Status::OK();
    if (static_cast<int>(imm_.size()) >= options_.max_immutable_memtables) {
      // The flush thread is behind: wait for it, never drop data.
      if (options_.listener) options_.listener->OnStallBegin(StallReason::kImmutableQueueFull);
      const uint64_t start = env_->NowMicros();
      bg_cv_.wait(l, [this]() REQUIRES(mu_) {
        return static_cast<int>(imm_.size()) < options_.max_immutable_memtables ||
               !bg_error_.ok() || stop_flush_;
      });
      const uint64_t micros = env_->NowMicros() - start;
      RecordStall(StallReason::kImmutableQueueFull, micros);
      if (options_.listener) {
        options_.listener->OnStallEnd(StallReason::kImmutableQueueFull, micros);
      }
      if (stop_flush_ && bg_error_.ok()) return Status::Closed();
      continue;
    }
    if (AutoCompactions() && l0_files >= options_.l0_stop_trigger) {
      // Another L0 file would make reads slower still: wait for compaction.
      if (options_.listener) options_.listener->OnStallBegin(StallReason::kL0Stop);
      const uint64_t start = env_->NowMicros();
      bg_cv_.wait(l, [this]() REQUIRES(mu_) {
        return static_cast<int>(super_version_->version->NumFiles(0)) < options_.l0_stop_trigger ||
               !bg_error_.ok() || stop_compaction_;
      });
      const uint64_t micros = env_->NowMicros() - start;
      RecordStall(StallReason::kL0Stop, micros);
      if (options_.listener) options_.listener->OnStallEnd(StallReason::kL0Stop, micros);
      if (stop_compaction_ && bg_error_.ok()) return Status::Closed();
      continue;
    }
    return SwitchMemtable(l);
  }
}

Status DBImpl::SwitchMemtable(std::unique_lock<std::mutex>& l) {
  const uint64_t new_number = versions_->NewFileNumber();
  l.unlock();
  // The old segment becomes durable before any write lands in the new one,
  // so a power loss can only ever cut the newest segment (no holes).
  const uint64_t sync_start = MonotonicNanos();
  Status s = wal_->Sync();
  latencies_.RecordSince(LatencyKind::kWalSync, sync_start);
  if (s.ok()) s = wal_->Close();
  std::unique_ptr<WritableFile> file;
  if (s.ok()) s = env_->NewWritableFile(LogFileName(dbname_, new_number), &file);
  if (s.ok()) LSM_KILL_POINT("wal.before_new_segment_dir_sync");
  if (s.ok()) s = env_->SyncDir(dbname_);  // R3
  l.lock();
  if (!s.ok()) {
    SetBackgroundError(s);
    return s;
  }
  stat_wal_syncs_.fetch_add(1, std::memory_order_relaxed);
  wal_ = std::move(file);
  wal_number_ = new_number;
  wal_zero_filled_end_ = 0;
  imm_.push_front(mem_);
  mem_ = std::make_shared<MemTable>(icmp_, new_number, options_.write_buffer_size);
  InstallSuperVersion();
  bg_cv_.notify_all();
  return Status::OK();
}

void DBImpl::HandleFlushRequest(std::unique_lock<std::mutex>& l, Writer* w) {
  w->flush_target = 0;
  if (mem_->num_entries() > 0) {
    // Rotate even if the immutable queue is full: wait for room first.
    while (bg_error_.ok() && static_cast<int>(imm_.size()) >= options_.max_immutable_memtables) {
      bg_cv_.wait(l);
    }
    if (bg_error_.ok() && SwitchMemtable(l).ok()) w->flush_target = imm_.front()->log_number();
  } else if (!imm_.empty()) {
    w->flush_target = imm_.front()->log_number();
  }
}

// ---------------------------------------------------------------------------
// Flush thread

void DBImpl::FlushLoop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    bg_cv_.wait(l, [this]() REQUIRES(mu_) {
      return stop_flush_ || (!imm_.empty() && bg_error_.ok());
    });
    if (imm_.empty() || !bg_error_.ok()) {
      if (stop_flush_) break;
      continue;
    }
    flush_running_ = true;
    Status s = FlushOldestImmutable(l);
    flush_running_ = false;
    if (!s.ok()) SetBackgroundError(s);
    bg_cv_.notify_all();
  }
}

Status DBImpl::FlushOldestImmutable(std::unique_lock<std::mutex>& l) {
  std::shared_ptr<MemTable> m = imm_.back();
  // Once m's table is recorded, WAL segments before the next memtable's are
  // obsolete.
  const uint64_t next_log =
      imm_.size() >= 2 ? imm_[imm_.size() - 2]->log_number() : mem_->log_number();
  l.unlock();

  if (options_.test_flush_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.test_flush_delay_ms));
  }
  const uint64_t flush_start = MonotonicNanos();
  VersionEdit edit;
  std::vector<FlushInfo> flushed;
  Status s = WriteLevel0Table(m.get(), &edit, &flushed);
  if (s.ok() && !flushed.empty()) s = env_->SyncDir(dbname_);  // R3
  if (s.ok()) {
    LSM_KILL_POINT("flush.before_edit");
    edit.SetLogNumber(next_log);
    s = versions_->LogAndApply(&edit);
  }
  // R4: the edit that obsoletes the segment is durable; no reader uses WALs.
  if (s.ok()) LSM_KILL_POINT("flush.before_wal_delete");
  if (s.ok()) env_->RemoveFile(LogFileName(dbname_, m->log_number())).ok();

  l.lock();
  if (s.ok()) {
    imm_.pop_back();
    RetiredSuperVersion retired = InstallSuperVersion();
    bg_work_gen_++;  // a new L0 file: compaction may be due (FlushLoop notifies)
    if (!flushed.empty()) latencies_.RecordSince(LatencyKind::kFlush, flush_start);
    ReportFlushes(flushed);
    flushed_log_number_ = next_log;
    // Freeing the flushed memtable (its arena) took 0.4-1.3 ms, measured
    // under fillrandom: not under mu_, which inline writers and readers
    // refreshing their SuperVersion take.
    l.unlock();
    retired = {};
    m.reset();
    l.lock();
  }
  return s;
}

Status DBImpl::WaitForFlush(std::unique_lock<std::mutex>& l, uint64_t target) {
  bg_cv_.wait(l, [&]() REQUIRES(mu_) {
    return !bg_error_.ok() || flushed_log_number_ > target || stop_flush_;
  });
  if (!bg_error_.ok()) return bg_error_;
  if (flushed_log_number_ <= target) return Status::Closed();
  return Status::OK();
}

Status DBImpl::EnqueueFlushAndWait() {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  uint64_t target = 0;
  auto* w = new Writer();
  w->flush_request = true;
  // The commit thread deletes `w` right after done(): copy the target inside.
  w->done = [&, w](const Status&) {
    std::lock_guard<std::mutex> g(m);
    target = w->flush_target;
    done = true;
    cv.notify_one();
  };
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_commit_) {
      delete w;
      return Status::Closed();
    }
    writers_.push_back(w);
    commit_cv_.notify_one();
  }
  {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return done; });
  }
  std::unique_lock<std::mutex> l(mu_);
  if (!bg_error_.ok()) return bg_error_;
  if (target == 0) return Status::OK();
  return WaitForFlush(l, target);
}

Status DBImpl::Flush() {
  {
    std::lock_guard<std::mutex> l(mu_);
    Status s = WriteRejection();
    if (!s.ok()) return s;
  }
  return EnqueueFlushAndWait();
}

// ---------------------------------------------------------------------------
// Compaction (compaction.h picks, compaction_job.h runs)

void DBImpl::CompactionLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_compaction_) {
    std::unique_ptr<Compaction> c;
    if (bg_error_.ok() && AutoCompactions() && manual_compactions_ == 0) {
      c = picker_.PickCompaction(versions_->current(), compacting_files_);
    }
    if (!c) {
      const uint64_t gen = bg_work_gen_;
      bg_cv_.wait(l, [&]() REQUIRES(mu_) { return stop_compaction_ || bg_work_gen_ != gen; });
      continue;
    }
    CompactionInfo info;
    // Errors went to SetBackgroundError.
    if (RunCompaction(l, std::move(c), &info).ok() && options_.listener) {
      options_.listener->OnCompactionCompleted(info);
    }
  }
}

Status DBImpl::RunCompaction(std::unique_lock<std::mutex>& l, std::unique_ptr<Compaction> c,
                             CompactionInfo* info) {
  const std::vector<uint64_t> numbers = c->InputNumbers();
  const bool read_triggered = c->read_triggered();
  compacting_files_.insert(numbers.begin(), numbers.end());
  std::vector<SequenceNumber> snapshots = LiveSnapshotsLocked();
  stat_running_compactions_.fetch_add(1, std::memory_order_relaxed);
  l.unlock();

  if (options_.test_compaction_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.test_compaction_delay_ms));
  }
  const uint64_t compaction_start = MonotonicNanos();
  CompactionJob job(c.get(), dbname_, options_, env_, table_options_, versions_.get(),
                    std::move(snapshots), &shutting_down_);
  Status s = job.Run();
  *info = job.info();
  c.reset();  // its input Version: inputs no reader holds are deleted here (R4)

  l.lock();
  stat_running_compactions_.fetch_sub(1, std::memory_order_relaxed);
  for (uint64_t n : numbers) compacting_files_.erase(n);
  if (s.ok()) {
    RetiredSuperVersion old = InstallSuperVersion();
    latencies_.RecordSince(LatencyKind::kCompaction, compaction_start);
    stat_compactions_.fetch_add(1, std::memory_order_relaxed);
    if (read_triggered) stat_read_compactions_.fetch_add(1, std::memory_order_relaxed);
    if (!info->trivial_move) {
      stat_compaction_read_.fetch_add(info->input_bytes, std::memory_order_relaxed);
      stat_compaction_written_.fetch_add(info->output_bytes, std::memory_order_relaxed);
    }
    stat_compaction_micros_.fetch_add(info->micros, std::memory_order_relaxed);
    // The old SuperVersion may hold the last reference to the inputs:
    // delete their files without blocking writers on mu_.
    l.unlock();
    old = {};
    l.lock();
  } else if (!s.IsClosed()) {
    SetBackgroundError(s);  // R2; the inputs are still live: nothing is lost
  }
  bg_work_gen_++;
  bg_cv_.notify_all();
  MaybeEndL0Slowdown();
  return s;
}

Status DBImpl::ManualCompaction(int level, int output_level, const KeyRange& range, bool* done,
                                CompactionInfo* info) {
  *done = false;
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (!bg_error_.ok()) return bg_error_;
    if (stop_compaction_) return Status::Closed();
    bool conflict = false;
    std::unique_ptr<Compaction> c = picker_.PickRange(versions_->current(), level, output_level,
                                                      range, compacting_files_, &conflict);
    if (c) {
      *done = true;
      return RunCompaction(l, std::move(c), info);
    }
    if (!conflict) return Status::OK();
    // A background compaction holds some of the files: wait for it.
    const uint64_t gen = bg_work_gen_;
    bg_cv_.wait(l, [&]() REQUIRES(mu_) {
      return stop_compaction_ || !bg_error_.ok() || bg_work_gen_ != gen;
    });
  }
}

namespace {

struct RangeFiles {
  uint64_t files = 0, bytes = 0, deletions = 0;
};

RangeFiles FilesInRange(const Version& v, int level, const KeyRange& range) {
  UserKeyBounds b;
  b.has_begin = range.has_lower;
  b.begin = range.lower;
  b.has_end = range.has_upper;
  b.end = range.upper;
  std::vector<Version::FilePtr> files;
  GetOverlappingFiles(v, level, &b, &files);
  RangeFiles r;
  for (const Version::FilePtr& f : files) {
    r.files++;
    r.bytes += f->file_size;
    r.deletions += f->num_deletions;
  }
  return r;
}

}  // namespace

Status DBImpl::CompactRange(const KeyRange* range) {
  Status s = Flush();
  if (!s.ok()) return s;
  const KeyRange all;
  const KeyRange& r = range != nullptr ? *range : all;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_compaction_) return Status::Closed();
    manual_compactions_++;
  }

  // The deepest level holding keys of the range: everything above moves
  // down to it, one level at a time (so tombstones reach it and drop, R7).
  int bottom = -1;
  {
    std::shared_ptr<const Version> v = versions_->current();
    for (int level = 0; level < kNumLevels; level++) {
      if (FilesInRange(*v, level, r).files > 0) bottom = level;
    }
  }
  const int last = std::max(bottom, 1);
  uint64_t files_done = 0, bytes_done = 0, files_total = 0, bytes_total = 0;
  // Files the steps from `level` on will still read (inputs of level ->
  // level + 1 and the overlapping files of the level below).
  auto remaining = [&](int level) {
    RangeFiles rest;
    if (level >= last) return rest;
    std::shared_ptr<const Version> v = versions_->current();
    for (int l = level; l <= last; l++) {
      RangeFiles f = FilesInRange(*v, l, r);
      rest.files += f.files;
      rest.bytes += f.bytes;
    }
    return rest;
  };
  // Each step is reported when the next one is done (or at the end), so the
  // last event always says done == total.
  std::unique_ptr<CompactionInfo> pending;
  auto report = [&](std::unique_ptr<CompactionInfo> next) {
    if (!pending) {
      pending = std::move(next);
      return;
    }
    CompactionInfo* info = pending.get();
    const bool finished = !next;
    files_done += info->input_files;
    bytes_done += info->input_bytes;
    const RangeFiles rest = finished ? RangeFiles() : remaining(info->output_level);
    files_total = std::max(files_total, files_done + rest.files);
    bytes_total = std::max(bytes_total, bytes_done + rest.bytes);
    if (finished) {
      files_total = files_done;
      bytes_total = bytes_done;
    }
    info->files_done = files_done;
    info->files_total = files_total;
    info->bytes_done = bytes_done;
    info->bytes_total = bytes_total;
    if (options_.listener) options_.listener->OnCompactionCompleted(*info);
    pending = std::move(next);
  };
  // Tombstones left at the bottom (kept earlier for a snapshot or for data
  // below that is gone now) are dropped by rewriting it in place.
  auto bottom_has_tombstones = [&]() {
    return bottom >= 1 && FilesInRange(*versions_->current(), last, r).deletions > 0;
  };

  if (bottom >= 0) {
    const RangeFiles rest = remaining(0);
    files_total = rest.files;
    bytes_total = rest.bytes;
  }
  for (int level = 0; bottom >= 0 && level < last && s.ok(); level++) {
    bool did = false;
    auto info = std::make_unique<CompactionInfo>();
    s = ManualCompaction(level, level + 1, r, &did, info.get());
    if (s.ok() && did) report(std::move(info));
  }
  if (s.ok() && bottom_has_tombstones()) {
    bool did = false;
    auto info = std::make_unique<CompactionInfo>();
    s = ManualCompaction(last, last, r, &did, info.get());
    if (s.ok() && did) report(std::move(info));
  }
  if (pending) report(nullptr);
  {
    std::lock_guard<std::mutex> l(mu_);
    manual_compactions_--;
    bg_work_gen_++;  // background threads may pick again
  }
  bg_cv_.notify_all();
  return s;
}

Status DBImpl::TEST_CompactRange(int level, const KeyRange* range) {
  const KeyRange all;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_compaction_) return Status::Closed();
    manual_compactions_++;
  }
  bool did = false;
  CompactionInfo info;
  Status s = ManualCompaction(level, level + 1, range != nullptr ? *range : all, &did, &info);
  if (s.ok() && did && options_.listener) options_.listener->OnCompactionCompleted(info);
  {
    std::lock_guard<std::mutex> l(mu_);
    manual_compactions_--;
    bg_work_gen_++;
  }
  bg_cv_.notify_all();
  return s;
}

void DBImpl::MaybeEndL0Slowdown() {
  if (!l0_slowdown_active_ ||
      static_cast<int>(super_version_->version->NumFiles(0)) >= options_.l0_slowdown_trigger) {
    return;
  }
  l0_slowdown_active_ = false;
  if (options_.listener) {
    options_.listener->OnStallEnd(StallReason::kL0Slowdown, l0_slowdown_episode_micros_);
  }
}

void DBImpl::RecordStall(StallReason reason, uint64_t micros) {
  const int i = static_cast<int>(reason);
  stat_stalls_.fetch_add(1, std::memory_order_relaxed);
  stat_stall_micros_.fetch_add(micros, std::memory_order_relaxed);
  stat_stall_count_[i].fetch_add(1, std::memory_order_relaxed);
  stat_stall_reason_micros_[i].fetch_add(micros, std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------
// Reads

std::shared_ptr<const DBImpl::SuperVersion> DBImpl::GetSuperVersion() {
  std::lock_guard<std::mutex> l(mu_);
  return super_version_;
}

std::shared_ptr<const DBImpl::SuperVersion> DBImpl::GetSuperVersion(const ReadOptions& options,
                                                                    SequenceNumber* seq) {
  std::lock_guard<std::mutex> l(mu_);
  *seq = ReadSequence(options);
  return super_version_;
}

SequenceNumber DBImpl::ReadSequence(const ReadOptions& options) const {
  return options.snapshot != nullptr ? static_cast<const SnapshotImpl*>(options.snapshot)->seq
                                     : versions_->LastSequence();
}

Status DBImpl::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  using Entry = SharedPtrCache<SuperVersion>::Entry;
  Entry* cached = sv_cache_.Acquire([this](Entry* e) {
    std::lock_guard<std::mutex> l(mu_);
    e->ptr = super_version_;
    e->generation = sv_cache_.generation();
  });
  if (cached == nullptr) {  // another thread is reading through the cache
    SequenceNumber seq;
    std::shared_ptr<const SuperVersion> sv = GetSuperVersion(options, &seq);
    return sv ? GetFrom(*sv, seq, key, value) : Status::Closed();
  }
  // The sequence is read after the SuperVersion was found current, never
  // before (see GetSuperVersion). A memtable switched in since may hold
  // writes at or below it that this read misses: they were published after
  // the switch, so after this read began, and missing them is still a
  // linearizable answer. Iterators take both under mu_.
  Status s = Status::Closed();
  if (const SuperVersion* sv = cached->ptr.get()) s = GetFrom(*sv, ReadSequence(options), key, value);
  sv_cache_.Release(cached);
  return s;
}

Status DBImpl::GetFrom(const SuperVersion& sv, SequenceNumber seq, const Slice& key, std::string* value) {
  stat_gets_.fetch_add(1, std::memory_order_relaxed);
  LookupKey lkey(key, seq);
  Status s;
  if (sv.mem->Get(lkey, value, &s)) return s;
  ChargeMemtable(*sv.mem, kGetChargeNanos);
  for (const auto& m : sv.imm) {
    if (m->Get(lkey, value, &s)) return s;
  }
  bool compaction_due = false;
  const bool found = sv.version->Get(lkey, value, &s, &compaction_due);
  if (compaction_due) ReadCompactionDue();
  return found ? s : Status::NotFound();
}

Iterator* DBImpl::NewIterator(const ReadOptions& options, const KeyRange& range) {
  SequenceNumber seq;
  std::shared_ptr<const SuperVersion> sv = GetSuperVersion(options, &seq);
  if (!sv) return NewErrorIterator(Status::Closed());
  std::vector<const MemTable*> mems{sv->mem.get()};
  for (const auto& m : sv->imm) mems.push_back(m.get());
  Iterator* merged = NewInternalIterator(mems, *sv->version, range);
  // Read-triggered compaction: one seek in kSeekSample, counted across the
  // DB's iterators (many open one iterator per seek), is charged for all of
  // them; finding the tables that hold a key costs ~3% of a seek. A load and
  // a store: a count lost to a race only moves the sample.
  constexpr uint64_t kSeekSample = 8;
  SeekHook on_seek = [this, mem = sv->mem.get(), version = sv->version.get()](const Slice& target) {
    const uint64_t n = seeks_.load(std::memory_order_relaxed) + 1;
    seeks_.store(n, std::memory_order_relaxed);
    if (n % kSeekSample != 0) return;
    ChargeMemtable(*mem, kSeekSample * kSeekChargeNanos);
    if (version->ChargeSeek(target, kSeekSample * kSeekChargeNanos)) ReadCompactionDue();
  };
  return NewDBIterator(merged, seq, range, std::move(sv), std::move(on_seek));
}

void DBImpl::ReadCompactionDue() {
  if (!options_.read_triggered_compaction) return;
  std::lock_guard<std::mutex> l(mu_);
  bg_work_gen_++;
  bg_cv_.notify_all();
}

void DBImpl::ChargeMemtable(const MemTable& mem, uint64_t nanos) {
  if (!options_.read_triggered_compaction) return;
  // Only a memtable a quarter full or more: a few recent writes are not
  // worth a table of their own.
  const size_t bytes = mem.ApproximateMemoryUsage();
  if (bytes < options_.write_buffer_size / 4) return;
  if (mem.read_charges().Add(nanos, CompactionCostNanos(bytes))) MaybeReadFlush(mem);
}

void DBImpl::MaybeReadFlush(const MemTable& mem) {
  std::lock_guard<std::mutex> l(mu_);
  // The flush's price is writing the memtable's bytes; the charges reset at
  // every write, so a memtable still being written is never flushed early.
  if (mem_.get() != &mem || read_flush_requested_ == mem.log_number() || !WriteRejection().ok() ||
      mem.read_charges().load() < CompactionCostNanos(mem.ApproximateMemoryUsage())) {
    return;
  }
  read_flush_requested_ = mem.log_number();
  stat_read_flushes_.fetch_add(1, std::memory_order_relaxed);
  auto* w = new Writer();
  w->flush_request = true;
  w->done = [](const Status&) {};
  writers_.push_back(w);
  if (writers_.size() == 1) commit_cv_.notify_one();
}

const Snapshot* DBImpl::GetSnapshot() {
  std::lock_guard<std::mutex> l(mu_);
  auto* snap = new SnapshotImpl(versions_->LastSequence());
  snap->pos = snapshots_.insert(snap->seq);
  return snap;
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  const auto* impl = static_cast<const SnapshotImpl*>(snapshot);
  {
    std::lock_guard<std::mutex> l(mu_);
    snapshots_.erase(impl->pos);
  }
  delete impl;
}

SequenceNumber DBImpl::OldestLiveSequence() {
  std::lock_guard<std::mutex> l(mu_);
  return snapshots_.empty() ? versions_->LastSequence() : *snapshots_.begin();
}

std::vector<SequenceNumber> DBImpl::LiveSnapshots() {
  std::lock_guard<std::mutex> l(mu_);
  return LiveSnapshotsLocked();
}

std::vector<SequenceNumber> DBImpl::LiveSnapshotsLocked() const {
  return std::vector<SequenceNumber>(snapshots_.begin(), snapshots_.end());  // multiset: ascending
}

Status DBImpl::DeleteRange(const WriteOptions& options, const KeyRange& range) {
  std::unique_ptr<Iterator> it(NewIterator(ReadOptions(), range));
  WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(it->key());
  Status s = it->status();
  if (!s.ok()) return s;
  if (batch.Count() == 0) return Status::OK();
  return Write(options, &batch);
}

uint64_t DBImpl::ApproximateSize(const KeyRange& range) {
  std::shared_ptr<const SuperVersion> sv = GetSuperVersion();
  if (!sv) return 0;
  return ApproximateTableBytes(*sv->version, range);
}

DBImpl::RetiredSuperVersion DBImpl::InstallSuperVersion() {
  auto sv = std::make_shared<SuperVersion>();
  sv->mem = mem_;
  sv->imm.assign(imm_.begin(), imm_.end());
  sv->version = versions_->current();
  RetiredSuperVersion retired{std::move(super_version_), nullptr};
  super_version_ = std::move(sv);
  retired.cached = sv_cache_.Invalidate();
  return retired;
}

// ---------------------------------------------------------------------------
// Errors, stats, close

void DBImpl::SetBackgroundError(const Status& s) {
  if (!bg_error_.ok()) return;
  bg_error_ = s;  // R2: sticky; never retried
  bg_cv_.notify_all();
  if (options_.listener) options_.listener->OnBackgroundError(s);
}

Status DBImpl::BackgroundError() {
  std::lock_guard<std::mutex> l(mu_);
  return bg_error_;
}

void DBImpl::GetStats(DBStats* st) {
  *st = DBStats();
  st->puts = stat_puts_.load(std::memory_order_relaxed);
  st->deletes = stat_deletes_.load(std::memory_order_relaxed);
  st->gets = stat_gets_.load(std::memory_order_relaxed);
  st->batches = stat_batches_.load(std::memory_order_relaxed);
  st->bytes_written = stat_bytes_written_.load(std::memory_order_relaxed);
  st->wal_bytes = stat_wal_bytes_.load(std::memory_order_relaxed);
  st->wal_syncs = stat_wal_syncs_.load(std::memory_order_relaxed);
  st->group_commits = stat_group_commits_.load(std::memory_order_relaxed);
  st->inline_commits = stat_inline_commits_.load(std::memory_order_relaxed);
  st->flushes = stat_flushes_.load(std::memory_order_relaxed);
  st->flush_bytes = stat_flush_bytes_.load(std::memory_order_relaxed);
  st->stalls = stat_stalls_.load(std::memory_order_relaxed);
  st->stall_micros = stat_stall_micros_.load(std::memory_order_relaxed);
  st->obsolete_files_removed = stat_obsolete_removed_.load(std::memory_order_relaxed);
  st->compactions = stat_compactions_.load(std::memory_order_relaxed);
  st->read_compactions = stat_read_compactions_.load(std::memory_order_relaxed);
  st->read_flushes = stat_read_flushes_.load(std::memory_order_relaxed);
  st->compaction_bytes_read = stat_compaction_read_.load(std::memory_order_relaxed);
  st->compaction_bytes_written = stat_compaction_written_.load(std::memory_order_relaxed);
  st->compaction_micros = stat_compaction_micros_.load(std::memory_order_relaxed);
  st->running_compactions = stat_running_compactions_.load(std::memory_order_relaxed);
  st->tables_deleted = versions_->obsolete_tables_deleted();
  for (int i = 0; i < kNumStallReasons; i++) {
    st->stall_reasons[i].count = stat_stall_count_[i].load(std::memory_order_relaxed);
    st->stall_reasons[i].micros = stat_stall_reason_micros_[i].load(std::memory_order_relaxed);
  }
  if (st->bytes_written > 0) {
    st->write_amplification =
        static_cast<double>(st->wal_bytes + st->flush_bytes + st->compaction_bytes_written) /
        static_cast<double>(st->bytes_written);
  }
  st->last_sequence = versions_->LastSequence();
  std::shared_ptr<const SuperVersion> sv;
  {
    std::lock_guard<std::mutex> l(mu_);
    sv = super_version_;
  }
  if (!sv) return;
  st->memtable_bytes = sv->mem->ApproximateMemoryUsage();
  st->immutable_memtables = sv->imm.size();
  for (const auto& m : sv->imm) st->immutable_memtable_bytes += m->ApproximateMemoryUsage();
  for (int level = 0; level < kNumLevels; level++) {
    LevelStats ls;
    ls.level = level;
    ls.files = sv->version->NumFiles(level);
    ls.bytes = sv->version->NumBytes(level);
    ls.score = picker_.Score(*sv->version, level);
    st->levels.push_back(ls);
  }
  st->pending_compaction_bytes = picker_.PendingCompactionBytes(*sv->version);
}

Status DBImpl::Close() {
  std::lock_guard<std::mutex> c(close_mu_);
  if (closed_) return close_status_;
  closed_ = true;

  {
    std::lock_guard<std::mutex> l(mu_);
    accepting_writes_ = false;  // R8: stop accepting writes
  }
  // Writes already queued complete; the flush request queues behind them and
  // rotates the last memtable, then we wait until every memtable is on disk.
  Status s = EnqueueFlushAndWait();
  if (s.IsClosed()) s = Status::OK();  // nothing left to flush
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_commit_ = true;
  }
  commit_cv_.notify_all();
  commit_thread_.Join();
  // Running compactions stop early (their inputs stay live); manual ones
  // return Closed; wait for all of them.
  shutting_down_.store(true);
  {
    std::unique_lock<std::mutex> l(mu_);
    stop_compaction_ = true;
    bg_cv_.notify_all();
    bg_cv_.wait(l, [this]() REQUIRES(mu_) { return manual_compactions_ == 0; });
  }
  for (auto& t : compaction_threads_) t->Join();
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_flush_ = true;
    if (s.ok()) s = bg_error_;
  }
  bg_cv_.notify_all();
  flush_thread_.Join();

  if (wal_) {
    Status w = wal_->Close();
    if (s.ok()) s = w;
    // Every memtable is flushed: the current segment holds nothing the
    // tables lack, so it goes too (R8: no WAL data outside SSTables).
    if (s.ok()) env_->RemoveFile(LogFileName(dbname_, wal_number_)).ok();
    wal_.reset();
  }
  if (s.ok()) s = env_->SyncDir(dbname_);
  {
    std::lock_guard<std::mutex> l(mu_);
    super_version_.reset();
    sv_cache_.Invalidate();
    mem_.reset();
    imm_.clear();
  }
  if (lock_) {
    Status u = env_->UnlockFile(std::move(lock_));
    if (s.ok()) s = u;
  }
  close_status_ = s;
  return s;
}

}  // namespace lsm
