// Fuzz target: the SSTable reader (native/src/table/table.*, block.*,
// filter_block.*, format.*). The input is a whole table file, served from
// memory (MemEnv), sometimes as if mapped. The target opens it the way the
// DB does (internal key comparator, filter on user keys) and, if the table
// says it was built with the bytewise comparator, that way instead. An open
// table is then scanned forward and backward, sought, and probed with point
// lookups, filter checks and offset estimates. Every outcome must be a value
// or a Corruption / NotSupported / InvalidArgument status; never a crash, a
// read outside the file, a leak or undefined behaviour.
// Each input also runs with its footer magic and every block checksum
// recomputed (checksum_fixup.h) so mutations reach the block parsers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checksum_fixup.h"
#include "db/dbformat.h"
#include "fuzz_check.h"
#include "mem_env.h"
#include "table/table.h"

namespace {

using lsm::Iterator;
using lsm::Slice;
using lsm::Status;

// Bounds the work per input: a damaged table can be large but it is the
// parsers, not long scans, that the fuzzer should spend time on.
constexpr int kMaxSteps = 4096;

void CheckStatus(const Status& s) {
  FUZZ_CHECK(s.ok() || s.IsCorruption());
}

void Probe(const lsm::Table& table, Iterator* it, const Slice& target) {
  it->Seek(target);
  if (it->Valid()) {
    it->Prev();
    if (it->Valid()) it->Next();
  }
  CheckStatus(it->status());
  int calls = 0;
  Status s = table.InternalGet(target, &calls, [](void* arg, const Slice&, const Slice&) {
    ++*static_cast<int*>(arg);
  });
  CheckStatus(s);
  FUZZ_CHECK(calls <= 1);
  table.KeyMayMatch(target);
  table.ApproximateOffsetOf(target);
}

void Exercise(const lsm::Table& table, bool internal_keys) {
  std::vector<std::string> keys;
  {
    std::unique_ptr<Iterator> it(table.NewIterator());
    int steps = 0;
    for (it->SeekToFirst(); it->Valid() && steps < kMaxSteps; it->Next(), steps++) {
      keys.push_back(it->key().ToString());
      it->value().ToString();
    }
    CheckStatus(it->status());
    if (!it->status().ok()) FUZZ_CHECK(!it->Valid());
    steps = 0;
    for (it->SeekToLast(); it->Valid() && steps < kMaxSteps; it->Prev(), steps++) {
      it->key().ToString();
      it->value().ToString();
    }
    CheckStatus(it->status());
  }
  table.DataEndOffset();

  // Targets: a sample of the keys found, each also nudged past itself, and
  // the extremes. With the internal comparator a target must be an internal
  // key (>= 8 bytes, the API's REQUIREMENT), so shorter ones are skipped;
  // short keys INSIDE the table are the table's damage and stay in play.
  std::vector<std::string> targets;
  const size_t stride = keys.size() / 8 + 1;
  for (size_t i = 0; i < keys.size(); i += stride) {
    targets.push_back(keys[i]);
    targets.push_back(keys[i] + '\0');
  }
  std::string lo, hi(16, '\xff');
  lsm::AppendInternalKey(&lo, "", lsm::kMaxSequenceNumber, lsm::kValueTypeForSeek);
  targets.push_back(lo);
  targets.push_back(hi);
  std::unique_ptr<Iterator> it(table.NewIterator());
  for (const std::string& t : targets) {
    if (internal_keys && t.size() < lsm::kInternalKeyTrailer) continue;
    Probe(table, it.get(), t);
  }
}

void Check(const std::string& bytes) {
  lsm::fuzz::MemEnv env;
  const bool mapped = bytes.size() % 2 == 1;
  env.set_mapped(mapped);
  env.AddFileView("fuzz.sst", bytes);

  lsm::TableOptions options;  // as the DB opens its tables (db_impl.cc)
  options.comparator = lsm::GetInternalKeyComparator();
  options.filter_key_suffix_strip = lsm::kInternalKeyTrailer;
  std::unique_ptr<lsm::Table> table;
  Status s = lsm::Table::Open(options, &env, "fuzz.sst", mapped, &table);
  bool internal_keys = true;
  if (s.IsInvalidArgument()) {  // another comparator: try the bytewise one
    options = lsm::TableOptions();
    internal_keys = false;
    s = lsm::Table::Open(options, &env, "fuzz.sst", mapped, &table);
  }
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption() || s.code() == Status::kNotSupported || s.IsInvalidArgument());
    FUZZ_CHECK(table == nullptr);
    return;
  }
  FUZZ_CHECK(table->file_size() == bytes.size());
  Exercise(*table, internal_keys);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  Check(input);
  if (lsm::fuzz::FixTableChecksums(&input)) Check(input);
  return 0;
}
