// Bloom filter over a whole table's keys: the builder the table writer feeds,
// and the probe a reader runs before touching any data block (DESIGN §5).
// The byte format is documented in bloom.cc, which owns it.
//
// Thread-safety: a BloomFilterBuilder is used by one thread; the probe is a
// pure function over immutable bytes.
#ifndef LSMKV_NATIVE_SRC_UTIL_BLOOM_H_
#define LSMKV_NATIVE_SRC_UTIL_BLOOM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsm/slice.h"

namespace lsm {

class BloomFilterBuilder {
 public:
  // bits_per_key: filter bits per distinct key (10 gives ~1% false
  // positives). REQUIRES: bits_per_key > 0.
  explicit BloomFilterBuilder(int bits_per_key);

  BloomFilterBuilder(const BloomFilterBuilder&) = delete;
  BloomFilterBuilder& operator=(const BloomFilterBuilder&) = delete;

  // Remembers only a 64-bit hash of `key`, so the key bytes need not outlive
  // the call. An immediately repeated key (several versions of one user key
  // arrive adjacent in a table) is counted once.
  void AddKey(const Slice& key);

  // Number of distinct (adjacent-deduplicated) keys added so far.
  size_t NumKeys() const { return hashes_.size(); }

  // Appends the encoded filter to *out and resets the builder.
  void Finish(std::string* out);

 private:
  const int bits_per_key_;
  const int num_probes_;
  std::vector<uint64_t> hashes_;
};

// The 64-bit hash the filter format is defined over, for in-memory filters
// (ConcurrentBloom) that probe the same keys: well mixed in every bit.
uint64_t BloomHash(const Slice& key);

// False: `key` was certainly not added to the filter. True: it may have been.
// An empty or unrecognised filter answers true (never a false negative).
bool BloomFilterMayMatch(const Slice& filter, const Slice& key);
// The same for a key whose BloomHash() the caller has already computed (a
// point get probes many tables' filters with one key).
bool BloomFilterMayMatchHash(const Slice& filter, uint64_t hash);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_BLOOM_H_
