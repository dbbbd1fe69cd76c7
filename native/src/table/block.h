// Block: read-only view of one block (format in block_builder.cc) with an
// iterator that binary-searches the restart points and, in a kLzValuesBlock
// (table/format.h), decodes each value when it is asked for. Parsing is defensive: a
// damaged block yields an iterator whose status() is Corruption, never a read
// outside the block's bytes.
//
// Thread-safety: a Block is immutable; any number of iterators may read it
// concurrently. Each iterator is used by one thread at a time.
#ifndef LSMKV_NATIVE_SRC_TABLE_BLOCK_H_
#define LSMKV_NATIVE_SRC_TABLE_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "table/format.h"
#include "table/iterator.h"
#include "table/prefix_index.h"
#include "util/comparator.h"

namespace lsm {

class Block {
 public:
  // Takes ownership of contents.heap (if any). The restart array is
  // validated here; a block that fails is remembered as malformed.
  explicit Block(BlockContents&& contents);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  size_t size() const { return size_; }

  // Builds a PrefixIndex over the restart keys, which iterators ordered by
  // the same `comparator` then use to seek (a long-lived block searched
  // often: a table's index block). No-op for a malformed block, an order
  // without a bytewise part, or restart keys that are not sorted.
  void BuildPrefixIndex(const Comparator* comparator);

  // An iterator over the block's entries, ordered by `comparator` (which
  // must outlive it, as must this Block). A malformed block gives an
  // iterator that is never Valid() and whose status() is Corruption.
  Iterator* NewIterator(const Comparator* comparator) const;

  // The same iterator built in `storage` instead of on the heap: a point
  // read opens two block iterators per table it probes, and a malloc/free
  // pair each is measurable. It is destroyed (not deleted) by the returned
  // handle, which must go before `storage` and this Block.
  struct IterStorage {
    alignas(16) char bytes[640];
  };
  struct DestroyOnly {
    void operator()(Iterator* it) const { it->~Iterator(); }
  };
  using InPlaceIterator = std::unique_ptr<Iterator, DestroyOnly>;
  InPlaceIterator NewIterator(const Comparator* comparator, IterStorage* storage) const;

  // The PrefixIndex if BuildPrefixIndex built one for `comparator`, else null.
  const PrefixIndex* PrefixIndexFor(const Comparator* comparator) const;

 private:
  class Iter;

  const char* data_;
  size_t size_;
  uint32_t restart_offset_ = 0;  // offset of the restart array
  uint32_t num_restarts_ = 0;
  bool malformed_ = false;
  BlockContents contents_;
  std::unique_ptr<PrefixIndex> prefix_index_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_BLOCK_H_
