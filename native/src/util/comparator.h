// Comparator: the total order of keys inside a table or memtable. Tables are
// key-format agnostic; the DB hands them its InternalKeyComparator
// (db/dbformat.h), unit tests use BytewiseComparator().
#ifndef LSMKV_NATIVE_SRC_UTIL_COMPARATOR_H_
#define LSMKV_NATIVE_SRC_UTIL_COMPARATOR_H_

#include <string>

#include "lsm/slice.h"

namespace lsm {

class Comparator {
 public:
  virtual ~Comparator() = default;
  // <0, 0, >0 as a is before, equal to or after b.
  virtual int Compare(const Slice& a, const Slice& b) const = 0;
  // Stored in table properties; a table built with another order is rejected.
  virtual const char* Name() const = 0;
  // If *start < limit, may change *start to a shorter key in [start, limit).
  // Used to shorten index-block separators.
  virtual void FindShortestSeparator(std::string* start, const Slice& limit) const = 0;
  // May change *key to a short key >= *key.
  virtual void FindShortSuccessor(std::string* key) const = 0;
  // For an order that compares a leading part of each key bytewise (the
  // shorter first when one is a prefix of the other) and looks at the rest
  // only when those parts are equal: sets *part to that part of `key` and
  // returns true. Lets an index search integer prefixes of keys
  // (table/prefix_index.h). Any other order keeps this default.
  virtual bool BytewisePart(const Slice& key, Slice* part) const {
    (void)key;
    (void)part;
    return false;
  }
};

// Unsigned bytewise order. The returned object lives forever.
const Comparator* BytewiseComparator();

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_COMPARATOR_H_
