// Fuzz target: the WriteBatch decoder (native/src/db/write_batch.cc, format
// in native/include/lsm/write_batch.h). The input is one batch: a WAL record
// payload, or what the JS layer hands the binding. The target does what WAL
// replay and the write path do with it:
//   - Iterate() must succeed or return Corruption; Validate() with no size
//     limits must agree with it, and with small limits may only add
//     InvalidArgument;
//   - a batch that parses is rebuilt with Put/Delete and must iterate to the
//     same records with the same Count();
//   - its records go into a MemTable with consecutive sequence numbers (as
//     MemTableInserter in db_impl.cc does) and each key is read back.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/memtable.h"
#include "fuzz_check.h"
#include "lsm/write_batch.h"

namespace {

using lsm::Slice;
using lsm::Status;

struct Record {
  bool put;
  std::string key;
  std::string value;
  bool operator==(const Record& o) const { return put == o.put && key == o.key && value == o.value; }
};

class Collector final : public lsm::WriteBatch::Handler {
 public:
  void Put(const Slice& key, const Slice& value) override {
    records.push_back({true, key.ToString(), value.ToString()});
  }
  void Delete(const Slice& key) override { records.push_back({false, key.ToString(), ""}); }
  std::vector<Record> records;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Slice input(reinterpret_cast<const char*>(data), size);
  lsm::WriteBatch batch;
  batch.SetContents(input);
  Collector got;
  const Status s = batch.Iterate(&got);
  FUZZ_CHECK(s.ok() || s.IsCorruption());

  constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();
  const Status v = lsm::WriteBatch::Validate(input, kNoLimit, kNoLimit);
  FUZZ_CHECK(v.ok() == s.ok());
  if (!v.ok()) FUZZ_CHECK(v.IsInvalidArgument());
  const Status small = lsm::WriteBatch::Validate(input, 4, 4);
  FUZZ_CHECK(small.ok() || small.IsInvalidArgument());
  if (!s.ok()) return 0;

  FUZZ_CHECK(got.records.size() == batch.Count());
  lsm::WriteBatch rebuilt;
  for (const Record& r : got.records) {
    if (r.put) rebuilt.Put(r.key, r.value);
    else rebuilt.Delete(r.key);
  }
  rebuilt.SetSequence(batch.Sequence());
  Collector again;
  FUZZ_CHECK(rebuilt.Iterate(&again).ok());
  FUZZ_CHECK(again.records == got.records);
  FUZZ_CHECK(rebuilt.Count() == batch.Count());
  FUZZ_CHECK(rebuilt.Sequence() == batch.Sequence());

  // Sequence numbers as WAL replay assigns them, kept inside the 56 bits an
  // internal key holds (the commit path never hands out more).
  const lsm::SequenceNumber first = batch.Sequence() & (lsm::kMaxSequenceNumber >> 1);
  lsm::MemTable mem(lsm::GetInternalKeyComparator(), 0, 64 << 10);
  lsm::SequenceNumber seq = first;
  for (const Record& r : got.records) {
    mem.Add(seq++, r.put ? lsm::kTypeValue : lsm::kTypeDeletion, r.key, r.value);
  }
  for (const Record& r : got.records) {
    lsm::LookupKey key(r.key, seq);
    std::string value;
    Status found;
    FUZZ_CHECK(mem.Get(key, &value, &found));
    FUZZ_CHECK(found.ok() || found.IsNotFound());
  }
  return 0;
}
