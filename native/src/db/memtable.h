// MemTable: the in-memory sorted buffer of recent writes, a skiplist of
// entries allocated in an arena:
//
//   entry := internal_key_len:varint32 internal_key value_len:varint32 value
//
// and a bloom filter over its user keys (1/32 of the intended size), so a
// point get for a key the memtable does not hold skips the skiplist walk.
//
// Thread-safety: one writer at a time (the commit thread, or recovery), any
// number of concurrent readers without locks. Shared ownership through
// std::shared_ptr keeps it alive while readers or the flush thread use it.
#ifndef LSMKV_NATIVE_SRC_DB_MEMTABLE_H_
#define LSMKV_NATIVE_SRC_DB_MEMTABLE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "db/dbformat.h"
#include "db/read_charges.h"
#include "table/iterator.h"
#include "util/arena.h"
#include "util/concurrent_bloom.h"
#include "util/skiplist.h"

namespace lsm {

class MemTable {
 public:
  // `log_number`: the WAL segment that holds this memtable's writes;
  // `write_buffer_size`: its intended size (sizes the arena's blocks).
  MemTable(const InternalKeyComparator* cmp, uint64_t log_number,
           size_t write_buffer_size = 4u << 20);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage() + filter_.bytes(); }
  uint64_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }
  uint64_t num_deletions() const { return num_deletions_.load(std::memory_order_relaxed); }
  uint64_t log_number() const { return log_number_; }
  // What reads that looked past this memtable paid since its last write
  // (read_charges.h); any thread.
  const ReadCharges& read_charges() const { return read_charges_; }

  // REQUIRES: external synchronization between writers; (key, seq) unique.
  void Add(SequenceNumber seq, ValueType type, const Slice& key, const Slice& value);

  // If the memtable holds a version of key.user_key() at or below the lookup
  // sequence: returns true with *s OK and *value set (a put) or *s NotFound
  // (a deletion). Returns false if it holds no such version.
  bool Get(const LookupKey& key, std::string* value, Status* s) const;

  // Iterator over internal keys (key() is the internal key). The memtable must
  // outlive it.
  Iterator* NewIterator() const;

 private:
  struct KeyComparator {
    const InternalKeyComparator* comparator;
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;
  class MemTableIterator;

  const KeyComparator comparator_;
  const uint64_t log_number_;
  Arena arena_;
  Table table_;
  ConcurrentBloom filter_;
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletions_{0};
  ReadCharges read_charges_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_MEMTABLE_H_
