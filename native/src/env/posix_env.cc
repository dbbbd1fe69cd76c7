// PosixEnv: the production Env. Files are written with pwrite() at a tracked
// offset (no user-space buffer, so an acknowledged append has reached the OS),
// synced with fdatasync(), read with pread() or a read-only mmap, and locked
// with an OFD lock (F_OFD_SETLK), which conflicts across processes AND across
// separate opens within one process (threads, workers), unlike POSIX record
// locks. errno ENOSPC/EDQUOT map to NoSpace, everything else to IOError.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lsm/env.h"

namespace lsm {

namespace {

Status PosixError(const std::string& context, int err) {
  if (err == ENOSPC || err == EDQUOT) return Status::NoSpace(context, strerror(err));
  return Status::IOError(context, strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string fname, int fd) : fname_(std::move(fname)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(const Slice& data) override {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
      offset_ += static_cast<uint64_t>(n);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return PosixError(fname_ + ": fdatasync", errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    int r = ::close(fd_);
    fd_ = -1;
    if (r != 0) return PosixError(fname_ + ": close", errno);
    return Status::OK();
  }

  uint64_t Size() const override { return offset_; }

  Status ZeroFillTo(uint64_t end) override {
    // One page per pwrite: larger writes create large page-cache folios, and
    // every later 100-byte commit would then write back the whole folio
    // (measured: 64 KiB written per sync put with 64 KiB chunks, ~4 KiB with
    // 4 KiB chunks).
    static const char kZeros[4096] = {};
    uint64_t pos = filled_end_ > offset_ ? filled_end_ : offset_;
    while (pos < end) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), end - pos));
      ssize_t w = ::pwrite(fd_, kZeros, n, static_cast<off_t>(pos));
      if (w < 0) {
        if (errno == EINTR) continue;
        return PosixError(fname_, errno);
      }
      pos += static_cast<uint64_t>(w);
    }
    if (pos > filled_end_) filled_end_ = pos;
    return Status::OK();
  }

 private:
  const std::string fname_;
  int fd_;
  uint64_t offset_ = 0;
  uint64_t filled_end_ = 0;  // end of the zero-filled region
};

class PosixPreadFile final : public RandomAccessFile {
 public:
  PosixPreadFile(std::string fname, int fd, uint64_t size)
      : fname_(std::move(fname)), fd_(fd), size_(size) {}
  ~PosixPreadFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = Slice(scratch, 0);
        return PosixError(fname_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    *result = Slice(scratch, done);
    return Status::OK();
  }
  uint64_t Size() const override { return size_; }

 private:
  const std::string fname_;
  const int fd_;
  const uint64_t size_;
};

class PosixMmapFile final : public RandomAccessFile {
 public:
  PosixMmapFile(void* base, uint64_t size) : base_(static_cast<char*>(base)), size_(size) {}
  ~PosixMmapFile() override {
    if (size_ > 0) ::munmap(base_, size_);
  }

  Status Read(uint64_t offset, size_t n, Slice* result, char* /*scratch*/) const override {
    if (offset >= size_) {
      *result = Slice();
      return Status::OK();
    }
    if (n > size_ - offset) n = static_cast<size_t>(size_ - offset);
    *result = Slice(base_ + offset, n);
    return Status::OK();
  }
  bool IsMapped() const override { return true; }
  uint64_t Size() const override { return size_; }
  void ReleasePages(uint64_t offset, uint64_t n) const override {
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    if (offset >= size_) return;
    const uint64_t end = (std::min(n, size_ - offset) + offset) / page * page;
    const uint64_t begin = (offset + page - 1) / page * page;
    // A read-only shared file mapping: MADV_DONTNEED only unmaps the pages;
    // the next touch maps them again from the page cache. Advisory: an
    // error changes nothing.
    if (begin < end) ::madvise(base_ + begin, end - begin, MADV_DONTNEED);
  }

 private:
  char* const base_;
  const uint64_t size_;
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string fname) : fd_(fd), fname_(std::move(fname)) {}
  ~PosixFileLock() override {
    if (fd_ >= 0) ::close(fd_);  // closing the last fd of the OFD releases the lock
  }
  int fd_;
  std::string fname_;
};

class PosixEnv final : public Env {
 public:
  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    int fd = ::open(fname.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(fname, errno);
    result->reset(new PosixWritableFile(fname, fd));
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& fname, bool use_mmap,
                             std::unique_ptr<RandomAccessFile>* result) override {
    int fd = ::open(fname.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(fname, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError(fname, err);
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (!use_mmap) {
      result->reset(new PosixPreadFile(fname, fd, size));
      return Status::OK();
    }
    void* base = nullptr;
    if (size > 0) {
      base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (base == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return PosixError(fname + ": mmap", err);
      }
    }
    ::close(fd);  // the mapping stays valid without the descriptor
    result->reset(new PosixMmapFile(base, size));
    return Status::OK();
  }

  bool FileExists(const std::string& fname) override {
    return ::access(fname.c_str(), F_OK) == 0;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    while (struct dirent* e = ::readdir(d)) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      result->emplace_back(e->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  Status RemoveFile(const std::string& fname) override {
    if (::unlink(fname.c_str()) != 0) return PosixError(fname + ": unlink", errno);
    return Status::OK();
  }

  Status CreateDir(const std::string& dirname) override {
    if (::mkdir(dirname.c_str(), 0755) != 0 && errno != EEXIST) {
      return PosixError(dirname + ": mkdir", errno);
    }
    return Status::OK();
  }

  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    struct stat st;
    if (::stat(fname.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(fname, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& src, const std::string& target) override {
    if (::rename(src.c_str(), target.c_str()) != 0) {
      return PosixError(src + " -> " + target + ": rename", errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dirname) override {
    int fd = ::open(dirname.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(dirname, errno);
    Status s;
    if (::fsync(fd) != 0) s = PosixError(dirname + ": fsync", errno);
    if (::close(fd) != 0 && s.ok()) s = PosixError(dirname + ": close", errno);
    return s;
  }

  Status LinkFile(const std::string& src, const std::string& target) override {
    if (::link(src.c_str(), target.c_str()) == 0) return Status::OK();
    const int err = errno;
    if (err == EXDEV || err == EPERM || err == EOPNOTSUPP || err == EMLINK) {
      return Status::NotSupported(src + " -> " + target + ": link", strerror(err));
    }
    return PosixError(src + " -> " + target + ": link", err);
  }

  Status LockFile(const std::string& fname, std::unique_ptr<FileLock>* lock) override {
    int fd = ::open(fname.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(fname, errno);
    struct flock fl;
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    int r = ::fcntl(fd, F_OFD_SETLK, &fl);
    const bool ofd_unsupported = (r != 0 && errno == EINVAL);
#else
    int r = -1;
    const bool ofd_unsupported = true;
#endif
    if (ofd_unsupported) {
      // flock() locks are also per open file description.
      r = ::flock(fd, LOCK_EX | LOCK_NB);
    }
    if (r != 0) {
      int err = errno;
      ::close(fd);
      if (err == EAGAIN || err == EACCES || err == EWOULDBLOCK) {
        return Status::Locked(fname, "the database is open elsewhere (another process, instance or thread holds its LOCK)");
      }
      return PosixError(fname + ": lock", err);
    }
    lock->reset(new PosixFileLock(fd, fname));
    return Status::OK();
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    auto* l = static_cast<PosixFileLock*>(lock.get());
    int fd = l->fd_;
    l->fd_ = -1;
    if (::close(fd) != 0) return PosixError(l->fname_ + ": close", errno);
    return Status::OK();
  }

  uint64_t NowMicros() override {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // intentionally leaked: outlives every DB
  return env;
}

}  // namespace lsm
