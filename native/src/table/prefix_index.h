// PrefixIndex: a compact in-memory copy of a block's restart keys, eight
// bytes each, that narrows a seek to the one or two restart points that can
// hold the answer without decoding the block's entries.
//
// A table's index block (one restart point per entry, one entry per data
// block) is binary-searched on every point get and every seek; each step of
// that search reads the restart array, decodes an entry and calls the
// comparator, about 150 instructions and up to two cache misses. Built once
// when the table opens, this turns those steps into comparisons of integers
// in one contiguous array (8 bytes per data block held in memory).
//
// It works for orders that compare a leading part of each key bytewise
// (Comparator::BytewisePart: the whole key, or the user key of an internal
// key). Every restart key but the last has a part that starts with C, the
// common prefix of the first and the second-to-last keys' parts (any key
// between two sorted keys shares their common prefix); its "prefix" is the
// next eight bytes after C, zero-padded, read big-endian. The last key is
// left out because in an index block it is a shortened successor ("1" after
// "0000000000999999") that would cut C short. For keys x, y sharing C,
// prefix(x) < prefix(y) implies x < y, so a target's prefix splits the
// restart points into those certainly before it, those that need a real
// comparison (equal prefix, and the last key unless something before it is
// already greater) and those certainly after it.
//
// Thread-safety: immutable after Build(); any number of concurrent readers.
#ifndef LSMKV_NATIVE_SRC_TABLE_PREFIX_INDEX_H_
#define LSMKV_NATIVE_SRC_TABLE_PREFIX_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsm/slice.h"
#include "util/comparator.h"

namespace lsm {

class PrefixIndex {
 public:
  // `restart_keys` are the block's restart keys in order (each stored whole).
  // Null if `cmp` has no bytewise part.
  static std::unique_ptr<PrefixIndex> Build(const Comparator* cmp,
                                            const std::vector<Slice>& restart_keys);

  // Restart points [0, *lo) have keys < target and [*hi, n) keys > target;
  // only [*lo, *hi) (usually empty or one) need comparing. 0 <= lo <= hi <= n.
  void Narrow(const Slice& target, uint32_t* lo, uint32_t* hi) const;

  // Restart keys covered (the last one included).
  size_t size() const { return prefixes_.size() + 1; }
  const Comparator* comparator() const { return cmp_; }

 private:
  PrefixIndex(const Comparator* cmp, std::string common, std::vector<uint64_t> prefixes)
      : cmp_(cmp), common_(std::move(common)), prefixes_(std::move(prefixes)) {}

  const Comparator* const cmp_;
  const std::string common_;
  const std::vector<uint64_t> prefixes_;  // of every restart key but the last
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_PREFIX_INDEX_H_
