// Status: the result of every engine operation. The engine never throws; a
// Status carries a stable code (mapped 1:1 to the JS `LsmError.code`) and a
// message. OK statuses carry no allocation.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_STATUS_H_
#define LSMKV_NATIVE_INCLUDE_LSM_STATUS_H_

#include <string>
#include <utility>

#include "lsm/slice.h"

namespace lsm {

class [[nodiscard]] Status {
 public:
  // DO NOT CHANGE the values: the binding maps them to JS error codes.
  enum Code : int {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kIOError = 3,
    kNoSpace = 4,
    kInvalidArgument = 5,
    kLocked = 6,
    kReadOnly = 7,
    kClosed = 8,
    kNotSupported = 9,
  };

  Status() noexcept : code_(kOk) {}

  static Status OK() { return Status(); }
  static Status NotFound(const Slice& msg = Slice()) { return Status(kNotFound, msg); }
  static Status Corruption(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kCorruption, msg, msg2);
  }
  static Status IOError(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kIOError, msg, msg2);
  }
  static Status NoSpace(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kNoSpace, msg, msg2);
  }
  static Status InvalidArgument(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kInvalidArgument, msg, msg2);
  }
  static Status Locked(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kLocked, msg, msg2);
  }
  static Status ReadOnly(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kReadOnly, msg, msg2);
  }
  static Status Closed(const Slice& msg = Slice("database is closed")) {
    return Status(kClosed, msg);
  }
  static Status NotSupported(const Slice& msg, const Slice& msg2 = Slice()) {
    return Status(kNotSupported, msg, msg2);
  }

  bool ok() const { return code_ == kOk; }
  bool IsNotFound() const { return code_ == kNotFound; }
  bool IsCorruption() const { return code_ == kCorruption; }
  bool IsIOError() const { return code_ == kIOError; }
  bool IsNoSpace() const { return code_ == kNoSpace; }
  bool IsInvalidArgument() const { return code_ == kInvalidArgument; }
  bool IsLocked() const { return code_ == kLocked; }
  bool IsReadOnly() const { return code_ == kReadOnly; }
  bool IsClosed() const { return code_ == kClosed; }

  Code code() const { return code_; }
  const std::string& message() const { return msg_; }

  // Stable upper-case name of the code, e.g. "CORRUPTION" (the JS error code).
  const char* CodeName() const;
  // "CODE: message", or "OK".
  std::string ToString() const;

 private:
  Status(Code code, const Slice& msg, const Slice& msg2 = Slice())
      : code_(code), msg_(msg.ToString()) {
    if (!msg2.empty()) {
      msg_.append(": ");
      msg_.append(msg2.data(), msg2.size());
    }
  }

  Code code_;
  std::string msg_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_STATUS_H_
