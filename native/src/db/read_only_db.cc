// ReadOnlyDB: loading a live database's state without touching it, and
// serving reads from it. See read_only_db.h for the design.
#include "db/read_only_db.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "db/db_iter.h"
#include "db/filename.h"
#include "db/log_replay.h"
#include "db/read_sources.h"
#include "log/log_reader.h"
#include "lsm/write_batch.h"
#include "table/iterator.h"

namespace lsm {

namespace {

// Loads that find the directory changing under them start over this many
// times (waiting 1, 2, ... ms) before the last error is returned. A writer
// changes CURRENT/MANIFEST/WAL names only per flush or compaction, so a
// second attempt almost always succeeds.
constexpr int kMaxLoadAttempts = 12;

Status ReadOnlyError() { return Status::ReadOnly("database is open read-only"); }

// Inserts a WAL batch into the read-only memtable.
class Inserter final : public WriteBatch::Handler {
 public:
  Inserter(SequenceNumber first, MemTable* mem) : seq_(first), mem_(mem) {}
  void Put(const Slice& key, const Slice& value) override {
    mem_->Add(seq_++, kTypeValue, key, value);
  }
  void Delete(const Slice& key) override { mem_->Add(seq_++, kTypeDeletion, key, Slice()); }

 private:
  SequenceNumber seq_;
  MemTable* mem_;
};

}  // namespace

Status OpenReadOnlyDB(const Options& options, const std::string& name,
                      std::unique_ptr<DB>* dbptr) {
  dbptr->reset();
  auto db = std::make_unique<ReadOnlyDB>(options, name);
  Status s = db->Open();
  if (!s.ok()) return s;
  *dbptr = std::move(db);
  return Status::OK();
}

ReadOnlyDB::ReadOnlyDB(const Options& options, std::string dbname)
    : dbname_(std::move(dbname)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      table_options_([] {
        // Reading needs only the comparator and the filter's key form; block
        // sizes and bloom bits are the writer's and stored in each table.
        TableOptions t;
        t.comparator = GetInternalKeyComparator();
        t.filter_key_suffix_strip = kInternalKeyTrailer;
        return t;
      }()) {}

ReadOnlyDB::~ReadOnlyDB() { Close().ok(); }

Status ReadOnlyDB::Open() {
  if (!env_->FileExists(CurrentFileName(dbname_))) {
    // Never created here: a read-only open creates nothing.
    return Status::InvalidArgument(dbname_, "does not exist (readOnly open)");
  }
  std::shared_ptr<const State> state;
  Status s = Load(nullptr, &state);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  state_ = std::move(state);
  return Status::OK();
}

Status ReadOnlyDB::Load(const State* previous, std::shared_ptr<const State>* out) {
  Status s;
  for (int attempt = 1;; attempt++) {
    s = LoadOnce(previous, out);
    // A format or option mismatch will not go away by reading again.
    if (s.ok() || s.IsInvalidArgument() || s.code() == Status::kNotSupported) return s;
    if (attempt == kMaxLoadAttempts) return s;
    retries_.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
  }
}

Status ReadOnlyDB::LoadOnce(const State* previous, std::shared_ptr<const State>* out) {
  std::string manifest;
  Status s = ReadCurrentFile(env_, dbname_, &manifest);
  if (!s.ok()) return s;
  const std::string mname = dbname_ + "/" + manifest;
  std::string contents;
  s = env_->ReadFileToString(mname, &contents);
  if (!s.ok()) return s;

  auto state = std::make_shared<State>();
  std::shared_ptr<Version> version;
  uint64_t log_number = 0;
  SequenceNumber last_sequence = 0;
  s = ReplayManifest(mname, contents, previous, &version, &log_number, &last_sequence);
  if (!s.ok()) return s;

  // The WAL segments the MANIFEST does not cover. The writer deletes a
  // segment only after an edit moved log_number past it, oldest first, so if
  // segment log_number is still listed here, every newer one is too.
  std::vector<uint64_t> logs;
  uint64_t max_number;
  s = ListWalSegments(env_, dbname_, log_number, &logs, &max_number);
  if (!s.ok()) return s;
  if (log_number != 0 && (logs.empty() || logs.front() != log_number)) {
    // Gone: either the writer closed cleanly (its last segment is removed
    // with nothing left in it), or it flushed that segment after we read the
    // MANIFEST, and the table holding its data is in a newer edit. Only the
    // first case leaves the MANIFEST as we read it.
    uint64_t size = 0;
    std::string now;
    if (!env_->GetFileSize(mname, &size).ok() || size != contents.size() ||
        !ReadCurrentFile(env_, dbname_, &now).ok() || now != manifest) {
      return Status::IOError(mname, "changed while loading (writer flushed)");
    }
  }
  state->mem = std::make_shared<MemTable>(GetInternalKeyComparator(), 0, options_.write_buffer_size);
  SequenceNumber max_sequence = last_sequence;
  for (size_t i = 0; i < logs.size(); i++) {
    s = ReplayWal(logs[i], i + 1 == logs.size(), state->mem.get(), &max_sequence);
    if (!s.ok()) return s;
  }
  for (int level = 0; level < DB::kNumLevels; level++) {
    for (const Version::FilePtr& f : version->files[level]) {
      max_sequence = std::max(max_sequence, f->largest_seq);
    }
  }
  state->version = std::move(version);
  state->last_sequence = max_sequence;
  *out = std::move(state);
  return Status::OK();
}

Status ReadOnlyDB::ReplayManifest(const std::string& fname, const std::string& contents,
                                  const State* previous, std::shared_ptr<Version>* version,
                                  uint64_t* log_number, SequenceNumber* last_sequence) {
  ManifestSummary sum;
  log::Reader reader(fname, contents);
  Slice record;
  uint64_t offset;
  // A torn tail is an edit the writer is appending right now: the records
  // before it are the state as of the last complete edit.
  while (reader.ReadRecord(&record, &offset)) {
    Status s = ApplyManifestRecord(fname, record, offset, &sum);
    if (!s.ok()) return s;
  }
  if (!reader.status().ok()) return reader.status();
  if (!sum.have_log || !sum.have_seq) {
    // Also what a MANIFEST looks like while its first record is being written.
    return Status::Corruption(fname, "no complete version record at offset 0");
  }
  *log_number = sum.log_number;
  *last_sequence = sum.last_sequence;

  // Tables already open in the previous state are reused (numbers never
  // repeat); the others are opened now, which pins them against deletion.
  std::map<uint64_t, Version::FilePtr> open;
  if (previous != nullptr) {
    for (int level = 0; level < DB::kNumLevels; level++) {
      for (const Version::FilePtr& f : previous->version->files[level]) open[f->number] = f;
    }
  }
  auto v = std::make_shared<Version>();
  for (auto& [key, meta] : sum.files) {
    auto it = open.find(meta.number);
    if (it == open.end()) {
      std::unique_ptr<Table> table;
      Status s = Table::Open(table_options_, env_, TableFileName(dbname_, meta.number),
                             options_.use_mmap, &table);
      if (!s.ok()) return s;  // a vanished file is retried by Load()
      meta.table = std::move(table);
      it = open.emplace(meta.number, std::make_shared<const FileMetaData>(std::move(meta))).first;
    }
    v->files[key.first].push_back(it->second);
  }
  v->SortFiles();
  *version = std::move(v);
  return Status::OK();
}

Status ReadOnlyDB::ReplayWal(uint64_t number, bool is_last, MemTable* mem,
                             SequenceNumber* max_sequence) {
  // A segment flushed and deleted meanwhile fails here: Load() retries.
  const std::string fname = LogFileName(dbname_, number);
  return ReplayWalSegment(env_, fname, is_last, [&](const WriteBatch& batch, uint64_t offset) {
    Inserter inserter(batch.Sequence(), mem);
    if (!batch.Iterate(&inserter).ok()) {
      return Status::Corruption(fname, "bad write batch at offset " + std::to_string(offset));
    }
    if (batch.Count() > 0) {
      *max_sequence = std::max(*max_sequence, batch.Sequence() + batch.Count() - 1);
    }
    return Status::OK();
  });
}

Status ReadOnlyDB::Refresh() {
  std::lock_guard<std::mutex> r(refresh_mu_);
  std::shared_ptr<const State> previous;
  {
    std::lock_guard<std::mutex> l(mu_);
    previous = state_;
  }
  if (!previous) return Status::Closed();
  std::shared_ptr<const State> next;
  Status s = Load(previous.get(), &next);
  if (!s.ok()) return s;  // the previous state stays in place
  std::lock_guard<std::mutex> l(mu_);
  if (!state_) return Status::Closed();
  state_ = std::move(next);
  return Status::OK();
}

std::shared_ptr<const ReadOnlyDB::State> ReadOnlyDB::ReadState(const ReadOptions& options) const {
  if (options.snapshot != nullptr) {
    return static_cast<const SnapshotImpl*>(options.snapshot)->state;
  }
  std::lock_guard<std::mutex> l(mu_);
  return state_;
}

Status ReadOnlyDB::Get(const ReadOptions& options, const Slice& key, std::string* value) {
  std::shared_ptr<const State> st = ReadState(options);
  if (!st) return Status::Closed();
  stat_gets_.fetch_add(1, std::memory_order_relaxed);
  LookupKey lkey(key, st->last_sequence);
  Status s;
  if (st->mem->Get(lkey, value, &s)) return s;
  if (st->version->Get(lkey, value, &s)) return s;  // nothing compacts a read-only DB
  return Status::NotFound();
}

Iterator* ReadOnlyDB::NewIterator(const ReadOptions& options, const KeyRange& range) {
  std::shared_ptr<const State> st = ReadState(options);
  if (!st) return NewErrorIterator(Status::Closed());
  Iterator* merged = NewInternalIterator({st->mem.get()}, *st->version, range);
  const SequenceNumber seq = st->last_sequence;
  return NewDBIterator(merged, seq, range, std::move(st));
}

const Snapshot* ReadOnlyDB::GetSnapshot() {
  std::lock_guard<std::mutex> l(mu_);
  // After Close a snapshot of nothing: reads through it see an empty state
  // rather than crash (the binding never gets here after close).
  if (!state_) {
    auto empty = std::make_shared<State>();
    empty->mem = std::make_shared<MemTable>(GetInternalKeyComparator(), 0, 4096);
    empty->version = std::make_shared<Version>();
    return new SnapshotImpl(std::move(empty));
  }
  return new SnapshotImpl(state_);
}

void ReadOnlyDB::ReleaseSnapshot(const Snapshot* snapshot) {
  delete static_cast<const SnapshotImpl*>(snapshot);
}

uint64_t ReadOnlyDB::ApproximateSize(const KeyRange& range) {
  std::shared_ptr<const State> st = ReadState(ReadOptions());
  return st ? ApproximateTableBytes(*st->version, range) : 0;
}

Status ReadOnlyDB::Write(const WriteOptions&, WriteBatch*) { return ReadOnlyError(); }

void ReadOnlyDB::WriteAsync(const WriteOptions&, WriteBatch&&,
                            std::function<void(const Status&)> done) {
  done(ReadOnlyError());
}

Status ReadOnlyDB::DeleteRange(const WriteOptions&, const KeyRange&) { return ReadOnlyError(); }
Status ReadOnlyDB::Flush() { return ReadOnlyError(); }
Status ReadOnlyDB::CompactRange(const KeyRange*) { return ReadOnlyError(); }

Status ReadOnlyDB::Close() {
  // Nothing to flush or release on disk; tables unmap when the last
  // iterator or snapshot pinning them goes.
  std::lock_guard<std::mutex> l(mu_);
  state_.reset();
  return Status::OK();
}

void ReadOnlyDB::GetStats(DBStats* st) {
  *st = DBStats();
  st->gets = stat_gets_.load(std::memory_order_relaxed);
  std::shared_ptr<const State> state = ReadState(ReadOptions());
  if (!state) return;
  st->last_sequence = state->last_sequence;
  st->memtable_bytes = state->mem->ApproximateMemoryUsage();
  for (int level = 0; level < kNumLevels; level++) {
    LevelStats ls;
    ls.level = level;
    ls.files = state->version->NumFiles(level);
    ls.bytes = state->version->NumBytes(level);
    st->levels.push_back(ls);
  }
}

}  // namespace lsm
