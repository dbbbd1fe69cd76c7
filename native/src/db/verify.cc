// VerifyDB (lsm/verify.h): a read-only pass over every file of a database
// directory that checks every checksum and reports each damaged place
// (file, offset, what) instead of stopping at the first, as open does.
//
// The rules for what is damage mirror recovery (VersionSet::Recover,
// DBImpl::ReplayLog): a torn tail of the live MANIFEST or of the newest WAL
// is what a crash during an append leaves and is only a note; a complete,
// checksum-failing record there, a bad record followed by valid ones, a torn
// tail in an older WAL, or a torn MANIFEST tail whose superseded WAL is gone
// is damage.
#include "lsm/verify.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/version_edit.h"
#include "log/log_reader.h"
#include "lsm/write_batch.h"
#include "table/block.h"
#include "table/format.h"
#include "util/coding.h"

namespace lsm {

bool VerifyReport::ok() const {
  return std::none_of(issues.begin(), issues.end(), [](const VerifyIssue& i) { return i.damage; });
}

namespace {

struct CountOps final : public WriteBatch::Handler {
  void Put(const Slice&, const Slice&) override { ops++; }
  void Delete(const Slice&) override { ops++; }
  uint64_t ops = 0;
};

class Verifier {
 public:
  Verifier(Env* env, std::string dbname, VerifyReport* report)
      : env_(env), dbname_(std::move(dbname)), report_(report) {}

  Status Run();

 private:
  std::string Path(const std::string& name) const { return dbname_ + "/" + name; }
  // After a log (WAL or MANIFEST) was read to its end: a bad record that a
  // valid one follows is damage. Returns true if the reader dropped a torn
  // tail instead, with that tail and whether it is all zeros.
  bool CheckLogEnd(VerifyFile* f, const log::Reader& reader, const std::string& contents,
                   Slice* tail, bool* all_zero) {
    const uint64_t end = reader.valid_length();
    if (!reader.status().ok()) {
      Issue(f, end, "record checksum or header mismatch (a valid record follows)");
      return false;
    }
    if (!reader.dropped_torn_tail()) return false;
    *tail = Slice(contents.data() + end, contents.size() - end);
    *all_zero = std::all_of(tail->data(), tail->data() + tail->size(), [](char c) { return c == 0; });
    return true;
  }

  void Issue(VerifyFile* f, uint64_t offset, std::string what, bool damage = true) {
    // A file the current state does not reference cannot damage it.
    if (!f->live) damage = false;
    if (damage) f->ok = false;
    report_->issues.push_back({f->file, offset, std::move(what), damage});
  }
  // Reads a whole file; false (with nothing reported) if it vanished, which
  // happens to obsolete files while the owner of the database runs.
  bool Read(VerifyFile* f, std::string* contents);

  void VerifyCurrent();
  void VerifyManifest(VerifyFile* f, bool is_live);
  void VerifyWal(VerifyFile* f, bool is_newest);
  void VerifyTable(VerifyFile* f);

  Env* const env_;
  const std::string dbname_;
  VerifyReport* const report_;

  std::string live_manifest_;  // named by CURRENT; empty if CURRENT is bad
  bool have_state_ = false;    // the live MANIFEST gave a complete state
  uint64_t log_number_ = 0;
  std::map<uint64_t, uint64_t> live_tables_;  // number -> size in the MANIFEST
};

bool Verifier::Read(VerifyFile* f, std::string* contents) {
  Status s = env_->ReadFileToString(Path(f->file), contents);
  if (s.ok()) {
    f->size = contents->size();
    return true;
  }
  if (env_->FileExists(Path(f->file))) Issue(f, 0, "cannot be read: " + s.ToString());
  return false;
}

void Verifier::VerifyCurrent() {
  VerifyFile f{"CURRENT", "current"};
  f.live = true;
  if (!env_->FileExists(Path(f.file))) {
    Issue(&f, 0, "CURRENT is missing");
  } else {
    env_->GetFileSize(Path(f.file), &f.size).ok();
    std::string manifest;
    Status s = ReadCurrentFile(env_, dbname_, &manifest);
    if (!s.ok()) {
      Issue(&f, 0, s.message());
    } else if (!env_->FileExists(Path(manifest))) {
      Issue(&f, 0, "names " + manifest + ", which is missing");
    } else {
      live_manifest_ = manifest;
      f.records = 1;
    }
  }
  report_->files.push_back(std::move(f));
}

void Verifier::VerifyManifest(VerifyFile* f, bool is_live) {
  std::string contents;
  if (!Read(f, &contents)) return;
  std::map<std::pair<int, uint64_t>, uint64_t> files;  // (level, number) -> size
  bool have_log = false, have_next = false, have_seq = false;
  uint64_t log_number = 0;
  log::Reader reader(Path(f->file), contents);
  Slice record;
  uint64_t offset = 0;
  while (reader.ReadRecord(&record, &offset)) {
    f->records++;
    VersionEdit edit;
    Status s = edit.DecodeFrom(record);
    if (!s.ok()) {
      Issue(f, offset, "version edit does not parse: " + s.message());
      continue;
    }
    if (edit.has_format_version_ && edit.format_version_ > kManifestFormatVersion) {
      Issue(f, offset, "written by a newer lsmkv (MANIFEST format version " +
                           std::to_string(edit.format_version_) + ")");
    }
    for (const auto& d : edit.deleted_files_) files.erase(d);
    for (const auto& [level, meta] : edit.new_files_) files[{level, meta.number}] = meta.file_size;
    if (edit.has_log_number_) { have_log = true; log_number = edit.log_number_; }
    have_next |= edit.has_next_file_;
    have_seq |= edit.has_last_sequence_;
  }
  const uint64_t end = reader.valid_length();
  Slice tail;
  bool all_zero = false;
  if (CheckLogEnd(f, reader, contents, &tail, &all_zero)) {
    const bool complete = tail.size() >= log::kHeaderSize &&
                          DecodeFixed32(tail.data() + 4) <= tail.size() - log::kHeaderSize;
    if (!all_zero && complete && tail[tail.size() - 1] != 0) {
      Issue(f, end, "last record is complete but fails its checksum");
    } else if (have_log && log_number != 0 && !env_->FileExists(LogFileName(dbname_, log_number))) {
      Issue(f, end, "truncated record, and WAL " + std::to_string(log_number) +
                        " the records before it supersede is gone (edits were lost)");
    } else {
      Issue(f, end, "torn tail of " + std::to_string(tail.size()) +
                        " bytes (a crash during an append; open drops it)", false);
    }
  }
  if (!have_log || !have_next || !have_seq) {
    Issue(f, 0, "no complete version record (truncated or not a MANIFEST)");
    return;
  }
  if (!is_live) return;
  have_state_ = true;
  log_number_ = log_number;
  for (const auto& [key, size] : files) live_tables_[key.second] = size;
  for (const auto& [number, size] : live_tables_) {
    if (!env_->FileExists(TableFileName(dbname_, number))) {
      Issue(f, 0, "names table " + std::to_string(number) + ", which is missing");
    }
  }
}

void Verifier::VerifyWal(VerifyFile* f, bool is_newest) {
  std::string contents;
  if (!Read(f, &contents)) return;
  log::Reader reader(Path(f->file), contents);
  Slice record;
  uint64_t offset = 0;
  WriteBatch batch;
  while (reader.ReadRecord(&record, &offset)) {
    f->records++;
    CountOps ops;
    if (record.size() < WriteBatch::kHeader) {
      Issue(f, offset, "write batch shorter than its header");
      continue;
    }
    batch.SetContents(record);
    if (!batch.Iterate(&ops).ok()) {
      Issue(f, offset, "write batch does not parse");
      continue;
    }
    f->entries += ops.ops;
  }
  const uint64_t end = reader.valid_length();
  Slice tail;
  bool all_zero = false;
  if (CheckLogEnd(f, reader, contents, &tail, &all_zero)) {
    if (!all_zero && !is_newest) {
      Issue(f, end, "truncated record in a WAL segment followed by newer segments");
    } else if (!all_zero) {
      Issue(f, end, "torn tail of " + std::to_string(tail.size()) +
                        " bytes (a crash or a write in progress; recovery drops it)", false);
    }
  }
}

void Verifier::VerifyTable(VerifyFile* f) {
  const std::string fname = Path(f->file);
  std::unique_ptr<RandomAccessFile> file;
  Status s = env_->NewRandomAccessFile(fname, /*use_mmap=*/false, &file);
  if (!s.ok()) {
    if (env_->FileExists(fname)) Issue(f, 0, "cannot be read: " + s.ToString());
    return;
  }
  f->size = file->Size();
  uint64_t number = 0;
  FileType type;
  ParseFileName(f->file, &number, &type);
  auto live = live_tables_.find(number);
  if (live != live_tables_.end() && live->second != f->size) {
    Issue(f, 0, "size " + std::to_string(f->size) + " but the MANIFEST says " +
                    std::to_string(live->second));
  }
  if (f->size < Footer::kEncodedLength) {
    Issue(f, 0, "too short to be a table (" + std::to_string(f->size) + " bytes)");
    return;
  }
  const uint64_t footer_offset = f->size - Footer::kEncodedLength;
  char footer_space[Footer::kEncodedLength];
  Slice input;
  s = file->Read(footer_offset, Footer::kEncodedLength, &input, footer_space);
  Footer footer;
  if (s.ok()) s = footer.DecodeFrom(input, fname);
  if (!s.ok()) {
    // Without the footer no block can be found.
    Issue(f, footer_offset, "footer: " + s.message());
    return;
  }

  // Reads and checks one block; reports and returns false on failure.
  auto read = [&](const char* which, const BlockHandle& h, BlockContents* out) {
    Status r = ReadBlock(file.get(), fname, h, out);
    if (!r.ok()) Issue(f, h.offset(), std::string(which) + " block: " + r.message());
    return r.ok();
  };
  BlockContents contents;
  TableProperties props;
  bool have_props = read("properties", footer.properties_handle(), &contents);
  if (have_props) {
    s = DecodeTableProperties(contents.data, &props);
    if (!s.ok()) {
      Issue(f, footer.properties_handle().offset(), "properties block does not parse: " + s.message());
      have_props = false;
    }
  }
  if (footer.filter_handle().size() > 0) read("filter", footer.filter_handle(), &contents);
  if (!read("index", footer.index_handle(), &contents)) return;

  const Comparator* cmp = GetInternalKeyComparator();
  Block index(std::move(contents));
  std::unique_ptr<Iterator> index_iter(index.NewIterator(cmp));
  std::string last_key;
  bool damaged_data = false;
  for (index_iter->SeekToFirst(); index_iter->Valid(); index_iter->Next()) {
    BlockHandle h;
    Slice v = index_iter->value();
    if (!h.DecodeFrom(&v).ok()) {
      Issue(f, footer.index_handle().offset(), "index block holds a bad block handle");
      damaged_data = true;
      continue;
    }
    f->records++;
    BlockContents data;
    if (!read("data", h, &data)) {
      damaged_data = true;
      continue;
    }
    Block block(std::move(data));
    std::unique_ptr<Iterator> block_iter(block.NewIterator(cmp));
    for (block_iter->SeekToFirst(); block_iter->Valid(); block_iter->Next()) {
      const Slice key = block_iter->key();
      if (!last_key.empty() && cmp->Compare(last_key, key) >= 0) {
        Issue(f, h.offset(), "data block: keys out of order");
        damaged_data = true;
        break;
      }
      last_key.assign(key.data(), key.size());
      block_iter->value();  // a compressed value that does not decode shows in status()
      f->entries++;
    }
    if (!block_iter->status().ok()) {
      Issue(f, h.offset(), "data block does not parse: " + block_iter->status().message());
      damaged_data = true;
    }
  }
  if (!index_iter->status().ok()) {
    Issue(f, footer.index_handle().offset(), "index block does not parse: " + index_iter->status().message());
  } else if (have_props && !damaged_data && props.num_entries != f->entries) {
    Issue(f, footer.properties_handle().offset(),
          "table holds " + std::to_string(f->entries) + " entries, its properties say " +
              std::to_string(props.num_entries));
  }
}

Status Verifier::Run() {
  std::vector<std::string> children;
  Status s = env_->GetChildren(dbname_, &children);
  if (!s.ok()) {
    if (!env_->FileExists(dbname_)) return Status::InvalidArgument(dbname_, "does not exist");
    return s;
  }
  std::vector<std::pair<uint64_t, std::string>> manifests, wals, tables;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kManifestFile) manifests.emplace_back(number, name);
    if (type == FileType::kLogFile) wals.emplace_back(number, name);
    if (type == FileType::kTableFile) tables.emplace_back(number, name);
  }
  const bool has_current = std::find(children.begin(), children.end(), "CURRENT") != children.end();
  if (!has_current && manifests.empty() && wals.empty() && tables.empty()) {
    return Status::InvalidArgument(dbname_, "is not an lsmkv database (no CURRENT, MANIFEST, WAL or table)");
  }
  std::sort(manifests.begin(), manifests.end());
  std::sort(wals.begin(), wals.end());
  std::sort(tables.begin(), tables.end());

  VerifyCurrent();
  // The live MANIFEST first: it decides which WALs and tables are live.
  for (const auto& [number, name] : manifests) {
    if (name != live_manifest_) continue;
    VerifyFile f{name, "manifest"};
    f.live = true;
    VerifyManifest(&f, true);
    report_->files.push_back(std::move(f));
  }
  for (const auto& [number, name] : manifests) {
    if (name == live_manifest_) continue;
    VerifyFile f{name, "manifest"};
    VerifyManifest(&f, false);
    report_->files.push_back(std::move(f));
  }
  for (size_t i = 0; i < wals.size(); i++) {
    VerifyFile f{wals[i].second, "wal"};
    // Without a usable MANIFEST every WAL may hold data: all count.
    f.live = !have_state_ || wals[i].first >= log_number_;
    VerifyWal(&f, i + 1 == wals.size());
    report_->files.push_back(std::move(f));
  }
  for (const auto& [number, name] : tables) {
    VerifyFile f{name, "table"};
    f.live = !have_state_ || live_tables_.count(number) > 0;
    VerifyTable(&f);
    report_->files.push_back(std::move(f));
  }
  return Status::OK();
}

}  // namespace

Status VerifyDB(Env* env, const std::string& dbname, VerifyReport* report) {
  *report = VerifyReport();
  if (env == nullptr) env = Env::Default();
  Verifier v(env, dbname, report);
  return v.Run();
}

}  // namespace lsm
