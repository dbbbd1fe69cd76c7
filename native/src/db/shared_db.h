// Shared opens (DB::OpenShared): a process-wide registry of engines keyed by
// the directory's canonical path, each shared by reference-counted handles.
//
// A handle forwards every call to the engine. Its Close() marks only itself
// closed (later calls return Closed) and drops its reference; the last
// reference closes the engine (R8) while the registry mutex is held, so a
// new open of the path waits until the LOCK is free again instead of
// failing with Locked. Engine events fan out to every handle's listener.
//
// Thread-safety: everything may be called from any thread. The registry
// mutex is held across the engine's Open and final Close, never while a
// handle reads or writes.
#ifndef LSMKV_NATIVE_SRC_DB_SHARED_DB_H_
#define LSMKV_NATIVE_SRC_DB_SHARED_DB_H_

#include <cstddef>
#include <string>

#include "lsm/options.h"

namespace lsm {

// The first option in which `mine` differs from `engine` (env and listener
// are not compared), as "name (mine vs engine's)", or "" if none does.
std::string FirstSharedOptionDifference(const Options& mine, const Options& engine);

// Tests: engines currently in the registry.
size_t SharedEngineCount();

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_SHARED_DB_H_
