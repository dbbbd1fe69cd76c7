// SkipList: the ordered in-memory index under the memtable. Nodes live in an
// Arena and are never removed, so a node pointer, once seen, stays valid for
// the life of the list.
//
// Thread-safety:
//   - Insert() needs external synchronization: one writer at a time (the
//     memtable's writer holds the DB write lock).
//   - Reads (Contains, Iterator) need no lock and may run concurrently with
//     each other and with the writer; they only require that the SkipList
//     (and its Arena) outlive them.
// Why readers are safe: a node is fully built (key and its own next pointers)
// before it is linked in, and every link is published with a release store
// that readers pair with an acquire load. A reader therefore sees either the
// old list or the list including the new node, never a half-built node.
// Links are added bottom-up, so a node reachable at level i is already
// reachable at every level below i.
#ifndef LSMKV_NATIVE_SRC_UTIL_SKIPLIST_H_
#define LSMKV_NATIVE_SRC_UTIL_SKIPLIST_H_

#include <atomic>
#include <cassert>
#include <cstddef>
#include <new>

#include "util/arena.h"
#include "util/random.h"

namespace lsm {

// Comparator is a functor: int operator()(const Key& a, const Key& b) const
// returning <0, 0, >0. Key must be trivially copyable-ish: it is copied into
// arena memory and its destructor never runs.
template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  static constexpr int kMaxHeight = 12;
  // Each level holds about 1/kBranching of the nodes of the level below.
  static constexpr unsigned kBranching = 4;

  // `arena` must outlive the list; all nodes are allocated from it.
  SkipList(Comparator cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: nothing equal to key is in the list; external synchronization
  // against other Insert() calls.
  void Insert(const Key& key);

  bool Contains(const Key& key) const;

  // A cursor over the list. Sees every entry inserted before it was
  // positioned, and possibly some inserted later.
  class Iterator {
   public:
    // Not positioned until one of the Seek*() calls.
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}

    bool Valid() const { return node_ != nullptr; }

    // REQUIRES: Valid()
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }

    // REQUIRES: Valid()
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }

    // REQUIRES: Valid(). Nodes have no back pointers, so this is a search
    // from the head: O(log n) rather than O(1).
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }

    // Positions at the first entry >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }

    void SeekToFirst() { node_ = list_->head_->Next(0); }

    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  int RandomHeight();
  Node* NewNode(const Key& key, int height);

  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  // True if key sorts after the node's key (a null node is +infinity).
  bool KeyIsAfterNode(const Key& key, const Node* n) const {
    return n != nullptr && compare_(n->key, key) < 0;
  }

  // First node >= key, or nullptr. If prev is non-null, fills prev[level]
  // with the last node < key at every level in [0, max height).
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // Last node < key, or head_ if there is none.
  Node* FindLessThan(const Key& key) const;
  // Last node, or head_ if the list is empty.
  Node* FindLast() const;

  // Constant after construction.
  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;

  // Height of the tallest node. Written only by the writer; readers may see
  // a stale value, which is harmless: a too-small value just skips the top
  // levels, and a too-large one reads head_ links that are still null (or
  // already point at fully published nodes).
  std::atomic<int> max_height_;

  // Writer-only.
  Random rnd_;
  // Writer-only: for every level i, the last node <= the previously inserted
  // key among the nodes of level i (head_ before the first insert). Because
  // level i+1 is a subset of level i, if splice_[l] and its successor bracket
  // a new key, so do splice_[i] and theirs for every i > l.
  Node* splice_[kMaxHeight];
};

// A node is the struct followed directly by `height` link slots in the same
// arena allocation. The links are outside the struct (rather than a
// one-element trailing array indexed past its end) so that indexing them is
// well defined and sanitizer-clean.
template <typename Key, class Comparator>
struct alignas(std::atomic<void*>) SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}

  Key const key;

  // Acquire pairs with the writer's release in SetNext, so the pointed-to
  // node's key and links are visible.
  Node* Next(int level) const { return link(level)->load(std::memory_order_acquire); }
  void SetNext(int level, Node* x) { link(level)->store(x, std::memory_order_release); }

  // For the writer only: on an unpublished node nobody else can see the
  // links, and the writer is the only thread that ever stores to any link.
  Node* RelaxedNext(int level) const { return link(level)->load(std::memory_order_relaxed); }
  void RelaxedSetNext(int level, Node* x) { link(level)->store(x, std::memory_order_relaxed); }

  std::atomic<Node*>* link(int level) const {
    assert(level >= 0 && level < kMaxHeight);
    char* base = const_cast<char*>(reinterpret_cast<const char*>(this)) + sizeof(Node);
    return reinterpret_cast<std::atomic<Node*>*>(base) + level;
  }
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                            int height) {
  static_assert(alignof(Node) <= Arena::kAlignment, "arena cannot align skiplist nodes");
  static_assert(sizeof(Node) % alignof(std::atomic<Node*>) == 0, "links would be misaligned");
  const size_t bytes = sizeof(Node) + sizeof(std::atomic<Node*>) * height;
  char* mem = arena_->AllocateAligned(bytes);
  Node* node = new (mem) Node(key);
  for (int i = 0; i < height; i++) new (node->link(i)) std::atomic<Node*>(nullptr);
  return node;
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(kBranching)) height++;
  assert(height > 0 && height <= kMaxHeight);
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (KeyIsAfterNode(key, next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      level--;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    assert(x == head_ || compare_(x->key, key) < 0);
    Node* next = x->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator cmp, Arena* arena)
    : compare_(cmp),
      arena_(arena),
      // The head's key is never read; a value-initialized Key stands in.
      head_(NewNode(Key(), kMaxHeight)),
      max_height_(1),
      // Fixed seed: heights are deterministic, which keeps memtable layout
      // (and any test that depends on it) reproducible.
      rnd_(0xdeadbeef) {
  for (int i = 0; i < kMaxHeight; i++) splice_[i] = head_;
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  const int max_height = GetMaxHeight();

  // Start from the splice of the previous insert when the new key lies after
  // it: find the lowest level whose splice node and its successor bracket the
  // key, and search down from there. Ascending inserts (sequential keys, or a
  // sorted batch) then cost a few comparisons of cached nodes instead of a
  // full descent. Every level above the bracketing level brackets the key
  // too (see splice_), so those predecessors are known already.
  int level = max_height - 1;
  Node* x = head_;
  if (splice_[0] != head_ && compare_(splice_[0]->key, key) < 0) {
    for (int l = 0; l < max_height; l++) {
      Node* next = splice_[l]->RelaxedNext(l);
      if (next == nullptr || compare_(next->key, key) > 0) {
        for (int i = l + 1; i < max_height; i++) prev[i] = splice_[i];
        level = l;
        x = splice_[l];
        break;
      }
    }
  }
  for (;;) {
    Node* next = x->RelaxedNext(level);
    if (next != nullptr && compare_(next->key, key) < 0) {
      x = next;
    } else {
      prev[level] = x;
      if (level == 0) break;
      level--;
    }
  }
  assert(prev[0]->RelaxedNext(0) == nullptr || !Equal(key, prev[0]->RelaxedNext(0)->key));

  const int height = RandomHeight();
  if (height > max_height) {
    for (int i = max_height; i < height; i++) prev[i] = head_;
    // Relaxed is enough: see the comment on max_height_.
    max_height_.store(height, std::memory_order_relaxed);
  }

  x = NewNode(key, height);
  for (int i = 0; i < height; i++) {
    // x is not yet reachable, so its own links need no ordering; the
    // release in prev[i]->SetNext publishes them together with the key.
    x->RelaxedSetNext(i, prev[i]->RelaxedNext(i));
    prev[i]->SetNext(i, x);
  }
  const int top = height > max_height ? height : max_height;
  for (int i = 0; i < top; i++) splice_[i] = i < height ? x : prev[i];
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && Equal(key, x->key);
}

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_SKIPLIST_H_
