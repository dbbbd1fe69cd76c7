// Version lookups, MANIFEST recovery and durable version changes.
#include "db/version_set.h"

#include <algorithm>
#include <map>
#include <set>

#include "db/filename.h"
#include "db/log_replay.h"
#include "log/log_format.h"
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "util/coding.h"
#include "util/kill_point.h"

namespace lsm {

namespace {

struct Saver {
  Slice user_key;
  std::string* value;
  bool found = false;
  bool deleted = false;
  bool corrupt = false;
};

void SaveValue(void* arg, const Slice& ikey, const Slice& v) {
  auto* s = static_cast<Saver*>(arg);
  ParsedInternalKey parsed;
  if (!ParseInternalKey(ikey, &parsed)) {
    s->corrupt = true;
    return;
  }
  if (parsed.user_key != s->user_key) return;
  s->found = true;
  if (parsed.type == kTypeValue) s->value->assign(v.data(), v.size());
  else s->deleted = true;
}

bool NewestFirst(const Version::FilePtr& a, const Version::FilePtr& b) {
  if (a->largest_seq != b->largest_seq) return a->largest_seq > b->largest_seq;
  return a->number > b->number;
}

bool BySmallestKey(const Version::FilePtr& a, const Version::FilePtr& b) {
  int r = GetInternalKeyComparator()->Compare(a->smallest, b->smallest);
  return r != 0 ? r < 0 : a->number < b->number;
}

}  // namespace

// R4 bookkeeping: numbers marked obsolete by durable edits; a file is
// deleted by the deleter of its (one) FileMetaData object when the last
// Version holding it goes away.
struct VersionSet::ObsoleteTables {
  Env* env;
  std::string dbname;
  std::mutex mu;
  std::set<uint64_t> numbers;  // guarded by mu
  std::atomic<uint64_t> deleted{0};

  void Release(const FileMetaData* f) {
    const uint64_t number = f->number;
    delete f;  // closes (unmaps) the table first
    bool obsolete;
    {
      std::lock_guard<std::mutex> l(mu);
      obsolete = numbers.erase(number) > 0;
    }
    if (obsolete && env->RemoveFile(TableFileName(dbname, number)).ok()) {
      deleted.fetch_add(1, std::memory_order_relaxed);
    }
  }
};

namespace {

// True when f's charges pass a multiple of its ReadChargeStep (the caller
// wakes the compaction thread, which weighs them against the real price).
bool Charge(const FileMetaData& f, uint64_t nanos) { return f.read_charges.Add(nanos, ReadChargeStep(f)); }

bool Contains(const FileMetaData& f, const Slice& user_key) {
  return user_key.compare(ExtractUserKey(f.smallest)) >= 0 &&
         user_key.compare(ExtractUserKey(f.largest)) <= 0;
}

// Calls visit(f) for each table whose key range holds `user_key`, newest
// first, until it returns true.
template <typename Visit>
void ForEachTableHolding(const Version& v, const Slice& user_key, Visit&& visit) {
  for (const Version::FilePtr& f : v.files[0]) {
    if (Contains(*f, user_key) && visit(*f)) return;
  }
  for (int level = 1; level < DB::kNumLevels; level++) {
    const std::vector<Version::FilePtr>& fs = v.files[level];
    if (fs.empty()) continue;
    // First file whose largest key >= user_key; files in a level do not
    // overlap, nor share a user key (compaction cuts between user keys).
    auto it = std::lower_bound(fs.begin(), fs.end(), user_key, [](const Version::FilePtr& f, const Slice& k) {
      return ExtractUserKey(f->largest).compare(k) < 0;
    });
    if (it != fs.end() && Contains(**it, user_key) && visit(**it)) return;
  }
}

}  // namespace

bool Version::Get(const LookupKey& key, std::string* value, Status* s, bool* compaction_due) const {
  const Slice user_key = key.user_key();
  const Slice ikey = key.internal_key();
  const uint64_t filter_hash = key.user_key_hash();  // tables filter user keys
  const FileMetaData* first = nullptr;
  uint64_t looked_past = 0;  // tables consulted after `first`
  bool answered = false;
  ForEachTableHolding(*this, user_key, [&](const FileMetaData& f) -> bool {
    if (first == nullptr) first = &f;
    else looked_past++;
    Saver saver{user_key, value};
    Status st = f.table->InternalGet(ikey, &saver, SaveValue, &filter_hash);
    if (!st.ok()) {
      *s = st;
    } else if (saver.corrupt) {
      *s = Status::Corruption("table " + std::to_string(f.number), "bad internal key");
    } else if (!saver.found) {
      return false;
    } else {
      *s = saver.deleted ? Status::NotFound() : Status::OK();
    }
    answered = true;
    return true;
  });
  if (looked_past > 0 && Charge(*first, looked_past * kGetChargeNanos) && compaction_due != nullptr) {
    *compaction_due = true;
  }
  return answered;
}

bool Version::ChargeSeek(const Slice& user_key, uint64_t nanos) const {
  const FileMetaData* first = nullptr;
  uint64_t others = 0;
  ForEachTableHolding(*this, user_key, [&](const FileMetaData& f) -> bool {
    if (first == nullptr) first = &f;
    else others++;
    return false;
  });
  return others > 0 && Charge(*first, others * nanos);
}

uint64_t Version::NumBytes(int level) const {
  uint64_t sum = 0;
  for (const FilePtr& f : files[level]) sum += f->file_size;
  return sum;
}

void Version::SortFiles() {
  std::sort(files[0].begin(), files[0].end(), NewestFirst);
  for (int level = 1; level < DB::kNumLevels; level++) {
    std::sort(files[level].begin(), files[level].end(), BySmallestKey);
  }
}

VersionSet::VersionSet(std::string dbname, const Options* options, Env* env,
                       TableOptions table_options)
    : dbname_(std::move(dbname)),
      options_(options),
      env_(env),
      table_options_(table_options),
      obsolete_(std::make_shared<ObsoleteTables>()),
      current_(std::make_shared<Version>()) {
  obsolete_->env = env_;
  obsolete_->dbname = dbname_;
}

Version::FilePtr VersionSet::MakeFilePtr(const FileMetaData& meta) const {
  std::shared_ptr<ObsoleteTables> obsolete = obsolete_;
  return Version::FilePtr(new FileMetaData(meta), [obsolete](const FileMetaData* f) {
    obsolete->Release(f);
  });
}

void VersionSet::MarkObsolete(const std::vector<uint64_t>& numbers) {
  std::lock_guard<std::mutex> l(obsolete_->mu);
  obsolete_->numbers.insert(numbers.begin(), numbers.end());
}

uint64_t VersionSet::obsolete_tables_deleted() const {
  return obsolete_->deleted.load(std::memory_order_relaxed);
}

VersionSet::~VersionSet() {
  if (manifest_file_) manifest_file_->Close().ok();  // errors surfaced by LogAndApply already
}

std::shared_ptr<const Version> VersionSet::current() const {
  std::lock_guard<std::mutex> l(mu_);
  return current_;
}

void VersionSet::InitNew() {
  next_file_number_.store(2);
  log_number_.store(0);
  last_sequence_.store(0);
}

Status VersionSet::OpenTable(FileMetaData* f) {
  if (f->table) return Status::OK();
  std::unique_ptr<Table> table;
  Status s = Table::Open(table_options_, env_, TableFileName(dbname_, f->number),
                         options_->use_mmap, &table);
  if (!s.ok()) return s;
  f->table = std::move(table);
  return Status::OK();
}

Status VersionSet::Apply(const Version& base, const VersionEdit& edit,
                         std::shared_ptr<Version>* out) {
  auto v = std::make_shared<Version>();
  // A file removed from one level and added to another (a trivial move)
  // keeps its FileMetaData object: one object per file number, so the R4
  // deleter runs only when no Version lists the file at any level.
  std::map<uint64_t, Version::FilePtr> moved;
  for (int level = 0; level < DB::kNumLevels; level++) {
    for (const Version::FilePtr& f : base.files[level]) {
      if (edit.deleted_files_.count({level, f->number}) == 0) v->files[level].push_back(f);
      else moved[f->number] = f;
    }
  }
  for (const auto& [level, meta] : edit.new_files_) {
    auto m = moved.find(meta.number);
    if (m != moved.end()) {
      v->files[level].push_back(m->second);
      continue;
    }
    auto f = std::make_shared<FileMetaData>(meta);
    Status s = OpenTable(f.get());
    if (!s.ok()) return s;
    v->files[level].push_back(MakeFilePtr(*f));
  }
  std::sort(v->files[0].begin(), v->files[0].end(), NewestFirst);
  for (int level = 1; level < DB::kNumLevels; level++) {
    std::sort(v->files[level].begin(), v->files[level].end(), BySmallestKey);
  }
  *out = std::move(v);
  return Status::OK();
}

Status VersionSet::Recover() {
  std::string manifest;
  Status s = ReadCurrentFile(env_, dbname_, &manifest);
  if (!s.ok()) return s;
  const std::string fname = dbname_ + "/" + manifest;
  std::string contents;
  s = env_->ReadFileToString(fname, &contents);
  if (!s.ok()) return s;

  // Accumulate the edits; tables are opened once, at the end.
  ManifestSummary sum;
  log::Reader reader(fname, contents);
  Slice record;
  uint64_t offset;
  while (reader.ReadRecord(&record, &offset)) {
    s = ApplyManifestRecord(fname, record, offset, &sum);
    if (!s.ok()) return s;
  }
  auto& files = sum.files;
  const bool have_log = sum.have_log, have_next = sum.have_next, have_seq = sum.have_seq;
  const uint64_t log_number = sum.log_number, next_file = sum.next_file;
  const SequenceNumber last_seq = sum.last_sequence;
  if (!reader.status().ok()) return reader.status();
  if (reader.dropped_torn_tail()) {
    // Every MANIFEST record is appended whole and fdatasync'd, and the file
    // is never zero-filled, so a real torn write either runs past EOF or
    // reads as zeros. A complete, non-zero final record that fails its
    // checksum is damage to a durable edit: dropping it would silently lose
    // the tables it names (whose WAL segments are already gone).
    const uint64_t bad = reader.valid_length();
    const Slice tail(contents.data() + bad, contents.size() - bad);
    const bool all_zero =
        std::all_of(tail.data(), tail.data() + tail.size(), [](char c) { return c == 0; });
    const bool complete = tail.size() >= log::kHeaderSize &&
                          DecodeFixed32(tail.data() + 4) <= tail.size() - log::kHeaderSize;
    // Issue 5 (crash_test PowerLossTest, KillPointTest): a torn append can
    // also keep its header and read as zeros after it (the file size made
    // it to disk, the last pages did not). Such a tail ends in a zero byte;
    // a flipped bit in a written record does not zero its last byte.
    if (!all_zero && complete && tail[tail.size() - 1] != 0) {
      return Status::Corruption(fname, "corrupt log record at offset " + std::to_string(bad));
    }
    // Issue 5 (crash_test BitFlipTest): whatever the tail looks like, it
    // cannot be a torn append if the WAL segment the edits before it still
    // need is gone: segments are deleted only after a later edit is synced.
    // Dropping that edit would silently lose the writes it made durable.
    if (have_log && log_number != 0 && !env_->FileExists(LogFileName(dbname_, log_number))) {
      return Status::Corruption(fname, "corrupt log record at offset " + std::to_string(bad) +
                                           " (WAL " + std::to_string(log_number) +
                                           " it supersedes is gone)");
    }
  }
  if (!have_log || !have_next || !have_seq) {
    return Status::Corruption(fname, "no complete version record at offset 0");
  }

  // Issue 5 (crash_test TruncationTest): a table the edits name but the
  // directory lacks means edits were lost (e.g. the MANIFEST was cut at a
  // record boundary, hiding the compaction that obsoleted the table).
  for (const auto& [key, f] : files) {
    if (!env_->FileExists(TableFileName(dbname_, f.number))) {
      return Status::Corruption(fname, "names table " + std::to_string(f.number) +
                                           ", which is missing");
    }
  }
  VersionEdit all;
  for (auto& [key, f] : files) all.AddFile(key.first, f);
  std::shared_ptr<Version> v;
  s = Apply(Version(), all, &v);
  if (!s.ok()) return s;

  uint64_t manifest_number = 0;
  FileType type;
  ParseFileName(manifest, &manifest_number, &type);
  next_file_number_.store(std::max(next_file, manifest_number + 1));
  log_number_.store(log_number);
  last_sequence_.store(last_seq);
  manifest_number_.store(manifest_number);
  std::lock_guard<std::mutex> l(mu_);
  current_ = std::move(v);
  return Status::OK();
}

void VersionSet::StampCounters(VersionEdit* edit) {
  edit->SetNextFile(next_file_number_.load());
  edit->SetLastSequence(last_sequence_.load());
  if (!edit->has_log_number_) edit->SetLogNumber(log_number_.load());
}

void VersionSet::SnapshotTo(const Version& v, VersionEdit* edit) {
  edit->SetFormatVersion(kManifestFormatVersion);
  edit->SetComparatorName(GetInternalKeyComparator()->Name());
  for (int level = 0; level < DB::kNumLevels; level++) {
    for (const Version::FilePtr& f : v.files[level]) {
      FileMetaData copy = *f;
      copy.table.reset();
      edit->AddFile(level, copy);
    }
  }
}

Status VersionSet::WriteNewManifest(VersionEdit* edit) {
  std::lock_guard<std::mutex> w(write_mu_);
  std::shared_ptr<Version> v;
  Status s = Apply(*current(), *edit, &v);
  if (!s.ok()) return s;
  const uint64_t number = NewFileNumber();
  VersionEdit snapshot;
  SnapshotTo(*v, &snapshot);
  if (edit->has_log_number_) snapshot.SetLogNumber(edit->log_number_);
  if (edit->has_last_sequence_) snapshot.SetLastSequence(edit->last_sequence_);
  else snapshot.SetLastSequence(last_sequence_.load());
  StampCounters(&snapshot);

  std::unique_ptr<WritableFile> file;
  s = env_->NewWritableFile(ManifestFileName(dbname_, number), &file);
  if (!s.ok()) return s;
  auto writer = std::make_unique<log::Writer>(file.get());
  std::string record;
  snapshot.EncodeTo(&record);
  s = writer->AddRecord(record);
  if (s.ok()) LSM_KILL_POINT("manifest.new.before_sync");
  if (s.ok()) s = file->Sync();
  // R3: the new MANIFEST's directory entry is made durable by SetCurrentFile's
  // directory fsync, which happens before CURRENT can name it.
  if (s.ok()) s = SetCurrentFile(env_, dbname_, number);
  if (!s.ok()) {
    file->Close().ok();
    return s;
  }
  if (manifest_file_) manifest_file_->Close().ok();  // the old MANIFEST is obsolete
  manifest_file_ = std::move(file);
  manifest_log_ = std::move(writer);
  manifest_number_.store(number);
  if (snapshot.has_log_number_) log_number_.store(snapshot.log_number_, std::memory_order_release);
  if (edit->has_last_sequence_) last_sequence_.store(edit->last_sequence_);
  std::lock_guard<std::mutex> l(mu_);
  current_ = std::move(v);
  return Status::OK();
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  std::lock_guard<std::mutex> w(write_mu_);
  if (!manifest_log_) return Status::IOError(dbname_, "no MANIFEST open");
  // Issue 5 (crash_test IoErrorTest.NoManifestWriteAfterAFailedManifestSync):
  // a compaction that started before a flush's MANIFEST sync failed used to
  // append and fsync its edit afterwards.
  if (!manifest_error_.ok()) return manifest_error_;
  std::shared_ptr<Version> v;
  Status s = Apply(*current(), *edit, &v);
  if (!s.ok()) return s;
  StampCounters(edit);
  std::string record;
  edit->EncodeTo(&record);
  s = manifest_log_->AddRecord(record);
  if (s.ok()) LSM_KILL_POINT("manifest.before_sync");
  if (s.ok()) s = manifest_file_->Sync();
  if (!s.ok()) {
    manifest_error_ = s;
    return s;
  }
  LSM_KILL_POINT("manifest.after_sync");
  log_number_.store(edit->log_number_, std::memory_order_release);
  std::lock_guard<std::mutex> l(mu_);
  current_ = std::move(v);
  return Status::OK();
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  uint64_t cur = next_file_number_.load();
  while (cur <= number && !next_file_number_.compare_exchange_weak(cur, number + 1)) {
  }
}

void VersionSet::AddLiveFiles(std::vector<uint64_t>* live) const {
  std::shared_ptr<const Version> v = current();
  for (int level = 0; level < DB::kNumLevels; level++) {
    for (const Version::FilePtr& f : v->files[level]) live->push_back(f->number);
  }
}

}  // namespace lsm
