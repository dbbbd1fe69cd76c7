// The one mapping from engine Status to JS errors: an instance of the
// LsmError class that lib/ hands over at load (set_error_class), carrying the
// Status code name as `code`.
#ifndef LSMKV_NATIVE_BINDING_ERRORS_H_
#define LSMKV_NATIVE_BINDING_ERRORS_H_

#include <napi.h>

#include "lsm/status.h"

namespace lsm_binding {

// Per-environment state (worker threads each get their own).
struct AddonData;

// An Error object for `s` (REQUIRES: !s.ok()).
Napi::Value MakeError(Napi::Env env, const lsm::Status& s);
// Throws MakeError(s) as a pending JS exception.
void ThrowStatus(Napi::Env env, const lsm::Status& s);
// Throws an LsmError with the given code and message.
void ThrowCode(Napi::Env env, const char* code, const std::string& message);

Napi::Value SetErrorClass(const Napi::CallbackInfo& info);

}  // namespace lsm_binding

#endif  // LSMKV_NATIVE_BINDING_ERRORS_H_
