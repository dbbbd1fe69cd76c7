// CRC32C (Castagnoli), the checksum of every WAL/MANIFEST record, SSTable
// block, footer and CURRENT (R5). Uses the SSE4.2 instruction when the CPU has
// it, a table otherwise; both give identical results.
#ifndef LSMKV_NATIVE_SRC_UTIL_CRC32C_H_
#define LSMKV_NATIVE_SRC_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace lsm {
namespace crc32c {

// CRC32C of concat(A, data[0,n)) where init_crc is the CRC32C of A.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

// Test-only: the table-driven path regardless of CPU, so tests can check it
// against the hardware path that Extend() picks on SSE4.2 machines.
uint32_t ExtendPortableForTest(uint32_t init_crc, const char* data, size_t n);

// A CRC stored next to the data it covers is masked, so that a CRC computed
// over bytes that themselves contain CRCs stays well distributed.
static constexpr uint32_t kMaskDelta = 0xa282ead8ul;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return ((rot >> 17) | (rot << 15));
}

}  // namespace crc32c
}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_CRC32C_H_
