// MemEnv: a minimal in-memory Env for the fuzz targets and the corpus
// generator. Files are strings in a map; nothing touches the disk, so a fuzz
// run is fast, deterministic and leaves no files behind.
//
// Only what the readers under test and the builders that make the seeds call
// is implemented; every other operation returns NotSupported. A file may be
// registered as a view of caller-owned bytes (AddFileView: no copy per fuzz
// input), and reads can pretend to come from a mapping (set_mapped), which
// drives the zero-copy branch of ReadBlock as mmap does.
//
// Thread-safety: none; one fuzz input at a time.
#ifndef LSMKV_TEST_FUZZ_MEM_ENV_H_
#define LSMKV_TEST_FUZZ_MEM_ENV_H_

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lsm/env.h"

namespace lsm {
namespace fuzz {

class MemEnv final : public Env {
 public:
  // Stores a copy of `contents` as `fname`.
  void AddFile(const std::string& fname, std::string contents) {
    owned_[fname] = std::move(contents);
    views_[fname] = Slice(owned_[fname]);
  }
  // `contents` must outlive every reader of `fname`.
  void AddFileView(const std::string& fname, Slice contents) { views_[fname] = contents; }
  const std::string& Contents(const std::string& fname) { return owned_[fname]; }

  // Reads return views into the stored bytes (like an mmap) instead of
  // copying into scratch.
  void set_mapped(bool mapped) { mapped_ = mapped; }
  // Consulted for names that are not stored: returns true (and the bytes
  // in *contents) if the file should exist anyway. Lets a target make every
  // "NNNNNN.sst" a MANIFEST names read as one sample table.
  using Fallback = std::function<bool(const std::string& fname, Slice* contents)>;
  void set_fallback(Fallback fallback) { fallback_ = std::move(fallback); }

  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    AddFile(fname, std::string());
    result->reset(new Writable(&owned_[fname]));
    views_[fname] = Slice();  // re-pointed by RefreshViews()
    writing_.push_back(fname);
    return Status::OK();
  }

  Status NewRandomAccessFile(const std::string& fname, bool /*use_mmap*/,
                             std::unique_ptr<RandomAccessFile>* result) override {
    Slice contents;
    if (!Find(fname, &contents)) return Status::NotFound(fname);
    result->reset(new Readable(contents, mapped_));
    return Status::OK();
  }

  bool FileExists(const std::string& fname) override {
    Slice ignored;
    return Find(fname, &ignored);
  }
  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    Slice contents;
    if (!Find(fname, &contents)) return Status::NotFound(fname);
    *size = contents.size();
    return Status::OK();
  }

  Status GetChildren(const std::string&, std::vector<std::string>*) override { return No(); }
  Status RemoveFile(const std::string& fname) override {
    RefreshViews();
    if (views_.erase(fname) == 0) return Status::NotFound(fname);
    owned_.erase(fname);
    writing_.erase(std::remove(writing_.begin(), writing_.end(), fname), writing_.end());
    return Status::OK();
  }
  Status CreateDir(const std::string&) override { return Status::OK(); }
  Status RenameFile(const std::string& src, const std::string& target) override {
    RefreshViews();
    auto it = owned_.find(src);
    if (it == owned_.end()) return Status::NotFound(src);
    AddFile(target, std::move(it->second));
    return RemoveFile(src);
  }
  Status SyncDir(const std::string&) override { return Status::OK(); }
  Status LockFile(const std::string&, std::unique_ptr<FileLock>*) override { return No(); }
  Status UnlockFile(std::unique_ptr<FileLock>) override { return No(); }
  uint64_t NowMicros() override { return 0; }

 private:
  static Status No() { return Status::NotSupported("MemEnv"); }

  class Writable final : public WritableFile {
   public:
    explicit Writable(std::string* dst) : dst_(dst) {}
    Status Append(const Slice& data) override {
      dst_->append(data.data(), data.size());
      return Status::OK();
    }
    Status Sync() override { return Status::OK(); }
    Status Close() override { return Status::OK(); }
    uint64_t Size() const override { return dst_->size(); }

   private:
    std::string* const dst_;
  };

  class Readable final : public RandomAccessFile {
   public:
    Readable(Slice contents, bool mapped) : contents_(contents), mapped_(mapped) {}
    Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
      if (offset > contents_.size()) {
        *result = Slice();
        return Status::OK();
      }
      const size_t avail = contents_.size() - static_cast<size_t>(offset);
      if (n > avail) n = avail;
      if (mapped_) {
        *result = Slice(contents_.data() + offset, n);
      } else {
        if (n > 0) memcpy(scratch, contents_.data() + offset, n);
        *result = Slice(scratch, n);
      }
      return Status::OK();
    }
    bool IsMapped() const override { return mapped_; }
    uint64_t Size() const override { return contents_.size(); }

   private:
    const Slice contents_;
    const bool mapped_;
  };

  bool Find(const std::string& fname, Slice* contents) {
    RefreshViews();
    auto it = views_.find(fname);
    if (it != views_.end()) {
      *contents = it->second;
      return true;
    }
    return fallback_ && fallback_(fname, contents);
  }

  // Files written through NewWritableFile grow in owned_; their views are
  // re-pointed before anything reads them.
  void RefreshViews() {
    for (const std::string& f : writing_) views_[f] = Slice(owned_[f]);
  }

  std::map<std::string, std::string> owned_;
  std::map<std::string, Slice> views_;
  std::vector<std::string> writing_;
  bool mapped_ = false;
  Fallback fallback_;
};

}  // namespace fuzz
}  // namespace lsm

#endif  // LSMKV_TEST_FUZZ_MEM_ENV_H_
