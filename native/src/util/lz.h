// LZ: the byte-oriented LZ77 codec that compresses SSTable values (format
// in lz.cc, which owns it; table/format.h kLzValuesBlock uses it). Fast rather than tight: one greedy pass with a hash
// of 4-byte sequences, no entropy coding. Decompression checks every length
// and offset against both buffers, so damaged input is an error, never a
// read or write out of bounds (a block's checksum is verified first anyway).
//
// Thread-safety: stateless functions; any thread.
#ifndef LSMKV_NATIVE_SRC_UTIL_LZ_H_
#define LSMKV_NATIVE_SRC_UTIL_LZ_H_

#include <cstddef>
#include <string>

#include "lsm/slice.h"

namespace lsm {
namespace lz {

// Inputs larger than this are not compressed (Compress returns false), and
// a recorded length above it is malformed: a block is at most block_size
// (<= 4 MiB) plus one entry (key <= 64 KiB, value <= 64 MiB).
inline constexpr size_t kMaxInput = 128u << 20;

// Replaces *out with the compressed form of `input` and returns true, unless
// that would not be smaller than input.size() - input.size() / 8 (or the
// input exceeds kMaxInput): then returns false and *out is unspecified.
bool Compress(const Slice& input, std::string* out);

// The uncompressed size recorded at the front of `compressed`, or false if
// there is none.
bool UncompressedLength(const Slice& compressed, size_t* length);

// Decodes `compressed` into exactly `length` bytes at dst (length from
// UncompressedLength). False if the input is malformed in any way.
bool Uncompress(const Slice& compressed, char* dst, size_t length);

}  // namespace lz
}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_LZ_H_
