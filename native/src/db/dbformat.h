// Internal keys: how a user key, a sequence number and an operation type are
// packed into the keys stored in memtables and SSTables.
//
//   internal_key := user_key trailer:fixed64
//   trailer      := (sequence << 8) | type
//
// Order: user key ascending (bytewise), then trailer DEscending, so the newest
// version of a key comes first and a Seek(user_key, snapshot_seq) lands on the
// newest version visible at that snapshot.
#ifndef LSMKV_NATIVE_SRC_DB_DBFORMAT_H_
#define LSMKV_NATIVE_SRC_DB_DBFORMAT_H_

#include <cstdint>
#include <string>

#include "lsm/slice.h"
#include "util/coding.h"
#include "util/comparator.h"

namespace lsm {

using SequenceNumber = uint64_t;

// DO NOT CHANGE: stored on disk in every internal key and WAL record.
enum ValueType : uint8_t {
  kTypeDeletion = 0x0,
  kTypeValue = 0x1,
};
// The highest type: seeking with it finds every entry of the given sequence.
constexpr ValueType kValueTypeForSeek = kTypeValue;

// 56 bits: the sequence shares a fixed64 with the 8-bit type.
constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

constexpr size_t kInternalKeyTrailer = 8;

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType t) {
  return (seq << 8) | t;
}

inline void AppendInternalKey(std::string* dst, const Slice& user_key, SequenceNumber seq,
                              ValueType t) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackSequenceAndType(seq, t));
}

struct ParsedInternalKey {
  Slice user_key;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

// False if `internal_key` is too short or has an unknown type.
inline bool ParseInternalKey(const Slice& internal_key, ParsedInternalKey* result) {
  if (internal_key.size() < kInternalKeyTrailer) return false;
  const uint64_t num = DecodeFixed64(internal_key.data() + internal_key.size() - 8);
  const uint8_t t = num & 0xff;
  result->sequence = num >> 8;
  result->type = static_cast<ValueType>(t);
  result->user_key = Slice(internal_key.data(), internal_key.size() - 8);
  return t <= kTypeValue;
}

// A key shorter than the trailer can only come from a damaged (yet
// checksum-valid) table, and must still never make a reader step outside it
// (found by test/fuzz/block_fuzz.cc): it reads as an empty user key with a
// zero trailer. ParseInternalKey() reports such a key as malformed, which is
// where readers turn it into Corruption.
inline Slice ExtractUserKey(const Slice& internal_key) {
  const size_t n = internal_key.size();
  return Slice(internal_key.data(), n >= kInternalKeyTrailer ? n - kInternalKeyTrailer : 0);
}
inline uint64_t ExtractTrailer(const Slice& internal_key) {
  const size_t n = internal_key.size();
  return n >= kInternalKeyTrailer ? DecodeFixed64(internal_key.data() + n - kInternalKeyTrailer) : 0;
}

class InternalKeyComparator final : public Comparator {
 public:
  int Compare(const Slice& a, const Slice& b) const override;
  const char* Name() const override { return "lsm.InternalKeyComparator"; }
  void FindShortestSeparator(std::string* start, const Slice& limit) const override;
  void FindShortSuccessor(std::string* key) const override;
  // User keys compare bytewise first.
  bool BytewisePart(const Slice& key, Slice* part) const override {
    *part = ExtractUserKey(key);
    return true;
  }
};

const InternalKeyComparator* GetInternalKeyComparator();

// A key to look up in a memtable and in tables at a given sequence number:
//   memtable_key := internal_key_length:varint32 internal_key
class LookupKey {
 public:
  LookupKey(const Slice& user_key, SequenceNumber sequence);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;
  ~LookupKey();

  Slice memtable_key() const { return Slice(start_, end_ - start_); }
  Slice internal_key() const { return Slice(kstart_, end_ - kstart_); }
  Slice user_key() const { return Slice(kstart_, end_ - kstart_ - 8); }
  // BloomHash(user_key()): computed once, probed against the memtables'
  // filters and every table's.
  uint64_t user_key_hash() const { return user_key_hash_; }

 private:
  const char* start_;
  const char* kstart_;
  const char* end_;
  uint64_t user_key_hash_;
  char space_[200];  // avoids an allocation for short keys
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_DBFORMAT_H_
