// MemTable: entry encoding, point lookup and iteration.
#include "db/memtable.h"

#include <cstring>

#include "util/coding.h"

namespace lsm {

namespace {

// Decodes the length-prefixed slice at p (trusted: we encoded it).
Slice GetLengthPrefixed(const char* p) {
  uint32_t len = 0;
  const char* q = GetVarint32Ptr(p, p + 5, &len);
  return Slice(q, len);
}

}  // namespace

MemTable::MemTable(const InternalKeyComparator* cmp, uint64_t log_number)
    : comparator_{cmp}, log_number_(log_number), table_(comparator_, &arena_) {}

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  return comparator->Compare(GetLengthPrefixed(a), GetLengthPrefixed(b));
}

void MemTable::Add(SequenceNumber seq, ValueType type, const Slice& key,
                   const Slice& value) {
  const size_t ikey_len = key.size() + 8;
  const size_t len = VarintLength(ikey_len) + ikey_len + VarintLength(value.size()) +
                     value.size();
  char* buf = arena_.Allocate(len);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(ikey_len));
  memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(value.size()));
  if (!value.empty()) memcpy(p, value.data(), value.size());
  table_.Insert(buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (type == kTypeDeletion) num_deletions_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, std::string* value, Status* s) const {
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;
  // The first entry >= (user_key, seq) is the newest visible version of
  // user_key, if its user key matches.
  const char* entry = iter.key();
  Slice ikey = GetLengthPrefixed(entry);
  if (ExtractUserKey(ikey) != key.user_key()) return false;
  const uint64_t tag = DecodeFixed64(ikey.data() + ikey.size() - 8);
  if (static_cast<ValueType>(tag & 0xff) == kTypeValue) {
    Slice v = GetLengthPrefixed(ikey.data() + ikey.size());
    value->assign(v.data(), v.size());
    *s = Status::OK();
  } else {
    *s = Status::NotFound();
  }
  return true;
}

class MemTable::MemTableIterator final : public Iterator {
 public:
  explicit MemTableIterator(const Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void Seek(const Slice& k) override {
    tmp_.clear();
    PutVarint32(&tmp_, static_cast<uint32_t>(k.size()));
    tmp_.append(k.data(), k.size());
    iter_.Seek(tmp_.data());
  }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  Slice key() const override { return GetLengthPrefixed(iter_.key()); }
  Slice value() const override {
    Slice k = GetLengthPrefixed(iter_.key());
    return GetLengthPrefixed(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  Table::Iterator iter_;
  std::string tmp_;
};

Iterator* MemTable::NewIterator() const { return new MemTableIterator(&table_); }

}  // namespace lsm
