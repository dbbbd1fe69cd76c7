// DB::Checkpoint: an online, consistent, openable copy of a database.
//
// How the copy is cut (the alternative, copying a prefix of the live WAL,
// would need the commit thread to record "WAL length at sequence S", because
// it appends before it publishes; and flushing first would make every
// checkpoint cost a flush in the source):
//   1. Under mu_, read the last published sequence S and pin the current
//      SuperVersion (memtables + Version). Every write with seq <= S is in
//      those memtables or tables (the commit thread inserts before it
//      publishes), and the pinned Version keeps its tables from being
//      deleted (R4: obsolete files go when the last Version listing them
//      does), whatever compaction and flush do meanwhile.
//   2. Each table of the Version is hard-linked into `dir` (copied and
//      fdatasync'd where linking is not possible). Tables are immutable and
//      were fdatasync'd before any MANIFEST named them.
//   3. The memtables' entries with seq <= S are merged into one extra L0
//      table in `dir` (fdatasync'd by BuildTable). Their sequence numbers are
//      above every table's, so it is the newest L0 table.
//   4. fsync(dir) (R3), then a new MANIFEST holding one snapshot edit (the
//      files, last sequence S, a log number no WAL has), fdatasync'd, then
//      CURRENT (write temp -> fdatasync -> rename -> fsync(dir)), then
//      fsync(parent of dir) if dir was created here.
// The checkpoint has no WAL: opening it recovers exactly the writes with
// seq <= S. The source's state is never changed (file numbers are taken from
// its counter only so the names cannot clash with its tables).
#include <memory>
#include <vector>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/flush_job.h"
#include "log/log_writer.h"
#include "table/merger.h"

namespace lsm {

namespace {

// Yields only the entries of an internal-key iterator with sequence <= seq
// (forward only: BuildTable needs nothing else).
class SequenceFilter final : public Iterator {
 public:
  SequenceFilter(std::unique_ptr<Iterator> it, SequenceNumber seq)
      : it_(std::move(it)), seq_(seq) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override {
    it_->SeekToFirst();
    Skip();
  }
  void SeekToLast() override { it_->SeekToLast(); }  // unused
  void Seek(const Slice& target) override {
    it_->Seek(target);
    Skip();
  }
  void Next() override {
    it_->Next();
    Skip();
  }
  void Prev() override { it_->Prev(); }  // unused
  Slice key() const override { return it_->key(); }
  Slice value() const override { return it_->value(); }
  Status status() const override { return it_->status(); }

 private:
  void Skip() {
    ParsedInternalKey p;
    while (it_->Valid() && ParseInternalKey(it_->key(), &p) && p.sequence > seq_) it_->Next();
  }
  std::unique_ptr<Iterator> it_;
  const SequenceNumber seq_;
};

// Copies src to target through the Env and fdatasyncs the copy.
Status CopyFile(Env* env, const std::string& src, const std::string& target) {
  std::unique_ptr<RandomAccessFile> in;
  Status s = env->NewRandomAccessFile(src, /*use_mmap=*/false, &in);
  if (!s.ok()) return s;
  std::unique_ptr<WritableFile> out;
  s = env->NewWritableFile(target, &out);
  if (!s.ok()) return s;
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  const uint64_t size = in->Size();
  for (uint64_t off = 0; s.ok() && off < size;) {
    Slice chunk;
    s = in->Read(off, kChunk, &chunk, buf.get());
    if (s.ok() && chunk.empty()) s = Status::IOError(src, "file shrank while being copied");
    if (s.ok()) s = out->Append(chunk);
    off += chunk.size();
  }
  if (s.ok()) s = out->Sync();
  Status c = out->Close();
  return s.ok() ? c : s;
}

// The parent directory of `dir` ("." when it has none).
std::string ParentDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const size_t slash = dir.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : dir.substr(0, slash);
}

}  // namespace

Status DBImpl::Checkpoint(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("checkpoint directory is empty");
  // The target: absent (created here) or an empty directory.
  const bool existed = env_->FileExists(dir);
  if (existed) {
    std::vector<std::string> children;
    Status s = env_->GetChildren(dir, &children);
    if (!s.ok()) return Status::InvalidArgument(dir, "is not a directory: " + s.message());
    if (!children.empty()) {
      return Status::InvalidArgument(dir, "is not empty (a checkpoint needs a new or empty directory)");
    }
  } else {
    Status s = env_->CreateDir(dir);
    if (!s.ok()) return s;
  }

  SequenceNumber seq;
  std::shared_ptr<const SuperVersion> sv;
  {
    std::lock_guard<std::mutex> l(mu_);
    sv = super_version_;
    seq = versions_->LastSequence();
  }
  if (!sv) return Status::Closed();
  const uint64_t table_number = versions_->NewFileNumber();
  const uint64_t manifest_number = versions_->NewFileNumber();

  VersionEdit edit;
  edit.SetFormatVersion(kManifestFormatVersion);
  edit.SetComparatorName(icmp_->Name());
  Status s;
  for (int level = 0; s.ok() && level < kNumLevels; level++) {
    for (const Version::FilePtr& f : sv->version->files[level]) {
      const std::string src = TableFileName(dbname_, f->number);
      const std::string target = TableFileName(dir, f->number);
      s = env_->LinkFile(src, target);
      if (s.code() == Status::kNotSupported) s = CopyFile(env_, src, target);
      if (!s.ok()) break;
      FileMetaData meta = *f;
      meta.table.reset();
      edit.AddFile(level, meta);
    }
  }

  if (s.ok()) {
    std::vector<std::unique_ptr<Iterator>> children;
    children.emplace_back(sv->mem->NewIterator());
    for (const auto& m : sv->imm) children.emplace_back(m->NewIterator());
    SequenceFilter iter(std::unique_ptr<Iterator>(NewMergingIterator(icmp_, std::move(children))), seq);
    FileMetaData meta;
    meta.number = table_number;
    s = BuildTable(dir, env_, table_options_, /*use_mmap=*/false, &iter, &meta);
    if (s.ok() && meta.file_size > 0) {
      meta.table.reset();
      edit.AddFile(0, meta);
    }
  }
  sv.reset();  // the source may delete obsolete tables again

  if (s.ok()) s = env_->SyncDir(dir);  // R3: tables before the MANIFEST naming them
  if (s.ok()) {
    edit.SetLogNumber(manifest_number + 1);  // no WAL: nothing to replay
    edit.SetNextFile(manifest_number + 2);
    edit.SetLastSequence(seq);
    std::unique_ptr<WritableFile> file;
    s = env_->NewWritableFile(ManifestFileName(dir, manifest_number), &file);
    if (s.ok()) {
      log::Writer writer(file.get());
      std::string record;
      edit.EncodeTo(&record);
      s = writer.AddRecord(record);
      if (s.ok()) s = file->Sync();
      Status c = file->Close();
      if (s.ok()) s = c;
    }
  }
  // Fsyncs dir after the rename: the MANIFEST's entry is durable too.
  if (s.ok()) s = SetCurrentFile(env_, dir, manifest_number);
  if (s.ok() && !existed) s = env_->SyncDir(ParentDir(dir));
  return s;
}

}  // namespace lsm
