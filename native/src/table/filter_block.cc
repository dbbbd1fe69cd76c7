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
  return HashMayMatch(BloomHash(FilterKey(key, strip_)));
}

}  // namespace lsm
