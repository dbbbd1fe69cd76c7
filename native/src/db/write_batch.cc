// WriteBatch encoding and parsing (grammar in lsm/write_batch.h).
#include "lsm/write_batch.h"

#include "lsm/db.h"

#include "db/dbformat.h"
#include "util/coding.h"

namespace lsm {

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(kHeader);
}

uint32_t WriteBatch::Count() const {
  return rep_.size() < kHeader ? 0 : DecodeFixed32(rep_.data() + 8);
}

uint64_t WriteBatch::Sequence() const { return DecodeFixed64(rep_.data()); }
void WriteBatch::SetSequence(uint64_t seq) { EncodeFixed64(&rep_[0], seq); }

void WriteBatch::Put(const Slice& key, const Slice& value) {
  EncodeFixed32(&rep_[8], Count() + 1);
  rep_.push_back(static_cast<char>(kTypeValue));
  PutLengthPrefixedSlice(&rep_, key);
  PutLengthPrefixedSlice(&rep_, value);
}

void WriteBatch::Delete(const Slice& key) {
  EncodeFixed32(&rep_[8], Count() + 1);
  rep_.push_back(static_cast<char>(kTypeDeletion));
  PutLengthPrefixedSlice(&rep_, key);
}

namespace {

// Walks `contents`, calling `fn(type, key, value)`; Corruption if malformed.
template <typename Fn>
Status Walk(const Slice& contents, Fn&& fn) {
  if (contents.size() < WriteBatch::kHeader) {
    return Status::Corruption("write batch", "too small");
  }
  const uint32_t count = DecodeFixed32(contents.data() + 8);
  Slice input(contents.data() + WriteBatch::kHeader, contents.size() - WriteBatch::kHeader);
  uint32_t found = 0;
  while (!input.empty()) {
    const uint8_t tag = static_cast<uint8_t>(input[0]);
    input.remove_prefix(1);
    Slice key, value;
    if (!GetLengthPrefixedSlice(&input, &key)) {
      return Status::Corruption("write batch", "bad key");
    }
    if (tag == kTypeValue) {
      if (!GetLengthPrefixedSlice(&input, &value)) {
        return Status::Corruption("write batch", "bad value");
      }
    } else if (tag != kTypeDeletion) {
      return Status::Corruption("write batch", "unknown record type");
    }
    Status s = fn(static_cast<ValueType>(tag), key, value);
    if (!s.ok()) return s;
    found++;
  }
  if (found != count) return Status::Corruption("write batch", "wrong count");
  return Status::OK();
}

}  // namespace

Status WriteBatch::Iterate(Handler* handler) const {
  return Walk(rep_, [handler](ValueType t, const Slice& k, const Slice& v) {
    if (t == kTypeValue) handler->Put(k, v);
    else handler->Delete(k);
    return Status::OK();
  });
}

Status WriteBatch::Validate(const Slice& contents, size_t max_key_size,
                            size_t max_value_size) {
  Status s = Walk(contents, [&](ValueType t, const Slice& k, const Slice& v) {
    if (k.size() > max_key_size) return Status::InvalidArgument("key exceeds maxKeySize");
    if (t == kTypeValue && v.size() > max_value_size) {
      return Status::InvalidArgument("value exceeds maxValueSize");
    }
    return Status::OK();
  });
  if (s.IsCorruption()) return Status::InvalidArgument(s.message(), "malformed batch");
  return s;
}

Status DB::Put(const WriteOptions& o, const Slice& key, const Slice& value) {
  WriteBatch b;
  b.Put(key, value);
  return Write(o, &b);
}

Status DB::Delete(const WriteOptions& o, const Slice& key) {
  WriteBatch b;
  b.Delete(key);
  return Write(o, &b);
}

}  // namespace lsm
