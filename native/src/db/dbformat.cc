// InternalKeyComparator and LookupKey.
#include "db/dbformat.h"

#include <cstring>

#include "util/bloom.h"

namespace lsm {

int InternalKeyComparator::Compare(const Slice& a, const Slice& b) const {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r == 0) {
    const uint64_t an = ExtractTrailer(a);
    const uint64_t bn = ExtractTrailer(b);
    if (an > bn) r = -1;
    else if (an < bn) r = +1;
  }
  return r;
}

void InternalKeyComparator::FindShortestSeparator(std::string* start,
                                                  const Slice& limit) const {
  Slice user_start = ExtractUserKey(*start);
  Slice user_limit = ExtractUserKey(limit);
  std::string tmp(user_start.data(), user_start.size());
  BytewiseComparator()->FindShortestSeparator(&tmp, user_limit);
  if (tmp.size() < user_start.size() && user_start.compare(tmp) < 0) {
    // A shorter, physically larger user key: give it the earliest trailer so
    // it still sorts before every version of user_limit.
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    *start = std::move(tmp);
  }
}

void InternalKeyComparator::FindShortSuccessor(std::string* key) const {
  Slice user_key = ExtractUserKey(*key);
  std::string tmp(user_key.data(), user_key.size());
  BytewiseComparator()->FindShortSuccessor(&tmp);
  if (tmp.size() < user_key.size() && user_key.compare(tmp) < 0) {
    PutFixed64(&tmp, PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    *key = std::move(tmp);
  }
}

const InternalKeyComparator* GetInternalKeyComparator() {
  static const InternalKeyComparator cmp;
  return &cmp;
}

LookupKey::LookupKey(const Slice& user_key, SequenceNumber s) {
  const size_t usize = user_key.size();
  const size_t needed = usize + 13;  // varint32 (<=5) + trailer (8)
  char* dst = needed <= sizeof(space_) ? space_ : new char[needed];
  start_ = dst;
  dst = EncodeVarint32(dst, static_cast<uint32_t>(usize + 8));
  kstart_ = dst;
  if (usize > 0) memcpy(dst, user_key.data(), usize);
  dst += usize;
  EncodeFixed64(dst, PackSequenceAndType(s, kValueTypeForSeek));
  dst += 8;
  end_ = dst;
  user_key_hash_ = BloomHash(user_key);
}

LookupKey::~LookupKey() {
  if (start_ != space_) delete[] start_;
}

}  // namespace lsm
