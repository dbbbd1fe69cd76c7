// Fuzz target: the block reader alone (native/src/table/block.*): restart
// array validation, entry decoding with prefix compression, and the block
// iterator's SeekToFirst / SeekToLast / Seek / Next / Prev. The input is a
// block's contents (what follows a verified checksum, so there is no
// checksum to get past). The block is parsed with the bytewise comparator
// (data blocks of bytewise tables), with the internal key comparator (what
// the DB's data and index blocks use), and with the internal key comparator
// as a kLzValuesBlock (every value decoded: codec byte + util/lz stream);
// the first two again with a PrefixIndex built over the restart keys (what
// a table does for its index block).
// Results must be entries or a Corruption status; never a read outside the
// block.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "fuzz_check.h"
#include "table/block.h"

namespace {

using lsm::Iterator;
using lsm::Slice;

constexpr int kMaxSteps = 4096;

void CheckStatus(const Iterator& it) {
  FUZZ_CHECK(it.status().ok() || it.status().IsCorruption());
  if (!it.status().ok()) FUZZ_CHECK(!it.Valid());
}

void Exercise(const lsm::Block& block, const lsm::Comparator* cmp, bool internal_keys) {
  std::unique_ptr<Iterator> it(block.NewIterator(cmp));
  std::vector<std::string> keys;
  int steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < kMaxSteps; it->Next(), steps++) {
    keys.push_back(it->key().ToString());
    it->value().ToString();
  }
  CheckStatus(*it);

  it.reset(block.NewIterator(cmp));
  steps = 0;
  for (it->SeekToLast(); it->Valid() && steps < kMaxSteps; it->Prev(), steps++) {
    it->key().ToString();
    it->value().ToString();
  }
  CheckStatus(*it);

  std::vector<std::string> targets;
  const size_t stride = keys.size() / 8 + 1;
  for (size_t i = 0; i < keys.size(); i += stride) {
    targets.push_back(keys[i]);
    targets.push_back(keys[i] + '\0');
  }
  targets.push_back(std::string(8, '\0'));
  targets.push_back(std::string(16, '\xff'));
  for (const std::string& t : targets) {
    // Seek targets are internal keys when the comparator is (its REQUIRES).
    if (internal_keys && t.size() < lsm::kInternalKeyTrailer) continue;
    it.reset(block.NewIterator(cmp));
    it->Seek(t);
    for (int i = 0; i < 3 && it->Valid(); i++) it->Prev();
    for (int i = 0; i < 6 && it->Valid(); i++) it->Next();
    CheckStatus(*it);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy: any read past the block is an ASan report.
  for (int mode = 0; mode < 3; mode++) {  // bytewise, internal, internal + lz values
    lsm::BlockContents contents;
    contents.heap.reset(new char[size == 0 ? 1 : size]);
    if (size > 0) memcpy(contents.heap.get(), data, size);
    contents.data = Slice(contents.heap.get(), size);
    contents.lz_values = mode == 2;
    lsm::Block block(std::move(contents));
    const lsm::Comparator* cmp =
        mode > 0 ? lsm::GetInternalKeyComparator() : lsm::BytewiseComparator();
    Exercise(block, cmp, mode > 0);
    if (mode < 2) {
      block.BuildPrefixIndex(cmp);
      Exercise(block, cmp, mode > 0);
    }
  }
  return 0;
}
