// Iterator: the cursor interface of the engine, public because DB iterators
// implement it. Internally memtables, blocks, tables and merging iterators
// implement it too (over internal keys). Positioned iterators expose
// key()/value() slices that stay valid until the next move or destruction.
//
// Thread-safety: one thread at a time per iterator.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_ITERATOR_H_
#define LSMKV_NATIVE_INCLUDE_LSM_ITERATOR_H_

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
  // Positions at the last entry with key <= target (bytewise order of
  // key(); meant for DB iterators over user keys).
  virtual void SeekForPrev(const Slice& target) {
    Seek(target);
    if (!Valid()) {
      if (status().ok()) SeekToLast();
    } else if (key().compare(target) > 0) {
      Prev();
    }
  }
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid()
  virtual Slice key() const = 0;
  // REQUIRES: Valid()
  virtual Slice value() const = 0;
  // Internal (SSTable iterators). REQUIRES: Valid(). When the current value
  // is stored coded in a table (native/src/table/format.h kLzValuesBlock),
  // sets *stored to the bytes as stored, once value() has decoded them
  // cleanly, and returns true: a compaction copies them without compressing
  // again. False otherwise (and for a value that does not decode).
  virtual bool StoredValue(Slice* /*stored*/) const { return false; }
  // Not OK when a read or checksum failed; Valid() is then false.
  virtual Status status() const = 0;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_ITERATOR_H_
