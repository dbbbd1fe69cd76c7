// Per-environment instance data: nothing that holds JS values is static, so
// the addon loads in worker threads and Electron (context-aware).
#ifndef LSMKV_NATIVE_BINDING_ADDON_DATA_H_
#define LSMKV_NATIVE_BINDING_ADDON_DATA_H_

#include <napi.h>

#include <memory>
#include <set>

namespace lsm_binding {

class DbCore;

struct AddonData {
  Napi::FunctionReference error_class;
  // Every handle created in this environment, so the env cleanup hook can
  // close databases a terminated worker left open.
  std::set<std::shared_ptr<DbCore>> cores;
};

inline AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace lsm_binding

#endif  // LSMKV_NATIVE_BINDING_ADDON_DATA_H_
