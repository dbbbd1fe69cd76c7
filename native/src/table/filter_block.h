// The table's filter block: one bloom filter (util/bloom.h, which owns the
// byte format) over every key of the table, each key first shortened by a
// fixed suffix so the DB can filter on user keys while the table stores
// internal keys (user key + 8-byte sequence/type trailer).
//
// Thread-safety: a builder is used by one thread; a reader is immutable.
#ifndef LSMKV_NATIVE_SRC_TABLE_FILTER_BLOCK_H_
#define LSMKV_NATIVE_SRC_TABLE_FILTER_BLOCK_H_

#include <cstddef>
#include <string>

#include "lsm/slice.h"
#include "util/bloom.h"

namespace lsm {

// Strips `suffix_len` bytes from the end of key; keys shorter than that are
// used whole (the table cannot hold such keys when the DB sets a suffix, but
// a filter must never fail on them).
inline Slice FilterKey(const Slice& key, size_t suffix_len) {
  if (key.size() < suffix_len) return key;
  return Slice(key.data(), key.size() - suffix_len);
}

class FilterBlockBuilder {
 public:
  // REQUIRES: bits_per_key > 0.
  FilterBlockBuilder(int bits_per_key, size_t key_suffix_strip)
      : bloom_(bits_per_key), strip_(key_suffix_strip) {}

  void AddKey(const Slice& key) { bloom_.AddKey(FilterKey(key, strip_)); }
  // Returns the filter block contents (without trailer).
  const std::string& Finish();

 private:
  BloomFilterBuilder bloom_;
  const size_t strip_;
  std::string result_;
};

class FilterBlockReader {
 public:
  // `contents` must outlive the reader. Empty contents means "no filter".
  FilterBlockReader(const Slice& contents, size_t key_suffix_strip)
      : contents_(contents), strip_(key_suffix_strip) {}

  // False only if `key` (after stripping) was certainly never added.
  bool KeyMayMatch(const Slice& key) const;
  // The same given BloomHash() of the stripped key.
  bool HashMayMatch(uint64_t stripped_key_hash) const;

 private:
  const Slice contents_;
  const size_t strip_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_FILTER_BLOCK_H_
