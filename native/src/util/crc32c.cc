// CRC32C implementation: hardware (SSE4.2 crc32 instruction, chosen once at
// run time) with a portable table-driven fallback.
#include "util/crc32c.h"

#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

namespace lsm {
namespace crc32c {

namespace {

struct Table {
  uint32_t t[8][256];
  Table() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t crc = i;
      for (int j = 0; j < 8; j++) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
      t[0][i] = crc;
    }
    for (uint32_t i = 0; i < 256; i++) {
      for (int k = 1; k < 8; k++) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
  }
};

const Table& GetTable() {
  static const Table table;
  return table;
}

uint32_t ExtendPortable(uint32_t crc, const char* buf, size_t n) {
  const Table& tb = GetTable();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(buf);
  crc = ~crc;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    w ^= crc;
    crc = tb.t[7][w & 0xff] ^ tb.t[6][(w >> 8) & 0xff] ^ tb.t[5][(w >> 16) & 0xff] ^
          tb.t[4][(w >> 24) & 0xff] ^ tb.t[3][(w >> 32) & 0xff] ^
          tb.t[2][(w >> 40) & 0xff] ^ tb.t[1][(w >> 48) & 0xff] ^ tb.t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ tb.t[0][(crc ^ *p++) & 0xff];
  return ~crc;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of 3 cycles and a throughput of 1, so
// one dependent chain uses a third of the unit. Long inputs are cut into
// stripes of three lanes of kLane bytes each, CRC'd as three independent
// chains, and the lanes are joined with the identity (raw, uninverted state)
//   crc(s, A || B) = Shift(crc(s, A), |B|) ^ crc(0, B)
// where Shift(c, n) is crc(c, n zero bytes), a linear map of the 32-bit state
// that a 4 x 256 table applies for the fixed n = kLane.
constexpr size_t kLane = 256;

__attribute__((target("sse4.2"))) uint64_t ChainHardware(uint64_t c, const uint8_t* p,
                                                         size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
  }
  for (; n > 0; n--) c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
  return c;
}

struct LaneShift {
  uint32_t t[4][256];
  LaneShift() {
    const Table& tb = GetTable();
    for (int byte = 0; byte < 4; byte++) {
      for (uint32_t v = 0; v < 256; v++) {
        uint32_t c = v << (8 * byte);
        for (size_t i = 0; i < kLane; i++) c = (c >> 8) ^ tb.t[0][c & 0xff];
        t[byte][v] = c;
      }
    }
  }
  uint32_t Apply(uint32_t c) const {
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
  }
};

const LaneShift& GetLaneShift() {
  static const LaneShift shift;
  return shift;
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const char* buf,
                                                          size_t n) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(buf);
  uint64_t c = ~crc & 0xffffffffu;
  if (n >= 3 * kLane) {
    const LaneShift& shift = GetLaneShift();
    do {
      uint64_t a = c, b = 0, d = 0;
      for (size_t i = 0; i < kLane; i += 8) {
        uint64_t wa, wb, wd;
        memcpy(&wa, p + i, 8);
        memcpy(&wb, p + kLane + i, 8);
        memcpy(&wd, p + 2 * kLane + i, 8);
        a = _mm_crc32_u64(a, wa);
        b = _mm_crc32_u64(b, wb);
        d = _mm_crc32_u64(d, wd);
      }
      c = shift.Apply(shift.Apply(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
          static_cast<uint32_t>(d);
      p += 3 * kLane;
      n -= 3 * kLane;
    } while (n >= 3 * kLane);
  }
  return ~static_cast<uint32_t>(ChainHardware(c, p, n));
}

bool HasSse42() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  return (ecx & bit_SSE4_2) != 0;
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

ExtendFn Choose() {
#if defined(__x86_64__)
  if (HasSse42()) return ExtendHardware;
#endif
  return ExtendPortable;
}

}  // namespace

uint32_t ExtendPortableForTest(uint32_t init_crc, const char* data, size_t n) {
  return ExtendPortable(init_crc, data, n);
}

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  static const ExtendFn fn = Choose();
  return fn(init_crc, data, n);
}

}  // namespace crc32c
}  // namespace lsm
