// verify(path): VerifyDB (lsm/verify.h) on its own short-lived thread (a
// verify reads every byte of the database; it must not occupy the libuv
// pool), settling a promise with the report through a threadsafe function.
#include <napi.h>

#include <string>
#include <thread>

#include "errors.h"
#include "lsm/verify.h"

namespace lsm_binding {

namespace {

struct VerifyJob {
  explicit VerifyJob(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  std::string path;
  lsm::Status status;
  lsm::VerifyReport report;
  Napi::Promise::Deferred deferred;
};

Napi::Object ReportToJs(Napi::Env env, const lsm::VerifyReport& r) {
  auto num = [&](uint64_t v) { return Napi::Number::New(env, static_cast<double>(v)); };
  Napi::Array files = Napi::Array::New(env, r.files.size());
  for (size_t i = 0; i < r.files.size(); i++) {
    const lsm::VerifyFile& f = r.files[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("file", f.file);
    o.Set("type", f.type);
    o.Set("size", num(f.size));
    o.Set("records", num(f.records));
    o.Set("entries", num(f.entries));
    o.Set("live", f.live);
    o.Set("ok", f.ok);
    files.Set(static_cast<uint32_t>(i), o);
  }
  Napi::Array issues = Napi::Array::New(env, r.issues.size());
  for (size_t i = 0; i < r.issues.size(); i++) {
    const lsm::VerifyIssue& x = r.issues[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("file", x.file);
    o.Set("offset", num(x.offset));
    o.Set("what", x.what);
    o.Set("damage", x.damage);
    issues.Set(static_cast<uint32_t>(i), o);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("ok", r.ok());
  out.Set("files", files);
  out.Set("issues", issues);
  return out;
}

}  // namespace

Napi::Value Verify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "verify(path)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* job = new VerifyJob(env);
  job->path = info[0].As<Napi::String>().Utf8Value();
  Napi::Promise promise = job->deferred.Promise();
  auto tsfn = Napi::ThreadSafeFunction::New(
      env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "lsmkv-verify", 0, 1);
  std::thread([job, tsfn]() mutable {
    job->status = lsm::VerifyDB(nullptr, job->path, &job->report);
    napi_status st = tsfn.BlockingCall(job, [](Napi::Env env, Napi::Function, VerifyJob* j) {
      if (j->status.ok()) j->deferred.Resolve(ReportToJs(env, j->report));
      else j->deferred.Reject(MakeError(env, j->status));
      delete j;
    });
    if (st != napi_ok) delete job;  // the environment is going away
    tsfn.Release();
  }).detach();
  return promise;
}

}  // namespace lsm_binding
