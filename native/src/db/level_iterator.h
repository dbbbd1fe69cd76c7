// LevelIterator: one sorted iterator over the files of a level >= 1, whose
// key ranges do not overlap. Only the file under the cursor is open, so a
// merge over N levels has N children however many files each level holds,
// and a Seek reads one data block per level instead of one per file.
#ifndef LSMKV_NATIVE_SRC_DB_LEVEL_ITERATOR_H_
#define LSMKV_NATIVE_SRC_DB_LEVEL_ITERATOR_H_

#include <memory>
#include <vector>

#include "db/version_edit.h"
#include "lsm/iterator.h"

namespace lsm {

// `files` sorted by key and non-overlapping; the FileMetaData (and their
// tables) must outlive the iterator (the caller pins the Version).
Iterator* NewLevelIterator(std::vector<std::shared_ptr<const FileMetaData>> files);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_LEVEL_ITERATOR_H_
