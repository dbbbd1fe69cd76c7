// WriteBatch: an atomic group of puts and deletes, applied with consecutive
// sequence numbers. Its byte format is also what the JS layer encodes
// directly (one buffer per batch, one N-API call), so it is public and fixed:
//
//   rep      := sequence:fixed64 count:fixed32 record*
//   record   := kTypeValue(1)    key:varstring value:varstring
//             | kTypeDeletion(0) key:varstring
//   varstring:= len:varint32 bytes[len]
//
// DO NOT CHANGE: the same bytes are the WAL record payload on disk.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_WRITE_BATCH_H_
#define LSMKV_NATIVE_INCLUDE_LSM_WRITE_BATCH_H_

#include <cstdint>
#include <string>

#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {

class WriteBatch {
 public:
  static constexpr size_t kHeader = 12;

  // Receives the records of a batch in order.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(const Slice& key, const Slice& value) = 0;
    virtual void Delete(const Slice& key) = 0;
  };

  WriteBatch();

  void Put(const Slice& key, const Slice& value);
  void Delete(const Slice& key);
  void Clear();

  // Number of records.
  uint32_t Count() const;
  size_t ApproximateSize() const { return rep_.size(); }

  // Walks the records; Corruption if the bytes do not parse.
  Status Iterate(Handler* handler) const;

  // Checks that `contents` parses completely, that its count matches, and that
  // every key is within max_key_size and every value within max_value_size.
  // Empty keys are valid (abstract-level requires them; lsmkv's own JS API
  // rejects them before they get here). Used on batches that come from JS.
  static Status Validate(const Slice& contents, size_t max_key_size,
                         size_t max_value_size);

  // Raw access for the engine and the binding.
  const std::string& rep() const { return rep_; }
  void SetContents(const Slice& contents) { rep_.assign(contents.data(), contents.size()); }
  void SetContents(std::string&& contents) { rep_ = std::move(contents); }
  uint64_t Sequence() const;
  void SetSequence(uint64_t seq);

 private:
  std::string rep_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_WRITE_BATCH_H_
