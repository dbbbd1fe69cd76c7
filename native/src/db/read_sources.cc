// The read sources shared by DBImpl and ReadOnlyDB (see read_sources.h).
#include "db/read_sources.h"

#include <memory>

#include "db/dbformat.h"
#include "db/level_iterator.h"
#include "lsm/db.h"
#include "table/merger.h"

namespace lsm {

Iterator* NewInternalIterator(const std::vector<const MemTable*>& mems, const Version& version,
                              const KeyRange& range) {
  // Newest sources first: the merge yields equal keys in child order.
  std::vector<std::unique_ptr<Iterator>> children;
  for (const MemTable* m : mems) children.emplace_back(m->NewIterator());
  for (int level = 0; level < DB::kNumLevels; level++) {
    std::vector<Version::FilePtr> files;
    for (const Version::FilePtr& f : version.files[level]) {
      // Files wholly outside the range cannot contribute.
      const Slice smallest = ExtractUserKey(f->smallest);
      const Slice largest = ExtractUserKey(f->largest);
      if (range.has_lower && largest.compare(range.lower) < 0) continue;
      if (range.has_upper && smallest.compare(range.upper) > 0) continue;
      if (level == 0) children.emplace_back(f->table->NewIterator());  // L0 files overlap
      else files.push_back(f);
    }
    // Deeper levels do not overlap within a level: one child per level.
    if (!files.empty()) children.emplace_back(NewLevelIterator(std::move(files)));
  }
  return NewMergingIterator(GetInternalKeyComparator(), std::move(children));
}

uint64_t ApproximateTableBytes(const Version& version, const KeyRange& range) {
  std::string lower, upper;
  if (range.has_lower) AppendInternalKey(&lower, range.lower, kMaxSequenceNumber, kValueTypeForSeek);
  if (range.has_upper) AppendInternalKey(&upper, range.upper, 0, kTypeDeletion);
  uint64_t total = 0;
  for (int level = 0; level < DB::kNumLevels; level++) {
    for (const Version::FilePtr& f : version.files[level]) {
      const Table& t = *f->table;
      const uint64_t start = range.has_lower ? t.ApproximateOffsetOf(lower) : 0;
      const uint64_t end = range.has_upper ? t.ApproximateOffsetOf(upper) : t.DataEndOffset();
      if (end > start) total += end - start;
    }
  }
  return total;
}

}  // namespace lsm
