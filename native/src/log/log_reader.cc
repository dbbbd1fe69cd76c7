// log::Reader: record validation and the torn-tail-versus-corruption
// decision (format in log_format.h).
#include "log/log_reader.h"

#include <utility>

#include "util/coding.h"
#include "util/crc32c.h"

namespace lsm {
namespace log {

Reader::Reader(std::string fname, Slice contents)
    : fname_(std::move(fname)), contents_(contents) {}

bool Reader::ReadRecord(Slice* record, uint64_t* record_offset) {
  if (done_) return false;
  if (pos_ == contents_.size()) {
    done_ = true;
    return false;
  }
  uint32_t length = 0;
  const Check check = CheckRecordAt(pos_, &length);
  if (check != Check::kValid) {
    HandleBadRecord(pos_);
    return false;
  }
  *record = Slice(contents_.data() + pos_ + kHeaderSize, length);
  *record_offset = pos_;
  pos_ += kHeaderSize + length;
  valid_length_ = pos_;
  return true;
}

Reader::Check Reader::CheckRecordAt(uint64_t offset, uint32_t* length) const {
  // Cheapest tests first: the scan in ValidRecordAfter calls this at every
  // byte offset of a damaged region, and almost all of them fail on the type
  // byte or the length before any checksum is computed.
  const uint64_t size = contents_.size();
  if (size - offset < kHeaderSize) return Check::kPastEof;
  const char* header = contents_.data() + offset;
  const uint8_t type = static_cast<uint8_t>(header[8]);
  const uint32_t len = DecodeFixed32(header + 4);
  if (len > size - offset - kHeaderSize) return Check::kPastEof;
  if (type == kZeroType || type > kMaxRecordType) return Check::kBad;
  // Length, type and payload are contiguous and covered by one CRC.
  const uint32_t actual = crc32c::Value(header + 4, 5 + static_cast<size_t>(len));
  if (actual != crc32c::Unmask(DecodeFixed32(header))) return Check::kBad;
  *length = len;
  return Check::kValid;
}

void Reader::HandleBadRecord(uint64_t offset) {
  done_ = true;
  valid_length_ = offset;

  // A bad record is only forgivable if nothing trustworthy follows it: then
  // it is the remains of a write the crash interrupted, and its contents
  // were never acknowledged as durable. This applies even when the declared
  // length runs past EOF, because a bit flip in the length field of a record
  // in the middle of the file looks exactly like that and must not hide the
  // records after it.
  if (!ValidRecordAfter(offset)) {
    dropped_torn_tail_ = true;
    return;
  }
  status_ = Status::Corruption(fname_, "corrupt log record at offset " + std::to_string(offset));
}

bool Reader::ValidRecordAfter(uint64_t bad_offset) const {
  const uint64_t size = contents_.size();
  const char* data = contents_.data();

  // Zeros are what a file extended by the filesystem but never written reads
  // as; no record can hide in them (type 0 is never valid), so skip the scan.
  bool all_zero = true;
  for (uint64_t i = bad_offset; i < size; i++) {
    if (data[i] != 0) {
      all_zero = false;
      break;
    }
  }
  if (all_zero) return false;

  uint32_t length = 0;
  // If only the checksum or type is damaged, the declared length still
  // points at the next record: try there first, it is the common case.
  if (size - bad_offset >= kHeaderSize) {
    const uint64_t next = bad_offset + kHeaderSize + DecodeFixed32(data + bad_offset + 4);
    if (next < size && CheckRecordAt(next, &length) == Check::kValid) return true;
  }
  // The length itself may be damaged: look at every later offset.
  for (uint64_t off = bad_offset + 1; off + kHeaderSize <= size; off++) {
    if (CheckRecordAt(off, &length) == Check::kValid) return true;
  }
  return false;
}

}  // namespace log
}  // namespace lsm
