// Owns the LZ byte format. DO NOT CHANGE it: compressed SSTable values on
// disk depend on it.
//
//   compressed := length:varint32 op*        length = uncompressed bytes
//   op         := literal | copy
//   literal    := tag:uint8 (0x00..0x7f) byte[tag + 1]
//                   the next tag + 1 (1..128) bytes are copied as they are
//   copy       := tag:uint8 (0x80..0xfe) offset:varint32
//                   copy (tag & 0x7f) + 4 (4..130) bytes from `offset` bytes
//                   back in the output
//               | tag:uint8 (0xff) extra:varint32 offset:varint32
//                   copy 131 + extra bytes from `offset` bytes back
//
// 1 <= offset <= bytes produced so far. A copy may overlap its own output
// (offset < length repeats a pattern). The ops produce exactly `length`
// bytes and consume the input exactly.
#include "util/lz.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "util/coding.h"

namespace lsm {
namespace lz {

namespace {

constexpr size_t kMaxLiteral = 128;
constexpr size_t kMinCopy = 4;
constexpr size_t kShortCopyMax = kMinCopy + 126;  // longest copy in one tag
constexpr size_t kMaxCopyOp = 1 + 5 + 5;          // tag + two varint32s

// Slot of the 4 bytes at p in a table of 2^bits entries.
inline uint32_t HashSlot(const char* p, int bits) {
  return (DecodeFixed32(p) * 0x1e35a7bdu) >> (32 - bits);
}

// Length of the common prefix of a and b, reading no further than b_limit
// (a < b, so a never passes it either).
inline size_t MatchLength(const char* a, const char* b, const char* b_limit) {
  const char* start = b;
  while (b_limit - b >= 8) {
    const uint64_t x = DecodeFixed64(a) ^ DecodeFixed64(b);
    if (x != 0) return (b - start) + (__builtin_ctzll(x) >> 3);  // little-endian
    a += 8;
    b += 8;
  }
  while (b < b_limit && *a == *b) {
    a++;
    b++;
  }
  return b - start;
}

// Writes the op stream into a fixed buffer, failing (rather than growing)
// once the output would exceed it.
class Writer {
 public:
  Writer(char* begin, char* end) : op_(begin), end_(end) {}

  bool Literals(const char* p, size_t n) {
    while (n > 0) {
      const size_t run = n < kMaxLiteral ? n : kMaxLiteral;
      if (static_cast<size_t>(end_ - op_) < run + 1) return false;
      *op_++ = static_cast<char>(run - 1);
      memcpy(op_, p, run);
      op_ += run;
      p += run;
      n -= run;
    }
    return true;
  }

  bool Copy(size_t offset, size_t length) {
    if (static_cast<size_t>(end_ - op_) < kMaxCopyOp) return false;
    if (length <= kShortCopyMax) {
      *op_++ = static_cast<char>(0x80 | (length - kMinCopy));
    } else {
      *op_++ = static_cast<char>(0xff);
      op_ = EncodeVarint32(op_, static_cast<uint32_t>(length - (kShortCopyMax + 1)));
    }
    op_ = EncodeVarint32(op_, static_cast<uint32_t>(offset));
    return true;
  }

  char* position() const { return op_; }

 private:
  char* op_;
  char* const end_;
};

}  // namespace

bool Compress(const Slice& input, std::string* out) {
  const size_t n = input.size();
  if (n < 16 || n > kMaxInput) return false;
  const size_t limit = n - n / 8 - 1;  // the most bytes the result may take
  out->resize(limit);
  char* const begin = &(*out)[0];
  char* const header_end = EncodeVarint32(begin, static_cast<uint32_t>(n));
  Writer w(header_end, begin + limit);

  // Hash table of the last position seen for each 4-byte sequence, sized to
  // the input: one slot per byte, 64 to 16384 slots. It is cleared for every
  // input (so the output depends on the input alone), which for a 100-byte
  // value is most of the work: 128 slots, not more. Small tables live on
  // the stack (no thread-local lookup through __tls_get_addr in the addon).
  int bits = 6;
  while (bits < 14 && (size_t{1} << bits) < n) bits++;
  constexpr int kStackBits = 10;
  uint32_t stack_table[size_t{1} << kStackBits];
  thread_local std::vector<uint32_t> heap_table;
  uint32_t* table = stack_table;
  if (bits > kStackBits) {
    heap_table.resize(size_t{1} << bits);
    table = heap_table.data();
  }
  memset(table, 0, sizeof(uint32_t) << bits);

  const char* const src = input.data();
  const char* const src_end = src + n;
  size_t literal_start = 0;
  size_t i = 0;
  uint32_t miss = 32;  // step = miss / 32: skip faster through data that does not match
  while (i + kMinCopy <= n) {
    const uint32_t h = HashSlot(src + i, bits);
    const size_t candidate = table[h];
    table[h] = static_cast<uint32_t>(i);
    if (candidate < i && DecodeFixed32(src + candidate) == DecodeFixed32(src + i)) {
      const size_t length =
          kMinCopy + MatchLength(src + candidate + kMinCopy, src + i + kMinCopy, src_end);
      if (!w.Literals(src + literal_start, i - literal_start) ||
          !w.Copy(i - candidate, length)) {
        return false;
      }
      i += length;
      literal_start = i;
      miss = 32;
      // Remember the copy's last position so a following repeat is found.
      if (i + kMinCopy <= n) table[HashSlot(src + i - 1, bits)] = static_cast<uint32_t>(i - 1);
    } else {
      i += miss++ >> 5;
    }
  }
  if (!w.Literals(src + literal_start, n - literal_start)) return false;
  out->resize(w.position() - begin);
  return true;
}

bool UncompressedLength(const Slice& compressed, size_t* length) {
  uint32_t v;
  if (GetVarint32Ptr(compressed.data(), compressed.data() + compressed.size(), &v) ==
      nullptr ||
      v > kMaxInput) {
    return false;
  }
  *length = v;
  return true;
}

bool Uncompress(const Slice& compressed, char* dst, size_t length) {
  const char* ip = compressed.data();
  const char* const ip_end = ip + compressed.size();
  uint32_t recorded;
  ip = GetVarint32Ptr(ip, ip_end, &recorded);
  if (ip == nullptr || recorded != length) return false;

  char* op = dst;
  char* const op_end = dst + length;
  while (ip < ip_end) {
    const uint8_t tag = static_cast<uint8_t>(*ip++);
    if (tag < 0x80) {
      const size_t run = size_t{tag} + 1;
      if (static_cast<size_t>(ip_end - ip) < run || static_cast<size_t>(op_end - op) < run) {
        return false;
      }
      memcpy(op, ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t copy = (tag & 0x7f) + kMinCopy;
    if (tag == 0xff) {
      uint32_t extra;
      ip = GetVarint32Ptr(ip, ip_end, &extra);
      if (ip == nullptr) return false;
      copy = kShortCopyMax + 1 + size_t{extra};
    }
    uint32_t offset;
    ip = GetVarint32Ptr(ip, ip_end, &offset);
    if (ip == nullptr || offset == 0 || offset > static_cast<size_t>(op - dst) ||
        copy > static_cast<size_t>(op_end - op)) {
      return false;
    }
    // offset < copy repeats a pattern: copy it in doubling chunks, each
    // from bytes already written (a multiple of offset back).
    const char* const from = op - offset;
    for (size_t span = offset; copy > 0;) {
      const size_t chunk = copy < span ? copy : span;
      memcpy(op, from, chunk);
      op += chunk;
      copy -= chunk;
      span += chunk;
    }
  }
  return op == op_end;
}

}  // namespace lz
}  // namespace lsm
