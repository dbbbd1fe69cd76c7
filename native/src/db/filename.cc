// Database file names and the CURRENT pointer.
#include "db/filename.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "util/crc32c.h"
#include "util/kill_point.h"

namespace lsm {

namespace {

std::string MakeFileName(const std::string& dbname, uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/%06" PRIu64 ".%s", number, suffix);
  return dbname + buf;
}

// Parses a run of decimal digits that makes up all of `s`.
bool ParseNumber(const std::string& s, uint64_t* v) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<uint64_t>(c - '0');
  }
  *v = r;
  return true;
}

}  // namespace

std::string LogFileName(const std::string& dbname, uint64_t number) {
  return MakeFileName(dbname, number, "log");
}
std::string TableFileName(const std::string& dbname, uint64_t number) {
  return MakeFileName(dbname, number, "sst");
}
std::string TempFileName(const std::string& dbname, uint64_t number) {
  return MakeFileName(dbname, number, "dbtmp");
}
std::string ManifestFileName(const std::string& dbname, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06" PRIu64, number);
  return dbname + buf;
}
std::string CurrentFileName(const std::string& dbname) { return dbname + "/CURRENT"; }
std::string LockFileName(const std::string& dbname) { return dbname + "/LOCK"; }

bool ParseFileName(const std::string& name, uint64_t* number, FileType* type) {
  if (name == "CURRENT") {
    *number = 0;
    *type = FileType::kCurrentFile;
    return true;
  }
  if (name == "LOCK") {
    *number = 0;
    *type = FileType::kLockFile;
    return true;
  }
  static const std::string kManifest = "MANIFEST-";
  if (name.compare(0, kManifest.size(), kManifest) == 0) {
    if (!ParseNumber(name.substr(kManifest.size()), number)) return false;
    *type = FileType::kManifestFile;
    return true;
  }
  const size_t dot = name.find('.');
  if (dot == std::string::npos || !ParseNumber(name.substr(0, dot), number)) return false;
  const std::string suffix = name.substr(dot + 1);
  if (suffix == "log") *type = FileType::kLogFile;
  else if (suffix == "sst") *type = FileType::kTableFile;
  else if (suffix == "dbtmp") *type = FileType::kTempFile;
  else return false;
  return true;
}

Status SetCurrentFile(Env* env, const std::string& dbname, uint64_t manifest_number) {
  std::string manifest = ManifestFileName(dbname, manifest_number);
  manifest = manifest.substr(dbname.size() + 1);
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x",
                crc32c::Mask(crc32c::Value(manifest.data(), manifest.size())));
  const std::string contents = manifest + " " + crc + "\n";
  const std::string tmp = TempFileName(dbname, manifest_number);
  Status s = env->WriteStringToFile(contents, tmp, /*sync=*/true);
  if (s.ok()) LSM_KILL_POINT("current.before_rename");
  if (s.ok()) s = env->RenameFile(tmp, CurrentFileName(dbname));
  if (s.ok()) LSM_KILL_POINT("current.after_rename");
  if (s.ok()) s = env->SyncDir(dbname);
  if (!s.ok()) env->RemoveFile(tmp).ok();  // best effort
  return s;
}

Status ReadCurrentFile(Env* env, const std::string& dbname, std::string* manifest) {
  const std::string fname = CurrentFileName(dbname);
  std::string contents;
  Status s = env->ReadFileToString(fname, &contents);
  if (!s.ok()) return s;
  const size_t sp = contents.find(' ');
  if (sp == std::string::npos || contents.size() != sp + 10 || contents.back() != '\n') {
    return Status::Corruption(fname, "malformed CURRENT file at offset 0");
  }
  *manifest = contents.substr(0, sp);
  const std::string hex = contents.substr(sp + 1, 8);
  char* end = nullptr;
  const unsigned long stored = std::strtoul(hex.c_str(), &end, 16);
  const uint32_t actual = crc32c::Mask(crc32c::Value(manifest->data(), manifest->size()));
  uint64_t number;
  FileType type;
  if (end != hex.c_str() + 8 || stored != actual || !ParseFileName(*manifest, &number, &type) ||
      type != FileType::kManifestFile) {
    return Status::Corruption(fname, "CURRENT checksum mismatch at offset 0");
  }
  return Status::OK();
}

}  // namespace lsm
