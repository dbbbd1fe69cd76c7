// Status code names: the stable strings that become JS `LsmError.code`.
#include "lsm/status.h"

namespace lsm {

const char* Status::CodeName() const {
  switch (code_) {
    case kOk: return "OK";
    case kNotFound: return "NOT_FOUND";
    case kCorruption: return "CORRUPTION";
    case kIOError: return "IO_ERROR";
    case kNoSpace: return "NO_SPACE";
    case kInvalidArgument: return "INVALID_ARGUMENT";
    case kLocked: return "LOCKED";
    case kReadOnly: return "READ_ONLY";
    case kClosed: return "CLOSED";
    case kNotSupported: return "NOT_SUPPORTED";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string r = CodeName();
  if (!msg_.empty()) {
    r.append(": ");
    r.append(msg_);
  }
  return r;
}

}  // namespace lsm
