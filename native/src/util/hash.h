// Hash64: the 64-bit hash behind the SSTable bloom filters. Filter bits are
// written to disk, so the function's output is part of the on-disk format:
// DO NOT CHANGE the algorithm, its constants, or its byte order (see
// hash.cc). A changed hash would make every existing filter answer "absent"
// for keys that are present.
#ifndef LSMKV_NATIVE_SRC_UTIL_HASH_H_
#define LSMKV_NATIVE_SRC_UTIL_HASH_H_

#include <cstddef>
#include <cstdint>

namespace lsm {

// Hash of data[0, n) under `seed`. Different seeds give independent-looking
// hash functions. Every output bit depends on every input bit and on the
// length, so callers may use any subset of the bits.
uint64_t Hash64(const char* data, size_t n, uint64_t seed);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_HASH_H_
