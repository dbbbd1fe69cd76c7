// BlockBuilder: encodes sorted key/value pairs into one block (data blocks
// and the index block) with prefix-compressed keys and restart points. The
// byte format is documented in block_builder.cc, which owns it.
//
// Thread-safety: one thread at a time.
#ifndef LSMKV_NATIVE_SRC_TABLE_BLOCK_BUILDER_H_
#define LSMKV_NATIVE_SRC_TABLE_BLOCK_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lsm/slice.h"

namespace lsm {

class BlockBuilder {
 public:
  // restart_interval: keys between restart points (values < 1 act as 1).
  explicit BlockBuilder(int restart_interval);

  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Forgets everything added, as if just constructed.
  void Reset();

  // REQUIRES: Finish() not called since the last Reset(); key is after every
  // key added before it (the caller's comparator; not checked here).
  void Add(const Slice& key, const Slice& value);

  // Appends the restart array and returns the whole block, valid until the
  // next Reset() or destruction. Calling it again returns the same block.
  Slice Finish();

  // Size of the block Finish() would return now.
  size_t CurrentSizeEstimate() const;

  // True until the first Add() after construction or Reset().
  bool empty() const { return buffer_.empty(); }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_BLOCK_BUILDER_H_
