// LevelIterator: walks the files of one level in key order, opening a
// table iterator only for the file it is in.
#include "db/level_iterator.h"

#include <algorithm>

#include "db/dbformat.h"
#include "table/table.h"

namespace lsm {

namespace {

class LevelIterator final : public Iterator {
 public:
  explicit LevelIterator(std::vector<std::shared_ptr<const FileMetaData>> files)
      : files_(std::move(files)) {}

  bool Valid() const override { return file_iter_ != nullptr && file_iter_->Valid(); }
  Slice key() const override { return file_iter_->key(); }
  Slice value() const override { return file_iter_->value(); }
  Status status() const override { return file_iter_ ? file_iter_->status() : Status::OK(); }

  void SeekToFirst() override {
    Open(0);
    if (file_iter_) file_iter_->SeekToFirst();
    SkipEmptyForward();
  }
  void SeekToLast() override {
    Open(files_.size() - 1);
    if (file_iter_) file_iter_->SeekToLast();
    SkipEmptyBackward();
  }
  void Seek(const Slice& target) override {
    // First file whose largest key >= target.
    const InternalKeyComparator* icmp = GetInternalKeyComparator();
    auto it = std::lower_bound(files_.begin(), files_.end(), target,
                               [icmp](const std::shared_ptr<const FileMetaData>& f,
                                      const Slice& k) { return icmp->Compare(f->largest, k) < 0; });
    Open(static_cast<size_t>(it - files_.begin()));
    if (file_iter_) file_iter_->Seek(target);
    SkipEmptyForward();
  }
  void Next() override {
    file_iter_->Next();
    SkipEmptyForward();
  }
  void Prev() override {
    file_iter_->Prev();
    SkipEmptyBackward();
  }

 private:
  // Opens files_[index] (closing the current one); index past the end
  // leaves no file open.
  void Open(size_t index) {
    if (index == index_ && file_iter_) return;
    index_ = index;
    file_iter_.reset(index < files_.size() ? files_[index]->table->NewIterator() : nullptr);
  }

  void SkipEmptyForward() {
    while (file_iter_ && !file_iter_->Valid() && file_iter_->status().ok()) {
      if (index_ + 1 >= files_.size()) {
        file_iter_.reset();
        return;
      }
      Open(index_ + 1);
      file_iter_->SeekToFirst();
    }
  }

  void SkipEmptyBackward() {
    while (file_iter_ && !file_iter_->Valid() && file_iter_->status().ok()) {
      if (index_ == 0) {
        file_iter_.reset();
        return;
      }
      Open(index_ - 1);
      file_iter_->SeekToLast();
    }
  }

  const std::vector<std::shared_ptr<const FileMetaData>> files_;
  size_t index_ = 0;
  std::unique_ptr<Iterator> file_iter_;
};

}  // namespace

Iterator* NewLevelIterator(std::vector<std::shared_ptr<const FileMetaData>> files) {
  return new LevelIterator(std::move(files));
}

}  // namespace lsm
