// Env: every byte of file I/O the engine does goes through this interface, so
// tests can substitute a fault-injecting implementation (drop unsynced data,
// fail the Nth sync, produce crash images). Env::Default() is the POSIX one.
//
// Thread-safety: an Env is safe for concurrent use. A WritableFile is used by
// one thread at a time; a RandomAccessFile is safe for concurrent Read()s.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_ENV_H_
#define LSMKV_NATIVE_INCLUDE_LSM_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {

// A file written front to back. Append() does a pwrite() at the tracked end
// offset (no user-space buffering: when Append returns OK the bytes reached
// the OS). Sync() is fdatasync(). Any failure is returned, never retried.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(const Slice& data) = 0;
  virtual Status Sync() = 0;
  // Closes the descriptor. Safe to call twice; the destructor closes too but
  // cannot report errors, so durable paths call Close() explicitly.
  virtual Status Close() = 0;
  // Bytes appended so far (== the next write offset).
  virtual uint64_t Size() const = 0;
  // Writes zeros over [Size(), end) without moving the append offset, so
  // later appends overwrite allocated, already-written blocks and
  // fdatasync() need not commit a new file size (measured here: ~130 us
  // instead of ~200-280 us per sync). Readers treat a zero tail as a clean
  // end. Optional: the default does nothing.
  virtual Status ZeroFillTo(uint64_t /*end*/) { return Status::OK(); }
};

// A file read at arbitrary offsets. Read() may return a Slice pointing into a
// memory map (then `scratch` is unused and the bytes live as long as the file
// object) or into `scratch` (which must hold n bytes).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset. A short result means end of file.
  virtual Status Read(uint64_t offset, size_t n, Slice* result,
                      char* scratch) const = 0;
  // True when Read() returns views into a stable mapping (no scratch used).
  virtual bool IsMapped() const { return false; }
  // A hint that [offset, offset + n) will not be read again soon: a mapped
  // file drops the whole pages in it from the process's resident set. The
  // bytes stay readable (a later Read() maps them back from the page cache)
  // and views returned earlier stay valid. A no-op for unmapped files.
  virtual void ReleasePages(uint64_t /*offset*/, uint64_t /*n*/) const {}
  virtual uint64_t Size() const = 0;
};

// Opaque handle for a held LOCK file.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never destroyed.
  static Env* Default();

  // Creates (truncating) `fname` for writing.
  virtual Status NewWritableFile(const std::string& fname,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Opens `fname` for reading. With use_mmap the whole file is mapped
  // read-only; otherwise reads are pread()s.
  virtual Status NewRandomAccessFile(const std::string& fname, bool use_mmap,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;

  virtual bool FileExists(const std::string& fname) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Status GetChildren(const std::string& dir,
                             std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& fname) = 0;
  virtual Status CreateDir(const std::string& dirname) = 0;  // OK if it exists
  virtual Status GetFileSize(const std::string& fname, uint64_t* size) = 0;
  // Atomically replaces `target` with `src` (rename(2)). Not durable until
  // SyncDir() of the containing directory.
  virtual Status RenameFile(const std::string& src, const std::string& target) = 0;
  // fsync() of a directory: makes creates, renames and removes in it durable.
  virtual Status SyncDir(const std::string& dirname) = 0;

  // Makes `target` a second name (hard link) of the existing file `src`.
  // Not durable until SyncDir() of target's directory. NotSupported when the
  // file system cannot link these two paths (another device, no hard links):
  // callers then copy. The default implementation always says NotSupported
  // (inline: an out-of-line first virtual would pin Env's typeinfo to the
  // engine, which is built without RTTI).
  virtual Status LinkFile(const std::string& src, const std::string& target) {
    return Status::NotSupported(src + " -> " + target, "this Env cannot link files");
  }

  // Takes an exclusive lock on `fname` (created if missing) that lasts until
  // UnlockFile() or process exit. Returns Status::Locked if another process,
  // another open in this process or another thread holds it.
  virtual Status LockFile(const std::string& fname,
                          std::unique_ptr<FileLock>* lock) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;

  virtual uint64_t NowMicros() = 0;

  // Convenience: reads a whole file through NewRandomAccessFile (pread).
  Status ReadFileToString(const std::string& fname, std::string* data);
  // Convenience: writes `data` to `fname`, optionally fdatasync()ing it.
  Status WriteStringToFile(const Slice& data, const std::string& fname,
                           bool sync);
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_ENV_H_
