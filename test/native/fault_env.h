// FaultInjectionEnv: an Env for tests that wraps a real one (normally
// Env::Default()) and can
//   - remember, for every file written through it, how many bytes were
//     appended and how many of those a successful Sync() covered;
//   - fail the Nth call (or every call) of one operation, optionally only for
//     files whose name matches a pattern, with IOError or NoSpace;
//   - count calls per operation and bytes appended per file pattern;
//   - simulate a power loss: DropUnsyncedData() cuts every file it wrote back
//     to its last synced length, and CopyImage() produces such an image (or a
//     kill -9 image, byte for byte) in another directory while the DB keeps
//     running;
//   - stop the file system (SetFilesystemActive(false)): every mutating call
//     fails from then on, so a DB can be destroyed without its Close()
//     changing anything on disk (a crash), then the unsynced data dropped.
//
// Name patterns: "" matches every file; otherwise a pattern matches a file
// whose base name ends with it (".log", ".sst", ".dbtmp", "CURRENT") or
// starts with it ("MANIFEST-"). A rename matches if its source or target
// matches; SyncDir matches against the directory's base name.
//
//   - produce crash images of every kind a power loss can leave
//     (CrashImage()): unsynced bytes dropped, a random prefix of them kept,
//     or the kept prefix followed by a garbled sector; and, per directory,
//     the creates, renames and removes since its last SyncDir() undone (all
//     of them, or all but a random prefix: journals persist metadata in
//     order). Mutating calls and CrashImage() exclude each other, so an
//     image is a consistent cut even while the DB's threads keep running.
//
// Limits:
//   - DropUnsyncedData() and CopyImage() treat directory entries as durable
//     at once (CrashImage() does not).
//   - Files this Env did not write (e.g. from an earlier DB instance opened
//     with another Env) are assumed fully synced.
//   - DropUnsyncedData() truncates in place; call it only when nothing is
//     writing through this Env any more (after the DB object is gone).
//   - Zeros written by ZeroFillTo() beyond the append offset count as
//     unsynced: a power-loss image cuts them off with the rest (one outcome
//     a real power loss can have; a kill -9 image keeps the zero tail).
//
// Thread-safety: safe for concurrent use, like every Env.
#ifndef LSMKV_TEST_NATIVE_FAULT_ENV_H_
#define LSMKV_TEST_NATIVE_FAULT_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "lsm/env.h"

namespace lsm {
namespace test {

enum class FaultOp : int {
  kAppend = 0,   // WritableFile::Append
  kSync,         // WritableFile::Sync
  kClose,        // WritableFile::Close (the descriptor is closed anyway)
  kRename,       // Env::RenameFile
  kSyncDir,      // Env::SyncDir
  kNewFile,      // Env::NewWritableFile
  kRemove,       // Env::RemoveFile
  kZeroFill,     // WritableFile::ZeroFillTo (WAL preallocation ahead of syncs)
};
constexpr int kNumFaultOps = 8;

enum class FaultKind { kIOError, kNoSpace };

// What happens to the bytes of a file that no successful Sync() covered.
enum class CrashVariant : int {
  kKill9 = 0,          // all kept (process crash: the OS still has them)
  kDropUnsynced,       // all lost
  kKeepUnsyncedPrefix, // a random prefix of them kept
  kGarbleUnsyncedTail, // a random prefix kept, then up to 512 bytes of
                       // garbage (zeros in a MANIFEST: see CrashImage)
};
constexpr int kNumCrashVariants = 4;
const char* CrashVariantName(CrashVariant v);

// What one CrashImage() call did.
struct CrashImageStats {
  uint64_t files = 0;
  uint64_t files_cut = 0;            // files with unsynced bytes changed
  uint64_t dir_ops_reverted = 0;     // creates/renames/removes undone
};

// The base name of a path ("/a/b/000005.log" -> "000005.log").
std::string BaseName(const std::string& path);

// True if `pattern` is "" or the base name of `path` ends or starts with it.
bool MatchesPattern(const std::string& path, const std::string& pattern);

// Copies every regular file of `src` into `dst` (created if missing; existing
// files overwritten) byte for byte: the state a kill -9 of the writer leaves.
Status CopyDirectory(const std::string& src, const std::string& dst);

// Removes `dir` and everything under it.
void RemoveDirectory(const std::string& dir);

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base = Env::Default());
  ~FaultInjectionEnv() override;

  // --- Fault injection -----------------------------------------------------

  // The n-th call (n >= 1, counted from now) of `op` on a file matching
  // `pattern` fails with `kind`; the rule is then used up. An Append that
  // fails writes nothing; a Sync that fails leaves the synced length as it
  // was (the data may or may not be on disk: never trust a failed fsync).
  void FailNth(FaultOp op, int n, FaultKind kind = FaultKind::kIOError,
               const std::string& pattern = "");
  // Every call of `op` on a matching file fails, until ClearFaults().
  void FailAlways(FaultOp op, FaultKind kind = FaultKind::kIOError,
                  const std::string& pattern = "");
  void ClearFaults();
  // Calls failed by a rule so far (not counting an inactive file system).
  uint64_t injected_failures() const;

  // false: every Append, ZeroFillTo, Sync, Close, NewWritableFile,
  // RenameFile, SyncDir and RemoveFile fails with IOError (a crashed machine writes nothing more).
  void SetFilesystemActive(bool active);

  // --- Counters ------------------------------------------------------------

  // Calls of `op` so far (failed ones included), optionally only those on
  // files matching `pattern`.
  uint64_t Count(FaultOp op) const;
  uint64_t Count(FaultOp op, const std::string& pattern) const;
  // Bytes successfully appended to files matching `pattern`.
  uint64_t BytesAppended(const std::string& pattern = "") const;
  // Paths created by NewWritableFile, in order (a path created twice appears
  // twice).
  std::vector<std::string> CreatedFiles() const;
  // Paths removed by RemoveFile, in order.
  std::vector<std::string> RemovedFiles() const;
  void ResetCounters();

  // --- Durability tracking -------------------------------------------------

  // Bytes of `fname` a successful Sync() covered; -1 if this Env did not
  // write the file.
  int64_t SyncedLength(const std::string& fname) const;
  // Truncates every file this Env wrote (and that still exists) to its
  // synced length: what a power loss leaves (see the limits above).
  Status DropUnsyncedData();
  // Copies `dir` into `image_dir`. With drop_unsynced, files this Env wrote
  // are cut to their synced length in the copy (a power-loss image);
  // otherwise the copy is byte for byte (a kill -9 image). `dir` may be in
  // use by an open DB.
  Status CopyImage(const std::string& dir, const std::string& image_dir,
                   bool drop_unsynced);
  // Writes into `image_dir` (created if missing) what `dir` could hold after
  // a crash now, choosing the random parts from `seed`. Except for kKill9,
  // directory operations not yet covered by a SyncDir() of `dir` are undone
  // newest first, all of them or all but a random prefix. A MANIFEST's
  // garbled tail is zeros, not random bytes: the engine (like LevelDB)
  // relies on a file system that never exposes stale or random bytes past a
  // torn append to a file it fsyncs after every record. `dir` may be in use
  // by an open DB.
  Status CrashImage(const std::string& dir, const std::string& image_dir,
                    CrashVariant variant, uint64_t seed,
                    CrashImageStats* stats = nullptr);
  // Creates, renames and removes in `dir` since its last successful SyncDir.
  size_t PendingDirOps(const std::string& dir) const;

  // --- Env -----------------------------------------------------------------

  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override;
  Status NewRandomAccessFile(const std::string& fname, bool use_mmap,
                             std::unique_ptr<RandomAccessFile>* result) override;
  bool FileExists(const std::string& fname) override;
  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  Status RemoveFile(const std::string& fname) override;
  Status CreateDir(const std::string& dirname) override;
  Status GetFileSize(const std::string& fname, uint64_t* size) override;
  Status RenameFile(const std::string& src, const std::string& target) override;
  Status SyncDir(const std::string& dirname) override;
  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override;
  Status UnlockFile(std::unique_ptr<FileLock> lock) override;
  uint64_t NowMicros() override;

 private:
  class File;
  friend class File;

  // Per path; shared with the open File so a rename keeps them connected.
  struct FileState {
    uint64_t size = 0;    // bytes appended
    uint64_t synced = 0;  // bytes covered by the last successful Sync
    uint64_t zero_end = 0;         // end of the last ZeroFillTo
    uint64_t synced_zero_end = 0;  // zero_end at the last successful Sync:
                                   // zeros (or data over them) up to here
                                   // are on disk
  };
  struct Rule {
    FaultOp op;
    FaultKind kind;
    std::string pattern;
    int remaining;  // calls until it fires; < 0: fires on every call
  };

  // A directory change not yet made durable by SyncDir; undone by
  // CrashImage.
  struct DirOp {
    enum Kind { kCreate, kRename, kRemove } kind;
    std::string path;      // created / removed path, or the rename target
    std::string src;       // rename source
    bool had_old = false;  // rename: the target existed before;
                           // remove: contents were saved
    std::string old_contents;  // old target / removed file's bytes
    uint64_t old_synced = 0;   // how many of old_contents were synced
    uint64_t seq = 0;          // order of completion (AddDirOp)
  };
  // Records `op` as pending in the directory of op.path. REQUIRES: mu_ held.
  void AddDirOp(DirOp op);

  // Counts the call and returns the error it must fail with, or OK.
  // `name2` is the second name of a rename ("" otherwise).
  Status BeforeOp(FaultOp op, const std::string& name, const std::string& name2 = "");

  Env* const base_;

  // Held shared by every mutating call for its whole duration and
  // exclusively by CrashImage(), so an image never sees half an operation.
  // Acquired before mu_.
  std::shared_mutex io_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<DirOp>> pending_dir_ops_;  // dir -> ops
  uint64_t next_dir_op_seq_ = 0;
  bool active_ = true;
  std::vector<Rule> rules_;
  uint64_t injected_ = 0;
  // Calls per (op, path), for the pattern-filtered Count().
  std::map<std::pair<FaultOp, std::string>, uint64_t> calls_;
  std::map<std::string, uint64_t> bytes_appended_;  // path -> bytes
  std::vector<std::string> created_;
  std::vector<std::string> removed_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
};

}  // namespace test
}  // namespace lsm

#endif  // LSMKV_TEST_NATIVE_FAULT_ENV_H_
