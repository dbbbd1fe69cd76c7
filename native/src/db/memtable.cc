// MemTable: entry encoding, point lookup and iteration.
#include "db/memtable.h"

#include <cstring>

#include "util/bloom.h"
#include "util/coding.h"

namespace lsm {

namespace {

// Decodes the length-prefixed slice at p (trusted: we encoded it).
inline Slice GetLengthPrefixed(const char* p) {
  uint32_t len = static_cast<uint8_t>(*p);
  if (len < 128) return Slice(p + 1, len);  // keys under 128 bytes: one byte
  const char* q = GetVarint32Ptr(p, p + 5, &len);
  return Slice(q, len);
}

}  // namespace

namespace {

// Big blocks for big memtables (fewer TLB misses, see Arena), small ones for
// small memtables so their size limit is still honoured closely.
size_t ArenaBlockSize(size_t write_buffer_size) {
  size_t b = write_buffer_size / 16;
  if (b >= Arena::kHugePageSize) return Arena::kHugePageSize;
  return b < Arena::kBlockSize ? Arena::kBlockSize : b;
}

}  // namespace

MemTable::MemTable(const InternalKeyComparator* cmp, uint64_t log_number,
                   size_t write_buffer_size)
    : comparator_{cmp},
      log_number_(log_number),
      arena_(ArenaBlockSize(write_buffer_size)),
      table_(comparator_, &arena_),
      filter_(write_buffer_size / 32) {}

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  // The internal key order of dbformat.h, inlined: this is the hottest
  // function of the write path (every skiplist step of every insert).
  const Slice ka = GetLengthPrefixed(a);
  const Slice kb = GetLengthPrefixed(b);
  const size_t ua = ka.size() - kInternalKeyTrailer;
  const size_t ub = kb.size() - kInternalKeyTrailer;
  const int r = memcmp(ka.data(), kb.data(), ua < ub ? ua : ub);
  if (r != 0) return r;
  if (ua != ub) return ua < ub ? -1 : +1;
  const uint64_t ta = DecodeFixed64(ka.data() + ua);
  const uint64_t tb = DecodeFixed64(kb.data() + ub);
  return ta > tb ? -1 : (ta < tb ? +1 : 0);  // newer (larger) trailer first
}

void MemTable::Add(SequenceNumber seq, ValueType type, const Slice& key,
                   const Slice& value) {
  // The filter's line is a random cache line, usually a miss: start loading
  // it now and set its bits after the skiplist insert.
  const uint64_t hash = BloomHash(key);
  filter_.Prefetch(hash);
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
  // Both before the writer publishes the sequence number, which is what
  // makes the entry visible to readers.
  filter_.Add(hash);
  // One writer (see memtable.h): a relaxed load + store, no locked add.
  auto bump = [](std::atomic<uint64_t>& n) {
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  };
  bump(num_entries_);
  if (type == kTypeDeletion) bump(num_deletions_);
}

bool MemTable::Get(const LookupKey& key, std::string* value, Status* s) const {
  // An empty memtable (the one a flush or reopen leaves) answers without its
  // filter: a probe there is a cache miss, the filter being sized for a full
  // memtable. Any entry visible at the reader's sequence was counted before
  // that sequence was published, so a zero here means none is.
  if (num_entries() == 0) return false;
  if (!filter_.MayContain(key.user_key_hash())) return false;
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
