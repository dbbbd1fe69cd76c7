// Status -> LsmError.
#include "errors.h"

#include "addon_data.h"

namespace lsm_binding {

namespace {

Napi::Value NewError(Napi::Env env, const char* code, const std::string& message) {
  AddonData* data = GetAddonData(env);
  if (data != nullptr && !data->error_class.IsEmpty()) {
    return data->error_class.New({Napi::String::New(env, message), Napi::String::New(env, code)});
  }
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e.Value();
}

}  // namespace

Napi::Value MakeError(Napi::Env env, const lsm::Status& s) {
  return NewError(env, s.CodeName(), s.message().empty() ? s.CodeName() : s.message());
}

void ThrowStatus(Napi::Env env, const lsm::Status& s) {
  Napi::Value err = MakeError(env, s);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
}

void ThrowCode(Napi::Env env, const char* code, const std::string& message) {
  Napi::Value err = NewError(env, code, message);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    Napi::TypeError::New(env, "set_error_class: expected a constructor").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  GetAddonData(env)->error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace lsm_binding
