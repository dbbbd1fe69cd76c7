// Owns the block byte format used by data blocks and the index block.
//
// DO NOT CHANGE; tables on disk depend on it.
//
//   block     := entry* restart:fixed32[num_restarts] num_restarts:fixed32
//   entry     := shared:varint32 non_shared:varint32 value_len:varint32
//                key_delta:byte[non_shared] value:byte[value_len]
//
// An entry's key is the first `shared` bytes of the previous entry's key
// followed by key_delta. Every restart_interval-th entry is a restart point:
// it has shared == 0 and its offset is listed in the restart array, so a
// reader can binary-search the restarts and decode forward from any of them
// without the keys before it. restart[0] == 0 and the array is strictly
// increasing; num_restarts >= 1 (an empty block is just "0:fixed32
// 1:fixed32").
#include "table/block_builder.h"

#include <algorithm>
#include <cassert>

#include "util/coding.h"

namespace lsm {

BlockBuilder::BlockBuilder(int restart_interval)
    : restart_interval_(std::max(restart_interval, 1)) {
  restarts_.push_back(0);
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  restarts_.push_back(0);
  counter_ = 0;
  finished_ = false;
  last_key_.clear();
}

void BlockBuilder::Add(const Slice& key, const Slice& value) {
  assert(!finished_);
  size_t shared = 0;
  if (counter_ < restart_interval_) {
    const size_t min_len = std::min(last_key_.size(), key.size());
    while (shared < min_len && last_key_[shared] == key[shared]) shared++;
  } else {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    counter_ = 0;
  }
  const size_t non_shared = key.size() - shared;

  PutVarint32(&buffer_, static_cast<uint32_t>(shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(non_shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(value.size()));
  buffer_.append(key.data() + shared, non_shared);
  buffer_.append(value.data(), value.size());

  // Keep only what the next entry can share with: avoids copying whole keys.
  last_key_.resize(shared);
  last_key_.append(key.data() + shared, non_shared);
  counter_++;
}

Slice BlockBuilder::Finish() {
  if (finished_) return Slice(buffer_);
  for (uint32_t restart : restarts_) PutFixed32(&buffer_, restart);
  PutFixed32(&buffer_, static_cast<uint32_t>(restarts_.size()));
  finished_ = true;
  return Slice(buffer_);
}

size_t BlockBuilder::CurrentSizeEstimate() const {
  return buffer_.size() + restarts_.size() * sizeof(uint32_t) +
         sizeof(uint32_t);
}

}  // namespace lsm
