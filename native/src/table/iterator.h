// Iterator: the internal cursor interface shared by memtables, blocks, tables
// and (later) merging iterators. Positioned iterators expose key()/value()
// slices that stay valid until the next move or destruction.
//
// Thread-safety: one thread at a time per iterator.
#ifndef LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_
#define LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_

#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {

class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator() = default;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry with key >= target.
  virtual void Seek(const Slice& target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid()
  virtual Slice key() const = 0;
  // REQUIRES: Valid()
  virtual Slice value() const = 0;
  // Not OK when a read or checksum failed; Valid() is then false.
  virtual Status status() const = 0;
};

// An iterator over nothing, optionally carrying an error.
Iterator* NewEmptyIterator();
Iterator* NewErrorIterator(const Status& status);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_ITERATOR_H_
