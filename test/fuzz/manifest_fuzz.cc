// Fuzz target: the MANIFEST decoders. The input is a MANIFEST file.
//   1. VersionEdit::DecodeFrom (native/src/db/version_edit.*) on the whole
//      input as one edit; an edit that decodes must re-encode to bytes that
//      decode to the same encoding (EncodeTo is a fixed point).
//   2. The replay, VersionSet::Recover (native/src/db/version_set.cc), with
//      the input as the MANIFEST that a valid CURRENT names, in an in-memory
//      directory where every table the edits name exists (each reads as one
//      valid sample table) and WAL segments with even numbers exist. Recover
//      must succeed or fail with Corruption / NotSupported / InvalidArgument;
//      after success the recovered version is read once.
// The replay also runs with every record checksum recomputed
// (checksum_fixup.h) so mutations reach the edit decoder and the replay.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "checksum_fixup.h"
#include "db/dbformat.h"
#include "db/filename.h"
#include "db/version_set.h"
#include "fuzz_check.h"
#include "lsm/options.h"
#include "mem_env.h"
#include "sample_files.h"

namespace {

using lsm::Slice;
using lsm::Status;

const std::string& Table() {
  static const std::string* table = new std::string(lsm::fuzz::SampleTable(true, 40, 512, 10));
  return *table;
}
const std::string& Current() {
  static const std::string* current = new std::string(lsm::fuzz::SampleCurrent(1));
  return *current;
}

void DecodeEdit(const Slice& input) {
  lsm::VersionEdit edit;
  if (!edit.DecodeFrom(input).ok()) return;
  std::string once, twice;
  edit.EncodeTo(&once);
  lsm::VersionEdit again;
  FUZZ_CHECK(again.DecodeFrom(once).ok());
  again.EncodeTo(&twice);
  FUZZ_CHECK(once == twice);
}

void Replay(const std::string& manifest) {
  lsm::fuzz::MemEnv env;
  env.AddFileView("db/CURRENT", Current());
  env.AddFileView("db/MANIFEST-000001", manifest);
  env.set_fallback([](const std::string& fname, Slice* contents) {
    uint64_t number;
    lsm::FileType type;
    if (fname.compare(0, 3, "db/") != 0 || !lsm::ParseFileName(fname.substr(3), &number, &type)) {
      return false;
    }
    if (type == lsm::FileType::kTableFile) {
      *contents = Table();
      return true;
    }
    if (type == lsm::FileType::kLogFile && number % 2 == 0) {
      *contents = Slice();
      return true;
    }
    return false;
  });
  lsm::Options options;
  options.use_mmap = manifest.size() % 2 == 1;
  env.set_mapped(options.use_mmap);
  lsm::TableOptions table_options;  // as db_impl.cc derives them
  table_options.comparator = lsm::GetInternalKeyComparator();
  table_options.filter_key_suffix_strip = lsm::kInternalKeyTrailer;

  lsm::VersionSet versions("db", &options, &env, table_options);
  Status s = versions.Recover();
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption() || s.code() == Status::kNotSupported || s.IsInvalidArgument());
    return;
  }
  FUZZ_CHECK(versions.manifest_number() == 1);
  auto v = versions.current();
  lsm::LookupKey key("key00007", lsm::kMaxSequenceNumber);
  std::string value;
  Status get;
  v->Get(key, &value, &get);
  FUZZ_CHECK(get.ok() || get.IsNotFound());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  DecodeEdit(input);
  Replay(input);
  if (lsm::fuzz::FixLogChecksums(&input)) Replay(input);
  return 0;
}
