// log::Writer: builds the record header and checksum (format in
// log_format.h).
#include "log/log_writer.h"

#include <cassert>
#include <cstdint>
#include <limits>

#include "util/coding.h"
#include "util/crc32c.h"

namespace lsm {
namespace log {

Writer::Writer(WritableFile* dest) : dest_(dest) {}

void Writer::EncodeRecord(const Slice& payload, std::string* out) {
  assert(payload.size() <= std::numeric_limits<uint32_t>::max());
  char header[kHeaderSize];
  EncodeFixed32(header + 4, static_cast<uint32_t>(payload.size()));
  header[8] = static_cast<char>(kFullType);

  // length and type are adjacent in the header, so one pass covers both.
  uint32_t crc = crc32c::Value(header + 4, 5);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  EncodeFixed32(header, crc32c::Mask(crc));

  out->append(header, kHeaderSize);
  out->append(payload.data(), payload.size());
}

Status Writer::AddRecord(const Slice& payload) {
  if (payload.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("log record too large");
  }
  buffer_.clear();
  EncodeRecord(payload, &buffer_);
  Status s = dest_->Append(buffer_);
  // Don't pin the memory of one huge record for the life of the log.
  if (buffer_.capacity() > (1u << 20)) std::string().swap(buffer_);
  return s;
}

}  // namespace log
}  // namespace lsm
