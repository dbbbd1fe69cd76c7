// Read charges: what reads pay for sources they had to look past, and the
// prices at which that pays for compacting or flushing them.
//
// LevelDB's "seek compaction", priced for tables read in memory instead of
// disk seeks. A read that had to look in more than one source for its key
// charges the first of them, the newest, with what the others cost it: a
// table that reads keep looking past is compacted (compaction.h) once its
// charges have paid for that compaction, and the active memtable is flushed
// early (DBImpl) once the charges since its last write have paid for the
// flush. Like renting skis until the rent paid equals the price, this never
// costs more than twice the best choice in hindsight.
//
// Charges are estimated reader nanoseconds, measured on the bench's 1M keys
// written twice: three L0 tables over L1 and L2 against the same data with
// L0 compacted into L1 (medians of eight alternating rounds of 200k gets
// and 50k seeks). Each L0 table added ~70 ns to a get (a bloom probe that
// misses the cache) and ~1.07 us to a seek (which positions in every
// table); that L0 -> L1 compaction read 80 MB in 0.30 s, ~4 ns a byte.
//
// The price of a compaction is what it costs the readers, not its CPU time:
// it runs on a background thread, and while the reads that pay for it keep
// one core busy it mostly uses another. On the bench machine (2 cores),
// getSync ran at 588-637k/s while a 773 ms compactRange() ran beside it and
// at 579-628k/s just before. It is priced at a quarter of its CPU time,
// 1 ns a byte. Where no core is spare, readers may then pay up to four
// times what they were charged (rent-or-buy's bound becomes 5x, not 2x).
#ifndef LSMKV_NATIVE_SRC_DB_READ_CHARGES_H_
#define LSMKV_NATIVE_SRC_DB_READ_CHARGES_H_

#include <atomic>
#include <cstdint>

namespace lsm {

constexpr uint64_t kGetChargeNanos = 70;
constexpr uint64_t kSeekChargeNanos = 1000;
constexpr uint64_t kCompactionNanosPerByte = 1;
// The least charge step: a source is weighed at most once per 1 ms of charges.
constexpr uint64_t kMinChargeStepNanos = 1000000;

// What compacting (or flushing) `input_bytes` costs, in the same nanoseconds.
inline uint64_t CompactionCostNanos(uint64_t input_bytes) { return input_bytes * kCompactionNanosPerByte; }

// A source's charges. A runtime counter, never persisted; a copy starts
// again from zero (FileMetaData is copied into edits).
struct ReadCharges {
  mutable std::atomic<uint64_t> nanos{0};
  ReadCharges() = default;
  ReadCharges(const ReadCharges&) {}
  ReadCharges& operator=(const ReadCharges&) { return *this; }

  uint64_t load() const { return nanos.load(std::memory_order_relaxed); }
  void Reset() const { nanos.store(0, std::memory_order_relaxed); }

  // Adds `charge`; true when the total passes a multiple of `step` (the
  // caller then weighs the total against the real price). A load and a
  // store, not a locked add: readers on two threads may lose a charge,
  // which only delays a compaction, and the common case costs what a plain
  // increment does.
  bool Add(uint64_t charge, uint64_t step) const {
    if (step < kMinChargeStepNanos) step = kMinChargeStepNanos;
    const uint64_t before = nanos.load(std::memory_order_relaxed);
    nanos.store(before + charge, std::memory_order_relaxed);
    return before / step != (before + charge) / step;
  }
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_READ_CHARGES_H_
