// log::Reader: replays the records of a WAL or MANIFEST held in memory and
// decides where a file's trustworthy prefix ends.
//
// A file can end three ways:
//   - cleanly, after a complete record;
//   - in a torn tail: the last write was cut short by a crash (record runs
//     past EOF), or the file was extended without its data landing (zeros or
//     garbage with no valid record after it). Dropped silently: the record
//     was never acknowledged as durable.
//   - in corruption: a bad record with a valid record somewhere after it.
//     Something damaged data that was once written correctly; skipping it
//     would silently lose acknowledged writes (R5), so it is an error naming
//     the file and offset.
//
// Thread-safety: one thread at a time.
#ifndef LSMKV_NATIVE_SRC_LOG_LOG_READER_H_
#define LSMKV_NATIVE_SRC_LOG_LOG_READER_H_

#include <cstdint>
#include <string>

#include "log/log_format.h"
#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {
namespace log {

class Reader {
 public:
  // `contents` is the whole file and must outlive the Reader and every
  // record it returns. `fname` only appears in error messages.
  Reader(std::string fname, Slice contents);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // On success stores the next payload in *record (a view into contents),
  // its header's file offset in *record_offset, and returns true. Returns
  // false at a clean end, at a torn tail, or on corruption; status() and
  // dropped_torn_tail() say which. Once false, stays false.
  bool ReadRecord(Slice* record, uint64_t* record_offset);

  // OK unless ReadRecord stopped at corruption, in which case Corruption
  // with message "<fname>: corrupt log record at offset <N>".
  Status status() const { return status_; }

  // Offset just past the last record returned. After the reader stops this
  // is where the trustworthy prefix ends (the file size at a clean end).
  uint64_t valid_length() const { return valid_length_; }

  // True if ReadRecord stopped at a torn tail (bytes after valid_length()
  // were dropped).
  bool dropped_torn_tail() const { return dropped_torn_tail_; }

 private:
  // Outcome of checking a record header at some offset.
  enum class Check {
    kValid,
    kPastEof,   // header or payload extends past EOF
    kBad,       // fits, but type or checksum is wrong
  };
  // On kValid, *length is the payload length.
  Check CheckRecordAt(uint64_t offset, uint32_t* length) const;

  // Called when the record at `offset` is not valid: decides torn tail vs
  // corruption and stops the reader.
  void HandleBadRecord(uint64_t offset);
  // True if a valid record starts anywhere in (bad_offset, EOF).
  bool ValidRecordAfter(uint64_t bad_offset) const;

  const std::string fname_;
  const Slice contents_;

  uint64_t pos_ = 0;
  uint64_t valid_length_ = 0;
  bool done_ = false;
  bool dropped_torn_tail_ = false;
  Status status_;
};

}  // namespace log
}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_LOG_LOG_READER_H_
