// Background threads with an explicit stack size and a name (visible in top,
// gdb and perf). The engine's flush and commit threads are these, never the
// libuv pool, whose 4 threads are shared with fs and dns.
#ifndef LSMKV_NATIVE_SRC_UTIL_THREAD_H_
#define LSMKV_NATIVE_SRC_UTIL_THREAD_H_

#include <pthread.h>

#include <functional>
#include <string>

#include "lsm/status.h"

namespace lsm {

class Thread {
 public:
  static constexpr size_t kDefaultStackSize = 1u << 20;

  Thread() = default;
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;
  // REQUIRES: Join() was called if Start() succeeded.
  ~Thread();

  // Starts `fn` on a new thread. IOError if the OS refuses.
  Status Start(std::string name, std::function<void()> fn,
               size_t stack_size = kDefaultStackSize);
  void Join();
  bool joinable() const { return started_; }

 private:
  static void* Trampoline(void* arg);

  pthread_t tid_{};
  bool started_ = false;
  std::string name_;
  std::function<void()> fn_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_THREAD_H_
