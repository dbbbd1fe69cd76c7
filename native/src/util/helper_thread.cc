// HelperThread: the hand-over between owner and helper (helper_thread.h).
#include "util/helper_thread.h"

#include <utility>

namespace lsm {

HelperThread::~HelperThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  task_cv_.notify_one();
  thread_.Join();
}

bool HelperThread::Start(const std::string& name) {
  return thread_.Start(name, [this] { Loop(); }).ok();
}

void HelperThread::Run(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    task_ = std::move(task);
    busy_ = true;
  }
  task_cv_.notify_one();
}

void HelperThread::Wait() {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait(l, [this]() REQUIRES(mu_) { return !busy_; });
}

void HelperThread::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    task_cv_.wait(l, [this]() REQUIRES(mu_) { return stop_ || task_ != nullptr; });
    if (task_ == nullptr) return;  // stopping, nothing left to run
    std::function<void()> task = std::move(task_);
    task_ = nullptr;
    l.unlock();
    task();
    l.lock();
    busy_ = false;
    done_cv_.notify_one();
  }
}

}  // namespace lsm
