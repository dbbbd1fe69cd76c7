// Named kill points: places in the write, flush, compaction and MANIFEST
// paths where a crash test can make the process die (or simulate a power
// loss) at the Nth time execution passes them, and count which ones a test
// actually reached.
//
//   LSM_KILL_POINT("wal.after_append");
//
// Without LSM_KILL_POINTS defined (the production addon) the macro expands to
// nothing. The C++ test build defines it (CMake option LSM_KILL_POINTS, ON by
// default for lsm_tests; binding.gyp never sets it).
//
// With it defined, every hit is counted per name, and if a test armed the
// point (Arm(name, n)) the nth hit since arming runs the armed action: by
// default `_exit(kExitCode)` (a kill -9 without the signal: no destructors,
// no flushing, other threads die with the process); a test may install a
// handler instead (e.g. one that stops the fault Env's file system, which
// is a power loss when followed by dropping unsynced data). A handler runs
// at most once per arming; the point is disarmed before it is called.
//
// Thread-safety: every function may be called from any thread.
#ifndef LSMKV_NATIVE_SRC_UTIL_KILL_POINT_H_
#define LSMKV_NATIVE_SRC_UTIL_KILL_POINT_H_

#ifdef LSM_KILL_POINTS

#include <unistd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace lsm {
namespace kill_point {

// Exit status of a process killed at a kill point.
inline constexpr int kExitCode = 86;

struct Registry {
  std::mutex mu;
  std::map<std::string, uint64_t> hits;
  std::string armed;          // "" = nothing armed
  uint64_t remaining = 0;     // hits of `armed` until it fires
  std::function<void(const char*)> handler;  // empty: _exit(kExitCode)
};

inline Registry& GetRegistry() {
  static Registry* r = new Registry();  // never destroyed: threads may outlive main
  return *r;
}

inline void Hit(const char* name) {
  Registry& r = GetRegistry();
  std::function<void(const char*)> fire;
  bool exit_now = false;
  {
    std::lock_guard<std::mutex> l(r.mu);
    r.hits[name]++;
    if (r.armed.empty() || r.armed != name || --r.remaining > 0) return;
    r.armed.clear();
    if (r.handler) fire = std::move(r.handler);
    else exit_now = true;
    r.handler = nullptr;
  }
  if (exit_now) ::_exit(kExitCode);
  fire(name);
}

// The nth hit (n >= 1, counted from now) of `name` runs `handler`, or
// _exit(kExitCode) if it is empty. Replaces any earlier arming.
inline void Arm(const std::string& name, uint64_t n,
                std::function<void(const char*)> handler = nullptr) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> l(r.mu);
  r.armed = name;
  r.remaining = n < 1 ? 1 : n;
  r.handler = std::move(handler);
}

inline void Disarm() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> l(r.mu);
  r.armed.clear();
  r.handler = nullptr;
}

// Hits of `name` since the last ResetCounts().
inline uint64_t Hits(const std::string& name) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> l(r.mu);
  auto it = r.hits.find(name);
  return it == r.hits.end() ? 0 : it->second;
}

inline std::map<std::string, uint64_t> AllHits() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> l(r.mu);
  return r.hits;
}

inline void ResetCounts() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> l(r.mu);
  r.hits.clear();
}

}  // namespace kill_point
}  // namespace lsm

#define LSM_KILL_POINT(name) ::lsm::kill_point::Hit(name)

#else

#define LSM_KILL_POINT(name) \
  do {                       \
  } while (0)

#endif  // LSM_KILL_POINTS

#endif  // LSMKV_NATIVE_SRC_UTIL_KILL_POINT_H_
