// FaultInjectionEnv: fault rules, counters, synced-length tracking and crash
// images (see fault_env.h for what it models and what it does not).
#include "fault_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/random.h"

namespace lsm {
namespace test {

namespace {

const char* OpName(FaultOp op) {
  switch (op) {
    case FaultOp::kAppend: return "append";
    case FaultOp::kSync: return "sync";
    case FaultOp::kClose: return "close";
    case FaultOp::kRename: return "rename";
    case FaultOp::kSyncDir: return "sync-dir";
    case FaultOp::kNewFile: return "new-file";
    case FaultOp::kRemove: return "remove";
    case FaultOp::kZeroFill: return "zero-fill";
  }
  return "?";
}

Status ErrnoStatus(const std::string& context) {
  return Status::IOError(context, strerror(errno));
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Copies the first `limit` bytes of `src` (all of it if limit < 0) to `dst`.
Status CopyFile(const std::string& src, const std::string& dst, int64_t limit) {
  const int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    // Removed between listing and copying (the DB deleted it): not in the image.
    if (errno == ENOENT) return Status::OK();
    return ErrnoStatus(src);
  }
  const int out = ::open(dst.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (out < 0) {
    Status s = ErrnoStatus(dst);
    ::close(in);
    return s;
  }
  Status s;
  char buf[64 * 1024];
  uint64_t copied = 0;
  for (;;) {
    size_t want = sizeof(buf);
    if (limit >= 0) {
      const uint64_t left = static_cast<uint64_t>(limit) - copied;
      if (left == 0) break;
      if (left < want) want = static_cast<size_t>(left);
    }
    const ssize_t n = ::read(in, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      s = ErrnoStatus(src);
      break;
    }
    if (n == 0) break;
    if (::write(out, buf, static_cast<size_t>(n)) != n) {
      s = ErrnoStatus(dst);
      break;
    }
    copied += static_cast<uint64_t>(n);
  }
  ::close(in);
  if (::close(out) != 0 && s.ok()) s = ErrnoStatus(dst);
  return s;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Writes `data` to `path` (created or truncated), without syncing.
Status WriteWhole(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(path);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = ErrnoStatus(path);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return ErrnoStatus(path);
  return Status::OK();
}

bool CutUnsyncedBytes(CrashVariant variant, bool zeros_only, uint64_t synced, Random* rnd,
                      std::string* data);

// Applies `variant` to the bytes of one file of which the first `synced`
// were covered by a successful Sync() and the first `appended` were written
// by Append (the rest are ZeroFillTo zeros). Zeros up to `durable_zeros`
// were synced too: what a crash cuts off there reads as zeros again; later
// zeros are lost with the rest. Returns true if it changed the bytes.
bool CutUnsynced(CrashVariant variant, bool zeros_only, uint64_t synced, uint64_t appended,
                 uint64_t durable_zeros, Random* rnd, std::string* data) {
  if (variant == CrashVariant::kKill9 || data->size() <= synced) return false;
  const size_t original = data->size();
  // Only appended bytes can be torn or garbled; nothing else was written.
  data->resize(std::min<uint64_t>(original, std::max(appended, synced)));
  const bool changed = CutUnsyncedBytes(variant, zeros_only, synced, rnd, data) ||
                       data->size() != original;
  if (data->size() < durable_zeros) data->resize(std::min<uint64_t>(durable_zeros, original), '\0');
  return changed;
}

bool CutUnsyncedBytes(CrashVariant variant, bool zeros_only, uint64_t synced, Random* rnd,
                      std::string* data) {
  const uint64_t unsynced = data->size() - synced;
  switch (variant) {
    case CrashVariant::kKill9:
      return false;
    case CrashVariant::kDropUnsynced:
      data->resize(synced);
      return true;
    case CrashVariant::kKeepUnsyncedPrefix:
      data->resize(synced + rnd->Uniform(static_cast<uint32_t>(unsynced + 1)));
      return true;
    case CrashVariant::kGarbleUnsyncedTail: {
      const uint64_t keep = synced + rnd->Uniform(static_cast<uint32_t>(unsynced + 1));
      const uint64_t garbage = std::min<uint64_t>(data->size() - keep, 1 + rnd->Uniform(512));
      data->resize(keep + garbage);
      for (uint64_t i = keep; i < data->size(); i++) {
        (*data)[i] = zeros_only ? '\0' : static_cast<char>(rnd->Next() & 0xff);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

const char* CrashVariantName(CrashVariant v) {
  switch (v) {
    case CrashVariant::kKill9: return "kill9";
    case CrashVariant::kDropUnsynced: return "drop-unsynced";
    case CrashVariant::kKeepUnsyncedPrefix: return "keep-prefix";
    case CrashVariant::kGarbleUnsyncedTail: return "garble-tail";
  }
  return "?";
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool MatchesPattern(const std::string& path, const std::string& pattern) {
  if (pattern.empty()) return true;
  const std::string base = BaseName(path);
  return EndsWith(base, pattern) || base.compare(0, pattern.size(), pattern) == 0;
}

Status CopyDirectory(const std::string& src, const std::string& dst) {
  if (::mkdir(dst.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus(dst);
  std::vector<std::string> names;
  Status s = Env::Default()->GetChildren(src, &names);
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    struct stat st;
    const std::string from = src + "/" + name;
    if (::stat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    s = CopyFile(from, dst + "/" + name, -1);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

void RemoveDirectory(const std::string& dir) {
  std::vector<std::string> names;
  if (Env::Default()->GetChildren(dir, &names).ok()) {
    for (const std::string& name : names) {
      const std::string path = dir + "/" + name;
      struct stat st;
      if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        RemoveDirectory(path);  // a checkpoint target inside a test dir
      } else {
        ::unlink(path.c_str());
      }
    }
  }
  ::rmdir(dir.c_str());
}

// ---------------------------------------------------------------------------
// The wrapped writable file

class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string fname, std::unique_ptr<WritableFile> base,
       std::shared_ptr<FileState> state)
      : env_(env), fname_(std::move(fname)), base_(std::move(base)), state_(std::move(state)) {}

  Status Append(const Slice& data) override {
    std::shared_lock<std::shared_mutex> io(env_->io_mu_);
    Status s = env_->BeforeOp(FaultOp::kAppend, fname_);
    if (!s.ok()) return s;
    s = base_->Append(data);
    if (!s.ok()) return s;
    std::lock_guard<std::mutex> l(env_->mu_);
    state_->size += data.size();
    env_->bytes_appended_[fname_] += data.size();
    return s;
  }

  Status Sync() override {
    std::shared_lock<std::shared_mutex> io(env_->io_mu_);
    Status s = env_->BeforeOp(FaultOp::kSync, fname_);
    if (!s.ok()) return s;
    s = base_->Sync();
    if (!s.ok()) return s;
    std::lock_guard<std::mutex> l(env_->mu_);
    state_->synced = state_->size;
    state_->synced_zero_end = state_->zero_end;
    return s;
  }

  Status ZeroFillTo(uint64_t end) override {
    // Zeros past the append offset: Size() and the synced length stay put.
    std::shared_lock<std::shared_mutex> io(env_->io_mu_);
    Status s = env_->BeforeOp(FaultOp::kZeroFill, fname_);
    if (!s.ok()) return s;
    s = base_->ZeroFillTo(end);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(env_->mu_);
      state_->zero_end = std::max(state_->zero_end, end);
    }
    return s;
  }

  Status Close() override {
    std::shared_lock<std::shared_mutex> io(env_->io_mu_);
    Status s = env_->BeforeOp(FaultOp::kClose, fname_);
    // The descriptor is released either way; only the result is injected.
    Status c = base_->Close();
    return s.ok() ? c : s;
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionEnv* const env_;
  const std::string fname_;
  const std::unique_ptr<WritableFile> base_;
  const std::shared_ptr<FileState> state_;
};

// ---------------------------------------------------------------------------
// FaultInjectionEnv

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::FailNth(FaultOp op, int n, FaultKind kind, const std::string& pattern) {
  std::lock_guard<std::mutex> l(mu_);
  rules_.push_back(Rule{op, kind, pattern, n < 1 ? 1 : n});
}

void FaultInjectionEnv::FailAlways(FaultOp op, FaultKind kind, const std::string& pattern) {
  std::lock_guard<std::mutex> l(mu_);
  rules_.push_back(Rule{op, kind, pattern, -1});
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> l(mu_);
  rules_.clear();
}

uint64_t FaultInjectionEnv::injected_failures() const {
  std::lock_guard<std::mutex> l(mu_);
  return injected_;
}

void FaultInjectionEnv::SetFilesystemActive(bool active) {
  std::lock_guard<std::mutex> l(mu_);
  active_ = active;
}

Status FaultInjectionEnv::BeforeOp(FaultOp op, const std::string& name,
                                   const std::string& name2) {
  std::lock_guard<std::mutex> l(mu_);
  calls_[{op, name}]++;
  const std::string what = std::string("injected ") + OpName(op) + " failure";
  if (!active_) return Status::IOError(name, "file system inactive (simulated crash)");
  for (size_t i = 0; i < rules_.size(); i++) {
    Rule& r = rules_[i];
    if (r.op != op) continue;
    if (!MatchesPattern(name, r.pattern) && (name2.empty() || !MatchesPattern(name2, r.pattern))) {
      continue;
    }
    if (r.remaining > 0 && --r.remaining > 0) continue;
    const FaultKind kind = r.kind;
    if (r.remaining == 0) rules_.erase(rules_.begin() + static_cast<std::ptrdiff_t>(i));
    injected_++;
    return kind == FaultKind::kNoSpace ? Status::NoSpace(name, what)
                                       : Status::IOError(name, what);
  }
  return Status::OK();
}

uint64_t FaultInjectionEnv::Count(FaultOp op) const { return Count(op, ""); }

uint64_t FaultInjectionEnv::Count(FaultOp op, const std::string& pattern) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& [key, count] : calls_) {
    if (key.first == op && MatchesPattern(key.second, pattern)) n += count;
  }
  return n;
}

uint64_t FaultInjectionEnv::BytesAppended(const std::string& pattern) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& [path, bytes] : bytes_appended_) {
    if (MatchesPattern(path, pattern)) n += bytes;
  }
  return n;
}

std::vector<std::string> FaultInjectionEnv::CreatedFiles() const {
  std::lock_guard<std::mutex> l(mu_);
  return created_;
}

std::vector<std::string> FaultInjectionEnv::RemovedFiles() const {
  std::lock_guard<std::mutex> l(mu_);
  return removed_;
}

void FaultInjectionEnv::ResetCounters() {
  std::lock_guard<std::mutex> l(mu_);
  calls_.clear();
  bytes_appended_.clear();
  created_.clear();
  removed_.clear();
}

int64_t FaultInjectionEnv::SyncedLength(const std::string& fname) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(fname);
  return it == files_.end() ? -1 : static_cast<int64_t>(it->second->synced);
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::map<std::string, uint64_t> cuts;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [path, state] : files_) cuts[path] = state->synced;
  }
  for (const auto& [path, synced] : cuts) {
    if (::truncate(path.c_str(), static_cast<off_t>(synced)) != 0 && errno != ENOENT) {
      return ErrnoStatus(path + ": truncate");
    }
  }
  return Status::OK();
}

Status FaultInjectionEnv::CopyImage(const std::string& dir, const std::string& image_dir,
                                    bool drop_unsynced) {
  if (::mkdir(image_dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus(image_dir);
  std::vector<std::string> names;
  Status s = base_->GetChildren(dir, &names);
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    const std::string from = dir + "/" + name;
    struct stat st;
    if (::stat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    int64_t limit = -1;
    if (drop_unsynced) {
      std::lock_guard<std::mutex> l(mu_);
      auto it = files_.find(from);
      if (it != files_.end()) limit = static_cast<int64_t>(it->second->synced);
    }
    s = CopyFile(from, image_dir + "/" + name, limit);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status FaultInjectionEnv::NewWritableFile(const std::string& fname,
                                          std::unique_ptr<WritableFile>* result) {
  result->reset();
  std::shared_lock<std::shared_mutex> io(io_mu_);
  Status s = BeforeOp(FaultOp::kNewFile, fname);
  if (!s.ok()) return s;
  const bool existed = base_->FileExists(fname);
  std::unique_ptr<WritableFile> base;
  s = base_->NewWritableFile(fname, &base);
  if (!s.ok()) return s;
  auto state = std::make_shared<FileState>();
  {
    std::lock_guard<std::mutex> l(mu_);
    files_[fname] = state;  // created (truncated): nothing synced yet
    created_.push_back(fname);
    // A truncated existing file keeps its directory entry either way.
    if (!existed) AddDirOp(DirOp{DirOp::kCreate, fname});
  }
  result->reset(new File(this, fname, std::move(base), std::move(state)));
  return Status::OK();
}

Status FaultInjectionEnv::NewRandomAccessFile(const std::string& fname, bool use_mmap,
                                              std::unique_ptr<RandomAccessFile>* result) {
  return base_->NewRandomAccessFile(fname, use_mmap, result);
}

bool FaultInjectionEnv::FileExists(const std::string& fname) { return base_->FileExists(fname); }

Status FaultInjectionEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  return base_->GetChildren(dir, result);
}

Status FaultInjectionEnv::RemoveFile(const std::string& fname) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  Status s = BeforeOp(FaultOp::kRemove, fname);
  if (!s.ok()) return s;
  // Until the directory is synced a crash may bring the file back.
  DirOp op{DirOp::kRemove, fname};
  op.had_old = base_->ReadFileToString(fname, &op.old_contents).ok();
  op.old_synced = op.old_contents.size();
  s = base_->RemoveFile(fname);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(fname);
    if (it != files_.end()) {
      // Synced zeros past the data are durable too.
      op.old_synced = std::min<uint64_t>(
          op.old_synced, std::max(it->second->synced, it->second->synced_zero_end));
      files_.erase(it);
    }
    removed_.push_back(fname);
    AddDirOp(std::move(op));
  }
  return s;
}

Status FaultInjectionEnv::CreateDir(const std::string& dirname) {
  return base_->CreateDir(dirname);
}

Status FaultInjectionEnv::GetFileSize(const std::string& fname, uint64_t* size) {
  return base_->GetFileSize(fname, size);
}

Status FaultInjectionEnv::RenameFile(const std::string& src, const std::string& target) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  Status s = BeforeOp(FaultOp::kRename, src, target);
  if (!s.ok()) return s;
  DirOp op{DirOp::kRename, target, src};
  op.had_old = base_->ReadFileToString(target, &op.old_contents).ok();
  op.old_synced = op.old_contents.size();
  {
    std::lock_guard<std::mutex> l(mu_);
    auto old = files_.find(target);
    if (op.had_old && old != files_.end()) {
      op.old_synced = std::min<uint64_t>(op.old_synced, old->second->synced);
    }
  }
  s = base_->RenameFile(src, target);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    AddDirOp(std::move(op));
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[target] = it->second;
      files_.erase(it);
    } else {
      files_.erase(target);  // replaced by a file we did not write
    }
  }
  return s;
}

Status FaultInjectionEnv::SyncDir(const std::string& dirname) {
  std::shared_lock<std::shared_mutex> io(io_mu_);
  Status s = BeforeOp(FaultOp::kSyncDir, dirname);
  if (!s.ok()) return s;
  uint64_t covered;
  {
    std::lock_guard<std::mutex> l(mu_);
    covered = next_dir_op_seq_;
  }
  s = base_->SyncDir(dirname);
  if (s.ok()) {
    // Only the operations that finished before the fsync began are durable
    // (another SyncDir may have retired some of them already).
    std::lock_guard<std::mutex> l(mu_);
    std::vector<DirOp>& ops = pending_dir_ops_[dirname];
    ops.erase(std::remove_if(ops.begin(), ops.end(),
                             [covered](const DirOp& op) { return op.seq < covered; }),
              ops.end());
  }
  return s;
}

void FaultInjectionEnv::AddDirOp(DirOp op) {
  op.seq = next_dir_op_seq_++;
  const std::string dir = DirName(op.path);
  pending_dir_ops_[dir].push_back(std::move(op));
}

size_t FaultInjectionEnv::PendingDirOps(const std::string& dir) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = pending_dir_ops_.find(dir);
  return it == pending_dir_ops_.end() ? 0 : it->second.size();
}

Status FaultInjectionEnv::CrashImage(const std::string& dir, const std::string& image_dir,
                                     CrashVariant variant, uint64_t seed,
                                     CrashImageStats* stats) {
  // No mutating call runs while the image is taken: a consistent cut.
  std::unique_lock<std::shared_mutex> io(io_mu_);
  Random rnd(seed);
  CrashImageStats st;
  if (::mkdir(image_dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus(image_dir);
  std::vector<std::string> names;
  Status s = base_->GetChildren(dir, &names);
  if (!s.ok()) return s;
  auto is_manifest = [](const std::string& path) { return MatchesPattern(path, "MANIFEST-"); };
  for (const std::string& name : names) {
    const std::string from = dir + "/" + name;
    struct stat sb;
    if (::stat(from.c_str(), &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
    std::string data;
    s = base_->ReadFileToString(from, &data);
    if (!s.ok()) return s;
    uint64_t synced = data.size();  // files this Env did not write: durable
    uint64_t appended = data.size(), durable_zeros = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = files_.find(from);
      if (it != files_.end()) {
        synced = std::min<uint64_t>(synced, it->second->synced);
        appended = it->second->size;
        durable_zeros = it->second->synced_zero_end;
      }
    }
    st.files++;
    if (CutUnsynced(variant, is_manifest(from), synced, appended, durable_zeros, &rnd, &data)) {
      st.files_cut++;
    }
    s = WriteWhole(image_dir + "/" + name, data);
    if (!s.ok()) return s;
  }
  if (variant != CrashVariant::kKill9) {
    std::vector<DirOp> ops;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = pending_dir_ops_.find(dir);
      if (it != pending_dir_ops_.end()) ops = it->second;
    }
    // Journals persist metadata in order: some prefix survived.
    const size_t keep = rnd.OneIn(2) ? 0 : rnd.Uniform(static_cast<uint32_t>(ops.size() + 1));
    for (size_t i = ops.size(); i > keep; i--) {
      DirOp& op = ops[i - 1];
      const std::string path = image_dir + "/" + BaseName(op.path);
      st.dir_ops_reverted++;
      if (op.kind == DirOp::kCreate) {
        ::unlink(path.c_str());
        continue;
      }
      if (op.kind == DirOp::kRename) {
        const std::string src = image_dir + "/" + BaseName(op.src);
        if (::rename(path.c_str(), src.c_str()) != 0 && errno != ENOENT) {
          return ErrnoStatus(src + ": rename back");
        }
      }
      if (op.had_old) {
        CutUnsynced(variant, is_manifest(op.path), op.old_synced, op.old_contents.size(), 0, &rnd,
                    &op.old_contents);
        s = WriteWhole(path, op.old_contents);
        if (!s.ok()) return s;
      }
    }
  }
  if (stats != nullptr) *stats = st;
  return Status::OK();
}

Status FaultInjectionEnv::LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) {
  return base_->LockFile(fname, lock);
}

Status FaultInjectionEnv::UnlockFile(std::unique_ptr<FileLock> lock) {
  return base_->UnlockFile(std::move(lock));
}

uint64_t FaultInjectionEnv::NowMicros() { return base_->NowMicros(); }

}  // namespace test
}  // namespace lsm
