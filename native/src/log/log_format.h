// Record framing shared by the WAL and the MANIFEST. This file owns the
// byte format:
//
//   file   := record*
//   record := masked_crc:fixed32 length:fixed32 type:uint8 payload[length]
//
//   crc        = crc32c::Mask(CRC32C(length bytes ++ type byte ++ payload))
//   fixed32    = little-endian (util/coding.h)
//
// Records are written back to back with no block padding; one record holds
// one whole payload (a WriteBatch or a VersionEdit).
//
// Reading back (log_reader.h) distinguishes a torn tail, which a crash can
// leave and which is dropped silently, from corruption in the middle of the
// file, which is an error naming the file and offset (DESIGN.md §6, R5).
#ifndef LSMKV_NATIVE_SRC_LOG_LOG_FORMAT_H_
#define LSMKV_NATIVE_SRC_LOG_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace lsm {
namespace log {

// DO NOT CHANGE the values: they are on disk.
enum RecordType : uint8_t {
  // Never written. Zero is what a preallocated or size-extended-but-unwritten
  // region reads as, so it must not look like a record.
  kZeroType = 0,
  kFullType = 1,
  // Values 2.. are reserved for future types (e.g. fragments). A reader that
  // does not know a type treats the record as bad.
};
constexpr uint8_t kMaxRecordType = kFullType;

// masked_crc (4) + length (4) + type (1).
constexpr size_t kHeaderSize = 4 + 4 + 1;

}  // namespace log
}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_LOG_LOG_FORMAT_H_
