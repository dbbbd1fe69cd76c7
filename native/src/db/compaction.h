// Leveled compaction: what to compact next.
//
// Shape of the tree (DESIGN §5):
//   - L0 holds whole flushed memtables; its files may overlap and are
//     ordered newest first.
//   - L1..L6 each hold files with disjoint key ranges, sorted by key. For a
//     given user key, data in a deeper level is always older than data in a
//     shallower one; every rule below exists to keep that true.
//   - Level n >= 1 targets level_base * level_ratio^(n-1) bytes.
//
// Picking (CompactionPicker): every level gets a score (L0: files /
// l0_compaction_trigger; Ln: bytes / target(n)); the highest score >= 1 that
// yields a compaction whose files are all idle wins.
//   - L0 -> L1 starts from the oldest L0 file and takes every L0 file that
//     overlaps the growing key range (so no older version of a key stays
//     behind in L0), plus every overlapping L1 file.
//   - Ln -> Ln+1 takes one file, plus every overlapping Ln+1 file: the idle
//     file that overlaps the fewest Ln+1 bytes per byte it holds (deletions
//     weighing double), RocksDB's "min overlapping ratio". Unlike a
//     round-robin pointer this needs no state, so nothing is lost on reopen.
//   - A single input with nothing to merge with moves down without being
//     rewritten (a trivial move).
//   - When no level is due, a table whose read charges pay for its
//     compaction (read-triggered compaction, read_charges.h) goes down to
//     the next level: the L0 pick above for an L0 table, else the table plus
//     every overlapping Ln+1 file. Its charges stay with it through a
//     trivial move, so it keeps moving down until it merges with what
//     readers looked at after it.
// Concurrent compactions (compaction_threads = 2, CompactRange) never share a
// file: the caller passes the numbers of busy files and a pick that would
// touch one is skipped. Because a compaction takes every file of its output
// level that overlaps its inputs, two compactions whose files are disjoint
// also write disjoint key ranges.
//
// Thread-safety: Compaction is used by one thread at a time. The picker has
// no state of its own: any thread may call it with a Version it holds.
#ifndef LSMKV_NATIVE_SRC_DB_COMPACTION_H_
#define LSMKV_NATIVE_SRC_DB_COMPACTION_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/version_edit.h"
#include "db/version_set.h"
#include "lsm/db.h"
#include "lsm/options.h"

namespace lsm {

// Target bytes of level n >= 1.
double LevelTargetBytes(const Options& options, int level);

class Compaction {
 public:
  Compaction(std::shared_ptr<const Version> version, int level, int output_level, bool manual);

  int level() const { return level_; }
  int output_level() const { return output_level_; }
  bool manual() const { return manual_; }
  // Picked for a used-up read allowance rather than a level's size.
  bool read_triggered() const { return read_triggered_; }
  void set_read_triggered() { read_triggered_ = true; }
  const Version& input_version() const { return *input_version_; }

  // inputs(0): files of level(); inputs(1): files of output_level() (empty
  // when level() == output_level(), an in-place rewrite).
  std::vector<Version::FilePtr>& inputs(int which) { return inputs_[which]; }
  const std::vector<Version::FilePtr>& inputs(int which) const { return inputs_[which]; }

  size_t NumInputFiles() const { return inputs_[0].size() + inputs_[1].size(); }
  uint64_t InputBytes() const;
  std::vector<uint64_t> InputNumbers() const;

  // One file that can move to output_level() as it is.
  bool IsTrivialMove() const;

  // True if no level deeper than output_level() in the input version holds
  // a file whose range contains `user_key`: then a tombstone for it shadows
  // nothing outside this compaction (R7). REQUIRES: successive calls pass
  // ascending keys.
  bool IsBottommostForKey(const Slice& user_key);

  // Removes every input from its level.
  void AddInputDeletions(VersionEdit* edit) const;

 private:
  const std::shared_ptr<const Version> input_version_;
  const int level_;
  const int output_level_;
  const bool manual_;
  bool read_triggered_ = false;
  std::vector<Version::FilePtr> inputs_[2];
  // Per deeper level: index of the first file that may hold the next key.
  size_t level_ptrs_[DB::kNumLevels] = {};
};

class CompactionPicker {
 public:
  explicit CompactionPicker(const Options* options) : options_(options) {}

  // L0: files / l0_compaction_trigger; Ln: bytes / target(n); 0 for the
  // last level.
  double Score(const Version& v, int level) const;
  // Bytes above the levels' targets that compaction still has to move (an
  // estimate, for stats).
  uint64_t PendingCompactionBytes(const Version& v) const;

  // The most urgent compaction whose files are not in `busy`, or nullptr.
  std::unique_ptr<Compaction> PickCompaction(const std::shared_ptr<const Version>& v,
                                             const std::set<uint64_t>& busy) const;

  // For CompactRange: the files of `level` overlapping `range` (for L0,
  // closed over overlap like a background pick) and the overlapping files
  // of `output_level`. nullptr if `level` has none; *conflict = true (and
  // nullptr) if one of them is in `busy`.
  std::unique_ptr<Compaction> PickRange(const std::shared_ptr<const Version>& v, int level,
                                        int output_level, const KeyRange& range,
                                        const std::set<uint64_t>& busy, bool* conflict) const;

 private:
  std::unique_ptr<Compaction> PickLevel0(const std::shared_ptr<const Version>& v,
                                         const std::set<uint64_t>& busy) const;
  std::unique_ptr<Compaction> PickLevel(const std::shared_ptr<const Version>& v, int level,
                                        const std::set<uint64_t>& busy) const;
  std::unique_ptr<Compaction> PickReadTriggered(const std::shared_ptr<const Version>& v,
                                                const std::set<uint64_t>& busy) const;

  const Options* const options_;
};

// User-key ranges of files, inclusive; a null bound is unbounded.
struct UserKeyBounds {
  bool has_begin = false;
  bool has_end = false;
  std::string begin;
  std::string end;
};

// Files of `level` in `v` whose key range intersects `bounds`. For level 0
// the bounds grow to cover every file found until no other L0 file overlaps
// (bounds is updated).
void GetOverlappingFiles(const Version& v, int level, UserKeyBounds* bounds,
                         std::vector<Version::FilePtr>* out);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_COMPACTION_H_
