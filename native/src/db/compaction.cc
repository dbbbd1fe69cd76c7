// Compaction picking and the per-compaction bookkeeping.
#include "db/compaction.h"

#include <algorithm>
#include <cmath>

namespace lsm {

namespace {

Slice UserSmallest(const FileMetaData& f) { return ExtractUserKey(f.smallest); }
Slice UserLargest(const FileMetaData& f) { return ExtractUserKey(f.largest); }

bool Intersects(const FileMetaData& f, const UserKeyBounds& b) {
  if (b.has_begin && UserLargest(f).compare(b.begin) < 0) return false;
  if (b.has_end && UserSmallest(f).compare(b.end) > 0) return false;
  return true;
}

// Widens `b` to cover every file in `files`.
void Cover(const std::vector<Version::FilePtr>& files, UserKeyBounds* b) {
  for (size_t i = 0; i < files.size(); i++) {
    const Slice lo = UserSmallest(*files[i]);
    const Slice hi = UserLargest(*files[i]);
    if (i == 0) {
      b->has_begin = b->has_end = true;
      b->begin = lo.ToString();
      b->end = hi.ToString();
      continue;
    }
    if (lo.compare(b->begin) < 0) b->begin = lo.ToString();
    if (hi.compare(b->end) > 0) b->end = hi.ToString();
  }
}

bool AnyBusy(const std::vector<Version::FilePtr>& files, const std::set<uint64_t>& busy) {
  for (const Version::FilePtr& f : files) {
    if (busy.count(f->number) != 0) return true;
  }
  return false;
}

UserKeyBounds BoundsOf(const KeyRange& r) {
  // Exclusive bounds are treated as inclusive: at worst one more file.
  UserKeyBounds b;
  b.has_begin = r.has_lower;
  b.begin = r.lower;
  b.has_end = r.has_upper;
  b.end = r.upper;
  return b;
}

}  // namespace

double LevelTargetBytes(const Options& options, int level) {
  return static_cast<double>(options.level_base) *
         std::pow(static_cast<double>(options.level_ratio), level - 1);
}

void GetOverlappingFiles(const Version& v, int level, UserKeyBounds* bounds,
                         std::vector<Version::FilePtr>* out) {
  out->clear();
  const std::vector<Version::FilePtr>& files = v.files[level];
  for (size_t i = 0; i < files.size();) {
    const FileMetaData& f = *files[i++];
    if (!Intersects(f, *bounds)) continue;
    if (level == 0) {
      // The range grows with each L0 file: restart until it is closed.
      bool grew = false;
      if (bounds->has_begin && UserSmallest(f).compare(bounds->begin) < 0) {
        bounds->begin = UserSmallest(f).ToString();
        grew = true;
      }
      if (bounds->has_end && UserLargest(f).compare(bounds->end) > 0) {
        bounds->end = UserLargest(f).ToString();
        grew = true;
      }
      if (grew) {
        out->clear();
        i = 0;
        continue;
      }
    }
    out->push_back(files[i - 1]);
  }
}

// ---------------------------------------------------------------------------
// Compaction

Compaction::Compaction(std::shared_ptr<const Version> version, int level, int output_level,
                       bool manual)
    : input_version_(std::move(version)), level_(level), output_level_(output_level),
      manual_(manual) {}

uint64_t Compaction::InputBytes() const {
  uint64_t sum = 0;
  for (const auto& in : inputs_) {
    for (const Version::FilePtr& f : in) sum += f->file_size;
  }
  return sum;
}

std::vector<uint64_t> Compaction::InputNumbers() const {
  std::vector<uint64_t> numbers;
  for (const auto& in : inputs_) {
    for (const Version::FilePtr& f : in) numbers.push_back(f->number);
  }
  return numbers;
}

bool Compaction::IsTrivialMove() const {
  if (level_ == output_level_ || inputs_[0].size() != 1 || !inputs_[1].empty()) return false;
  // A manual compaction rewrites files holding tombstones so that they can
  // be dropped at the bottom (the space CompactRange promises to reclaim).
  return !(manual_ && inputs_[0][0]->num_deletions > 0);
}

bool Compaction::IsBottommostForKey(const Slice& user_key) {
  for (int level = output_level_ + 1; level < DB::kNumLevels; level++) {
    const std::vector<Version::FilePtr>& files = input_version_->files[level];
    size_t& i = level_ptrs_[level];
    while (i < files.size()) {
      const FileMetaData& f = *files[i];
      if (user_key.compare(UserLargest(f)) <= 0) {
        // The first file not wholly before the key; keys only grow, so the
        // ones skipped never matter again.
        if (user_key.compare(UserSmallest(f)) >= 0) return false;
        break;
      }
      i++;
    }
  }
  return true;
}

void Compaction::AddInputDeletions(VersionEdit* edit) const {
  for (const Version::FilePtr& f : inputs_[0]) edit->RemoveFile(level_, f->number);
  for (const Version::FilePtr& f : inputs_[1]) edit->RemoveFile(output_level_, f->number);
}

// ---------------------------------------------------------------------------
// CompactionPicker

double CompactionPicker::Score(const Version& v, int level) const {
  if (level >= DB::kNumLevels - 1) return 0;
  if (level == 0) {
    return static_cast<double>(v.NumFiles(0)) / options_->l0_compaction_trigger;
  }
  return static_cast<double>(v.NumBytes(level)) / LevelTargetBytes(*options_, level);
}

uint64_t CompactionPicker::PendingCompactionBytes(const Version& v) const {
  uint64_t pending = 0;
  if (Score(v, 0) >= 1) pending += v.NumBytes(0);
  for (int level = 1; level < DB::kNumLevels - 1; level++) {
    const double excess = static_cast<double>(v.NumBytes(level)) - LevelTargetBytes(*options_, level);
    if (excess > 0) pending += static_cast<uint64_t>(excess);
  }
  return pending;
}

std::unique_ptr<Compaction> CompactionPicker::PickCompaction(
    const std::shared_ptr<const Version>& v, const std::set<uint64_t>& busy) const {
  std::vector<std::pair<double, int>> due;
  for (int level = 0; level < DB::kNumLevels - 1; level++) {
    const double score = Score(*v, level);
    if (score >= 1) due.emplace_back(score, level);
  }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, level] : due) {
    std::unique_ptr<Compaction> c = level == 0 ? PickLevel0(v, busy) : PickLevel(v, level, busy);
    if (c) return c;
  }
  return options_->read_triggered_compaction ? PickReadTriggered(v, busy) : nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::PickReadTriggered(
    const std::shared_ptr<const Version>& v, const std::set<uint64_t>& busy) const {
  // Every L0 table goes down in the same L0 -> L1 pick: weigh the charged
  // table that paid most against it, once.
  uint64_t l0_charges = 0;
  for (const Version::FilePtr& f : v->files[0]) {
    const uint64_t charges = f->read_charges.load();
    if (charges >= ReadChargeStep(*f)) l0_charges = std::max(l0_charges, charges);
  }
  if (l0_charges > 0) {
    std::unique_ptr<Compaction> c = PickLevel0(v, busy);
    if (c && l0_charges >= CompactionCostNanos(c->InputBytes())) {
      c->set_read_triggered();
      return c;
    }
  }
  for (int level = 1; level < DB::kNumLevels - 1; level++) {
    for (const Version::FilePtr& f : v->files[level]) {
      const uint64_t charges = f->read_charges.load();
      if (charges < ReadChargeStep(*f) || busy.count(f->number) != 0) continue;
      auto c = std::make_unique<Compaction>(v, level, level + 1, false);
      c->inputs(0).push_back(f);
      UserKeyBounds bounds;
      Cover(c->inputs(0), &bounds);
      GetOverlappingFiles(*v, level + 1, &bounds, &c->inputs(1));
      // Not yet: the reads have not paid for rewriting the overlap too.
      if (AnyBusy(c->inputs(1), busy) || charges < CompactionCostNanos(c->InputBytes())) continue;
      c->set_read_triggered();
      return c;
    }
  }
  return nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::PickLevel0(const std::shared_ptr<const Version>& v,
                                                         const std::set<uint64_t>& busy) const {
  const std::vector<Version::FilePtr>& l0 = v->files[0];
  // One L0 -> L1 compaction at a time: L0 files must reach L1 oldest first.
  if (l0.empty() || AnyBusy(l0, busy)) return nullptr;
  auto c = std::make_unique<Compaction>(v, 0, 1, false);
  UserKeyBounds bounds;
  Cover({l0.back()}, &bounds);  // the oldest file
  GetOverlappingFiles(*v, 0, &bounds, &c->inputs(0));
  GetOverlappingFiles(*v, 1, &bounds, &c->inputs(1));
  if (AnyBusy(c->inputs(1), busy)) return nullptr;
  return c;
}

std::unique_ptr<Compaction> CompactionPicker::PickLevel(const std::shared_ptr<const Version>& v,
                                                        int level,
                                                        const std::set<uint64_t>& busy) const {
  const std::vector<Version::FilePtr>& files = v->files[level];
  const std::vector<Version::FilePtr>& next = v->files[level + 1];
  if (files.empty()) return nullptr;
  // Rank the files by the bytes of Ln+1 they overlap per byte they hold:
  // the lowest ratio moves data down with the least rewriting. Both levels
  // are sorted and disjoint, so one sweep finds every file's overlapping
  // Ln+1 files, next[begin, end), which are also the compaction's inputs.
  // Deletions weigh double (like RocksDB's compensated size): a file full of
  // tombstones is worth pushing down to reclaim the space they shadow.
  struct Candidate {
    double ratio;
    size_t file, begin, end;
  };
  std::vector<Candidate> ranked;
  ranked.reserve(files.size());
  size_t begin = 0;
  for (size_t i = 0; i < files.size(); i++) {
    const FileMetaData& f = *files[i];
    while (begin < next.size() && UserLargest(*next[begin]).compare(UserSmallest(f)) < 0) begin++;
    size_t end = begin;
    uint64_t overlap = 0;
    for (; end < next.size() && UserSmallest(*next[end]).compare(UserLargest(f)) <= 0; end++) {
      overlap += next[end]->file_size;
    }
    const double per_entry =
        static_cast<double>(f.file_size) / static_cast<double>(f.num_entries > 0 ? f.num_entries : 1);
    const double weight = static_cast<double>(f.file_size) + 2.0 * per_entry * static_cast<double>(f.num_deletions);
    ranked.push_back({static_cast<double>(overlap) / (weight > 0 ? weight : 1.0), i, begin, end});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Candidate& a, const Candidate& b) { return a.ratio < b.ratio; });
  for (const Candidate& cand : ranked) {
    const Version::FilePtr& f = files[cand.file];
    if (busy.count(f->number) != 0) continue;
    auto c = std::make_unique<Compaction>(v, level, level + 1, false);
    c->inputs(0).push_back(f);
    c->inputs(1).assign(next.begin() + cand.begin, next.begin() + cand.end);
    if (AnyBusy(c->inputs(1), busy)) continue;
    return c;
  }
  return nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::PickRange(const std::shared_ptr<const Version>& v,
                                                        int level, int output_level,
                                                        const KeyRange& range,
                                                        const std::set<uint64_t>& busy,
                                                        bool* conflict) const {
  *conflict = false;
  auto c = std::make_unique<Compaction>(v, level, output_level, true);
  UserKeyBounds bounds = BoundsOf(range);
  GetOverlappingFiles(*v, level, &bounds, &c->inputs(0));
  if (c->inputs(0).empty()) return nullptr;
  if (output_level != level) {
    Cover(c->inputs(0), &bounds);
    GetOverlappingFiles(*v, output_level, &bounds, &c->inputs(1));
  }
  if (AnyBusy(c->inputs(0), busy) || AnyBusy(c->inputs(1), busy)) {
    *conflict = true;
    return nullptr;
  }
  // L0 files must reach L1 oldest first: never leave an older overlapping
  // L0 file behind (GetOverlappingFiles closed the range over L0 already).
  if (level == 0 && AnyBusy(v->files[0], busy)) {
    *conflict = true;
    return nullptr;
  }
  return c;
}

}  // namespace lsm
