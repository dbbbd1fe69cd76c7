// Internal iterator helpers. The Iterator interface itself is public
// (lsm/iterator.h); memtables, blocks, tables and merging iterators
// implement it over internal keys.
#ifndef LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_
#define LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_

#include "lsm/iterator.h"

namespace lsm {

// An iterator over nothing, optionally carrying an error.
Iterator* NewEmptyIterator();
Iterator* NewErrorIterator(const Status& status);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_
