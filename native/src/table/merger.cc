// MergingIterator: a binary heap of children ordered by their current key
// (min-heap going forward, max-heap going backward), ties broken by child
// index so newer sources come first going forward.
#include "table/merger.h"

#include <string>
#include <utility>

namespace lsm {

namespace {

class MergingIterator final : public Iterator {
 public:
  MergingIterator(const Comparator* comparator, std::vector<std::unique_ptr<Iterator>> children)
      : comparator_(comparator), children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty() && error_.ok(); }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Rebuild(kForward);
  }

  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    Rebuild(kReverse);
  }

  void Seek(const Slice& target) override {
    for (auto& c : children_) c->Seek(target);
    Rebuild(kForward);
  }

  void Next() override {
    if (direction_ != kForward) SwitchDirection(kForward);
    Iterator* top = children_[heap_.front()].get();
    top->Next();
    FixTop();
  }

  void Prev() override {
    if (direction_ != kReverse) SwitchDirection(kReverse);
    Iterator* top = children_[heap_.front()].get();
    top->Prev();
    FixTop();
  }

  Slice key() const override { return children_[heap_.front()]->key(); }
  Slice value() const override { return children_[heap_.front()]->value(); }
  bool StoredValue(Slice* stored) const override {
    return children_[heap_.front()]->StoredValue(stored);
  }

  Status status() const override {
    if (!error_.ok()) return error_;
    for (const auto& c : children_) {
      Status s = c->status();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

 private:
  enum Direction { kForward, kReverse };

  // True if child a should come out of the heap before child b: smaller key
  // first going forward, larger going backward; among equal keys the child
  // listed first (the newer source) comes first going forward and last
  // going backward, so both directions agree on the order.
  // Turning around: every child other than the current one sits on the far
  // side of key(). Forward, move each to its first entry after key(); in
  // reverse, to its last entry before it. The current child stays at key(),
  // on top of the rebuilt heap.
  void SwitchDirection(Direction d) {
    const std::string k = key().ToString();
    const size_t cur = heap_.front();
    for (size_t i = 0; i < children_.size(); i++) {
      if (i == cur) continue;
      Iterator* c = children_[i].get();
      c->Seek(k);
      if (d == kForward) {
        if (c->Valid() && comparator_->Compare(k, c->key()) == 0) c->Next();
      } else if (c->Valid()) {
        c->Prev();
      } else if (c->status().ok()) {
        c->SeekToLast();  // every entry of c is before k
      }
    }
    Rebuild(d);
  }

  bool Before(size_t a, size_t b) const {
    const int r = comparator_->Compare(children_[a]->key(), children_[b]->key());
    if (direction_ == kForward) return r < 0 || (r == 0 && a < b);
    return r > 0 || (r == 0 && a > b);
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    for (;;) {
      size_t best = i;
      const size_t l = 2 * i + 1, r = l + 1;
      if (l < n && Before(heap_[l], heap_[best])) best = l;
      if (r < n && Before(heap_[r], heap_[best])) best = r;
      if (best == i) return;
      std::swap(heap_[i], heap_[best]);
      i = best;
    }
  }

  void SiftUp(size_t i) {
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (!Before(heap_[i], heap_[parent])) return;
      std::swap(heap_[i], heap_[parent]);
      i = parent;
    }
  }

  // A child that failed stops the merge: skipping it would hide keys (R5).
  bool CheckChild(size_t i) {
    Status s = children_[i]->status();
    if (!s.ok()) {
      error_ = s;
      heap_.clear();
      return false;
    }
    return true;
  }

  void Rebuild(Direction d) {
    direction_ = d;
    error_ = Status::OK();
    heap_.clear();
    for (size_t i = 0; i < children_.size(); i++) {
      if (!CheckChild(i)) return;
      if (children_[i]->Valid()) {
        heap_.push_back(i);
        SiftUp(heap_.size() - 1);
      }
    }
  }

  // The top child moved: drop it if exhausted, else restore heap order.
  void FixTop() {
    const size_t top = heap_.front();
    if (!CheckChild(top)) return;
    if (!children_[top]->Valid()) {
      heap_.front() = heap_.back();
      heap_.pop_back();
    }
    if (!heap_.empty()) SiftDown(0);
  }

  const Comparator* const comparator_;
  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<size_t> heap_;  // indexes into children_, heap-ordered by Before()
  Direction direction_ = kForward;
  Status error_;
};

}  // namespace

Iterator* NewMergingIterator(const Comparator* comparator,
                             std::vector<std::unique_ptr<Iterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return children[0].release();
  return new MergingIterator(comparator, std::move(children));
}

}  // namespace lsm
