// HelperThread: a second pair of hands for one owner thread. The owner hands
// it a task, does something else meanwhile, then waits for the task. The
// commit thread uses one to apply a group's batches to the memtable while it
// waits for the WAL's fdatasync, instead of after it (db_impl.cc, R1).
//
// Thread-safety: one owner thread calls Run() and Wait(), alternately.
#ifndef LSMKV_NATIVE_SRC_UTIL_HELPER_THREAD_H_
#define LSMKV_NATIVE_SRC_UTIL_HELPER_THREAD_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "util/thread.h"
#include "util/thread_annotations.h"

namespace lsm {

class HelperThread {
 public:
  HelperThread() = default;
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;
  // Stops and joins the thread (after the task it is running, if any).
  ~HelperThread();

  // Starts the thread. False if the OS refuses one: the owner then runs its
  // tasks itself.
  bool Start(const std::string& name);
  // Starts `task` on the helper. REQUIRES: Start() succeeded and every
  // earlier task was waited for.
  void Run(std::function<void()> task);
  // Returns once the task given to Run() has returned.
  void Wait();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable task_cv_;  // a task or stop for the helper
  std::condition_variable done_cv_;  // the task finished, for the owner
  std::function<void()> task_ GUARDED_BY(mu_);
  bool busy_ GUARDED_BY(mu_) = false;  // a task was given and has not returned
  bool stop_ GUARDED_BY(mu_) = false;
  Thread thread_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_HELPER_THREAD_H_
