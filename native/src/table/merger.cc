// MergingIterator: a linear scan over the children for the smallest (or
// largest) key. Children are few (memtables + L0 files + one per level), and
// a scan keeps ties resolved by child order without extra bookkeeping.
#include "table/merger.h"

namespace lsm {

namespace {

class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* comparator, std::vector<std::unique_ptr<Iterator>> children)
      : comparator_(comparator), children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr; }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    FindSmallest();
    direction_ = kForward;
  }

  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    FindLargest();
    direction_ = kReverse;
  }

  void Seek(const Slice& target) override {
    for (auto& c : children_) c->Seek(target);
    FindSmallest();
    direction_ = kForward;
  }

  void Next() override {
    // After moving backward, every non-current child sits before key():
    // move each to the first entry after it.
    if (direction_ != kForward) {
      const std::string k = key().ToString();
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(k);
        if (c->Valid() && comparator_->Compare(k, c->key()) == 0) c->Next();
      }
      direction_ = kForward;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    // After moving forward, every non-current child sits at or after key():
    // move each to the last entry before it.
    if (direction_ != kReverse) {
      const std::string k = key().ToString();
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(k);
        if (c->Valid()) c->Prev();
        else c->SeekToLast();  // every entry of c is before k
      }
      direction_ = kReverse;
    }
    current_->Prev();
    FindLargest();
  }

  Slice key() const override { return current_->key(); }
  Slice value() const override { return current_->value(); }

  Status status() const override {
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kReverse };

  void FindSmallest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (!c->Valid()) continue;
      if (current_ == nullptr || comparator_->Compare(c->key(), current_->key()) < 0) {
        current_ = c.get();
      }
    }
    if (current_ != nullptr && !StatusOk()) current_ = nullptr;
  }

  void FindLargest() {
    current_ = nullptr;
    // Last child wins ties going backward, so that going forward again the
    // first child (the newest source) still comes first among equals.
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
      auto& c = *it;
      if (!c->Valid()) continue;
      if (current_ == nullptr || comparator_->Compare(c->key(), current_->key()) > 0) {
        current_ = c.get();
      }
    }
    if (current_ != nullptr && !StatusOk()) current_ = nullptr;
  }

  // A child that failed stops the merge: skipping it would hide keys (R5).
  bool StatusOk() const {
    for (const auto& c : children_) {
      if (!c->status().ok()) return false;
    }
    return true;
  }

  const Comparator* const comparator_;
  std::vector<std::unique_ptr<Iterator>> children_;
  Iterator* current_ = nullptr;
  Direction direction_ = kForward;
};

}  // namespace

Iterator* NewMergingIterator(const Comparator* comparator,
                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return children[0].release();
  return new MergingIterator(comparator, std::move(children));
}

}  // namespace lsm
