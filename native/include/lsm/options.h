// Options: everything that configures a DB, a read or a write. Defaults are
// the documented defaults of the JS API; the JS layer validates ranges before
// anything reaches here, and DB::Open re-checks what would be unsafe.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_OPTIONS_H_
#define LSMKV_NATIVE_INCLUDE_LSM_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {

class Env;

// Reasons a writer waits (DESIGN §4 step 5; compaction adds L0 triggers).
enum class StallReason : int {
  kImmutableQueueFull = 0,
  kL0Slowdown = 1,  // L0 reached l0_slowdown_trigger: each write group is delayed ~1 ms
  kL0Stop = 2,      // L0 reached l0_stop_trigger: writers wait for compaction
};
constexpr int kNumStallReasons = 3;

struct FlushInfo {
  uint64_t file_number = 0;
  uint64_t file_size = 0;
  uint64_t entries = 0;
  uint64_t micros = 0;
};

struct CompactionInfo {
  int level = 0;         // input level
  int output_level = 0;  // == level for an in-place rewrite of the bottom level
  bool manual = false;   // part of DB::CompactRange
  bool trivial_move = false;  // files moved down without being rewritten
  uint64_t input_files = 0;
  uint64_t input_bytes = 0;
  uint64_t output_files = 0;
  uint64_t output_bytes = 0;
  uint64_t input_entries = 0;
  uint64_t dropped_entries = 0;  // shadowed versions and tombstones removed
  uint64_t micros = 0;
  // Manual compactions only: progress of the whole CompactRange call. The
  // totals are estimates that may grow while it runs; at the end done ==
  // total.
  uint64_t files_done = 0;
  uint64_t files_total = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

// Callbacks from engine threads (flush thread, commit thread). They must be
// quick and must not call back into the DB. Thread-safe implementations only.
class EventListener {
 public:
  virtual ~EventListener() = default;
  virtual void OnFlushCompleted(const FlushInfo& /*info*/) {}
  // After every compaction that changed the LSM tree (compaction threads, or
  // the thread running DB::CompactRange).
  virtual void OnCompactionCompleted(const CompactionInfo& /*info*/) {}
  virtual void OnStallBegin(StallReason /*reason*/) {}
  virtual void OnStallEnd(StallReason /*reason*/, uint64_t /*micros*/) {}
  // The first background error: the DB is read-only from now on (R2).
  virtual void OnBackgroundError(const Status& /*status*/) {}
};

struct Options {
  Env* env = nullptr;  // nullptr: Env::Default()
  bool create_if_missing = true;
  bool error_if_exists = false;
  // Open without the LOCK while another process may be writing: no file in
  // the directory is created, written, renamed or deleted; writes return
  // ReadOnly; DB::Refresh() catches up with the writer (read_only_db.h).
  bool read_only = false;

  // Bytes of memtable before it becomes immutable and a new WAL starts.
  size_t write_buffer_size = 16u << 20;
  // Immutable memtables that may wait for the flush thread; beyond this,
  // writers stall (never drop data).
  int max_immutable_memtables = 2;

  // Small blocks because reads go through mmap, not a disk: a point get
  // checksums the whole block it lands in, and that CRC (every byte pulled
  // from memory) dominated a 4 KiB-block get. 1 KiB: +12% getSync, +3% space
  // against 2 KiB; 512 B: +8-18% getSync, -6% seekrandom, +5% space against
  // 1 KiB (README, Performance).
  size_t block_size = 512;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;  // 0 disables filters
  // Each value in an SSTable data block is stored LZ-compressed when that
  // saves at least 1/8 of its bytes (native/src/util/lz.h); false stores
  // every value raw.
  bool compression = true;

  bool use_mmap = true;  // SSTable reads through mmap; false: pread

  size_t max_key_size = 64u << 10;
  size_t max_value_size = 64u << 20;

  // Upper bound of bytes one group commit gathers into one pwrite.
  size_t max_group_commit_bytes = 4u << 20;
  // Largest non-sync batch DB::TryWriteInline commits on its caller's thread
  // (the JS thread, for the Node binding): ~0.3 ms of pwrite and memtable
  // insert for a 1000-put (125 KB) batch. 0: every write goes through the commit thread.
  size_t max_inline_write_bytes = 256u << 10;

  // Leveled compaction (DESIGN §2 db/; native/src/db/compaction.h). Level n
  // (n >= 1) targets level_base * level_ratio^(n-1) bytes.
  uint64_t level_base = 64u << 20;
  int level_ratio = 10;
  // L0 files that make L0 -> L1 compaction due.
  int l0_compaction_trigger = 4;
  // L0 files at which every write group is delayed by ~1 ms.
  int l0_slowdown_trigger = 8;
  // L0 files at which writers wait (when they need a new memtable) until
  // compaction brings L0 below it.
  int l0_stop_trigger = 12;
  // Compaction outputs are cut once they reach this size (never inside the
  // versions of one user key).
  uint64_t target_file_size = 8u << 20;
  // Background compaction threads (1 or 2).
  int compaction_threads = 1;
  // Compact a table, or flush a memtable no one writes to, once reads that
  // had to look past it have cost about as much as compacting or flushing
  // it would (native/src/db/read_charges.h).
  bool read_triggered_compaction = true;
  // Tests only: no background compactions (CompactRange still works) and no
  // L0 write stalls.
  bool disable_auto_compactions = false;

  std::shared_ptr<EventListener> listener;

  // Test hook: the flush thread sleeps this long before building each table,
  // to force writers into a stall (P0-6). 0 in production.
  uint32_t test_flush_delay_ms = 0;
  // Test hook: each compaction sleeps this long before it starts (forces L0
  // write stalls). 0 in production.
  uint32_t test_compaction_delay_ms = 0;
};

struct WriteOptions {
  // fdatasync the WAL before the write is acknowledged.
  bool sync = false;
};

class Snapshot;

struct ReadOptions {
  // Read as of this snapshot (from DB::GetSnapshot); nullptr: the latest
  // committed state when the read or iterator starts.
  const Snapshot* snapshot = nullptr;
};

// A range of user keys: optional lower and upper bounds, each inclusive or
// exclusive. The empty range object means every key.
struct KeyRange {
  bool has_lower = false;
  bool lower_inclusive = true;
  std::string lower;
  bool has_upper = false;
  bool upper_inclusive = false;
  std::string upper;

  // True if `key` lies inside the range.
  bool Contains(const Slice& key) const {
    if (has_lower) {
      const int r = key.compare(lower);
      if (r < 0 || (r == 0 && !lower_inclusive)) return false;
    }
    if (has_upper) {
      const int r = key.compare(upper);
      if (r > 0 || (r == 0 && !upper_inclusive)) return false;
    }
    return true;
  }
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_OPTIONS_H_
