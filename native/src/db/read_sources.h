// Read sources: the pieces of a read that DBImpl and ReadOnlyDB share — the
// merged internal iterator over memtables and a Version's tables, and the
// approximate table bytes of a key range. Both engines pin the sources they
// pass in (a SuperVersion or a loaded state) for as long as the result lives.
#ifndef LSMKV_NATIVE_SRC_DB_READ_SOURCES_H_
#define LSMKV_NATIVE_SRC_DB_READ_SOURCES_H_

#include <cstdint>
#include <vector>

#include "db/memtable.h"
#include "db/version_set.h"
#include "lsm/iterator.h"
#include "lsm/options.h"

namespace lsm {

// A merging iterator over internal keys: `mems` (newest first), then the
// tables of `version` that can hold keys in `range`. The caller keeps every
// source alive until the iterator is deleted.
Iterator* NewInternalIterator(const std::vector<const MemTable*>& mems, const Version& version,
                              const KeyRange& range);

// Approximate SSTable bytes of `version` holding keys in `range`.
uint64_t ApproximateTableBytes(const Version& version, const KeyRange& range);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_READ_SOURCES_H_
