// MergingIterator: one sorted view over several sorted children (memtables,
// L0 tables, level iterators). Equal keys from different children are all
// yielded; the child listed first comes first among equals, which callers
// use to order newer sources before older ones. Both directions supported.
//
// Thread-safety: one thread at a time, like every Iterator.
#ifndef LSMKV_NATIVE_SRC_TABLE_MERGER_H_
#define LSMKV_NATIVE_SRC_TABLE_MERGER_H_

#include <memory>
#include <vector>

#include "table/iterator.h"
#include "util/comparator.h"

namespace lsm {

// Takes ownership of the children. With no children returns an empty
// iterator; with one, returns it unchanged.
Iterator* NewMergingIterator(const Comparator* comparator,
                             std::vector<std::unique_ptr<Iterator>> children);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_MERGER_H_
