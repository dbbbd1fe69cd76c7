// DBIter: the user-facing iterator of a DB. It walks a merged view of every
// source (memtables, tables) over internal keys, and yields each user key
// once, with its newest value visible at one sequence number, skipping
// deleted keys and anything written after that sequence. Bounds are applied
// inside, so a bounded scan never reads past them.
//
// Thread-safety: one thread at a time. The iterator keeps its sources alive
// through `pin` (a SuperVersion), so tables are never unmapped under it (R4).
#ifndef LSMKV_NATIVE_SRC_DB_DB_ITER_H_
#define LSMKV_NATIVE_SRC_DB_DB_ITER_H_

#include <functional>
#include <memory>
#include <string>

#include "db/dbformat.h"
#include "lsm/iterator.h"
#include "lsm/options.h"

namespace lsm {

// Called with the target of every Seek and SeekForPrev (read-triggered
// compaction samples seeks through it).
using SeekHook = std::function<void(const Slice& target)>;

// Takes ownership of `internal` (an iterator over internal keys).
Iterator* NewDBIterator(Iterator* internal, SequenceNumber sequence, KeyRange bounds,
                        std::shared_ptr<const void> pin, SeekHook on_seek = nullptr);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_DB_ITER_H_
