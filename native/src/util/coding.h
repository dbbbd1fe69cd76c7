// Byte encodings shared by every on-disk format: little-endian fixed-width
// integers and LEB128-style varints (7 bits per byte, high bit = continue).
// DO NOT CHANGE: these bytes are on disk.
#ifndef LSMKV_NATIVE_SRC_UTIL_CODING_H_
#define LSMKV_NATIVE_SRC_UTIL_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "lsm/slice.h"

namespace lsm {

inline void EncodeFixed32(char* dst, uint32_t v) { memcpy(dst, &v, 4); }  // LE host
inline void EncodeFixed64(char* dst, uint64_t v) { memcpy(dst, &v, 8); }
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "lsmkv's on-disk format is little-endian; big-endian hosts need byte swaps");

inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, 8);
}

// Writes v at dst and returns the byte after it (dst needs 5 / 10 bytes).
inline char* EncodeVarint32(char* dst, uint32_t v) {
  uint8_t* p = reinterpret_cast<uint8_t*>(dst);
  while (v >= 128) {
    *p++ = static_cast<uint8_t>(v | 128);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return reinterpret_cast<char*>(p);
}
inline char* EncodeVarint64(char* dst, uint64_t v) {
  uint8_t* p = reinterpret_cast<uint8_t*>(dst);
  while (v >= 128) {
    *p++ = static_cast<uint8_t>(v | 128);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return reinterpret_cast<char*>(p);
}
inline void PutVarint32(std::string* dst, uint32_t v) {
  char buf[5];
  dst->append(buf, EncodeVarint32(buf, v) - buf);
}
inline void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  dst->append(buf, EncodeVarint64(buf, v) - buf);
}
inline void PutLengthPrefixedSlice(std::string* dst, const Slice& value) {
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}
inline int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 128) {
    v >>= 7;
    len++;
  }
  return len;
}

// Parses a varint in [p, limit); returns the byte after it or nullptr if the
// bytes are truncated or overlong.
inline const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v) {
  uint32_t result = 0;
  for (uint32_t shift = 0; shift <= 28 && p < limit; shift += 7) {
    uint32_t byte = static_cast<uint8_t>(*p++);
    if (shift == 28 && byte > 0x0f) return nullptr;  // overflows 32 bits
    result |= (byte & 127) << shift;
    if ((byte & 128) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}
inline const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* v) {
  uint64_t result = 0;
  for (uint32_t shift = 0; shift <= 63 && p < limit; shift += 7) {
    uint64_t byte = static_cast<uint8_t>(*p++);
    if (shift == 63 && byte > 1) return nullptr;  // overflows 64 bits
    result |= (byte & 127) << shift;
    if ((byte & 128) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

// Slice-consuming forms: on success advance *input past the value.
inline bool GetVarint32(Slice* input, uint32_t* v) {
  const char* p = input->data();
  const char* q = GetVarint32Ptr(p, p + input->size(), v);
  if (q == nullptr) return false;
  input->remove_prefix(q - p);
  return true;
}
inline bool GetVarint64(Slice* input, uint64_t* v) {
  const char* p = input->data();
  const char* q = GetVarint64Ptr(p, p + input->size(), v);
  if (q == nullptr) return false;
  input->remove_prefix(q - p);
  return true;
}
inline bool GetFixed32(Slice* input, uint32_t* v) {
  if (input->size() < 4) return false;
  *v = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}
inline bool GetFixed64(Slice* input, uint64_t* v) {
  if (input->size() < 8) return false;
  *v = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}
inline bool GetLengthPrefixedSlice(Slice* input, Slice* result) {
  uint32_t len;
  if (!GetVarint32(input, &len) || input->size() < len) return false;
  *result = Slice(input->data(), len);
  input->remove_prefix(len);
  return true;
}

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_CODING_H_
