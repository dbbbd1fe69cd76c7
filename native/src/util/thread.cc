// Thread: pthread wrapper with explicit stack size and thread name.
#include "util/thread.h"

#include <cassert>
#include <cstring>

namespace lsm {

Thread::~Thread() { assert(!started_); }

void* Thread::Trampoline(void* arg) {
  auto* self = static_cast<Thread*>(arg);
  // Linux limits names to 15 characters plus NUL.
  pthread_setname_np(pthread_self(), self->name_.substr(0, 15).c_str());
  self->fn_();
  return nullptr;
}

Status Thread::Start(std::string name, std::function<void()> fn, size_t stack_size) {
  assert(!started_);
  name_ = std::move(name);
  fn_ = std::move(fn);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_size);
  int r = pthread_create(&tid_, &attr, &Thread::Trampoline, this);
  pthread_attr_destroy(&attr);
  if (r != 0) return Status::IOError("pthread_create " + name_, strerror(r));
  started_ = true;
  return Status::OK();
}

void Thread::Join() {
  if (!started_) return;
  pthread_join(tid_, nullptr);
  started_ = false;
}

}  // namespace lsm
