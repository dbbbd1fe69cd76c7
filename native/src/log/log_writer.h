// log::Writer: appends framed records (log_format.h) to a WAL or MANIFEST
// file.
//
// Thread-safety: one thread at a time (like the WritableFile under it).
#ifndef LSMKV_NATIVE_SRC_LOG_LOG_WRITER_H_
#define LSMKV_NATIVE_SRC_LOG_LOG_WRITER_H_

#include <string>

#include "log/log_format.h"
#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {
namespace log {

class Writer {
 public:
  // `dest` must outlive the Writer and is positioned at its end (a fresh
  // file, or a log whose valid prefix was checked by the reader; nothing is
  // ever appended after a torn tail that was not truncated away).
  explicit Writer(WritableFile* dest);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one complete framed record for `payload` to *out. Lets a
  // group-commit leader frame many batches into one buffer and issue a
  // single Append. REQUIRES: payload.size() <= UINT32_MAX.
  static void EncodeRecord(const Slice& payload, std::string* out);

  // Frames `payload` and writes it with one Append (no Sync: the caller
  // decides durability). Returns the Append error unchanged, or
  // InvalidArgument if the payload is too large for the length field.
  // After an error the file may hold a partial record; the caller must treat
  // the file as failed (R2) and not append to it again.
  Status AddRecord(const Slice& payload);

 private:
  WritableFile* const dest_;
  // Reused across AddRecord calls to avoid an allocation per record.
  std::string buffer_;
};

}  // namespace log
}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_LOG_LOG_WRITER_H_
