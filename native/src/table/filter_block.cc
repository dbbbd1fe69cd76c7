// Filter block glue: suffix stripping around the whole-table bloom filter.
#include "table/filter_block.h"

namespace lsm {

const std::string& FilterBlockBuilder::Finish() {
  result_.clear();
  bloom_.Finish(&result_);
  return result_;
}

bool FilterBlockReader::HashMayMatch(uint64_t stripped_key_hash) const {
  return contents_.empty() || BloomFilterMayMatchHash(contents_, stripped_key_hash);
}

bool FilterBlockReader::KeyMayMatch(const Slice& key) const {
  if (contents_.empty()) return true;
  return BloomFilterMayMatch(contents_, FilterKey(key, strip_));
}

}  // namespace lsm
