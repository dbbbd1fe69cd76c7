// BytewiseComparator: the unsigned lexicographic order of raw bytes, plus the
// key-shortening hooks the table builder uses to keep index blocks small.
#include "util/comparator.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace lsm {

namespace {

class BytewiseComparatorImpl final : public Comparator {
 public:
  int Compare(const Slice& a, const Slice& b) const override {
    return a.compare(b);
  }

  // Stored in every table's properties: renaming it makes old tables
  // unreadable. DO NOT CHANGE.
  const char* Name() const override { return "lsm.Bytewise"; }

  void FindShortestSeparator(std::string* start,
                             const Slice& limit) const override {
    const size_t min_len = std::min(start->size(), limit.size());
    size_t diff = 0;
    while (diff < min_len && (*start)[diff] == limit[diff]) diff++;
    // One is a prefix of the other: no shorter key fits between them.
    if (diff >= min_len) return;
    const uint8_t byte = static_cast<uint8_t>((*start)[diff]);
    // Bumping the first differing byte gives a key > start; it is only a valid
    // separator if it stays strictly below limit's byte at that position.
    if (byte < 0xff && byte + 1 < static_cast<uint8_t>(limit[diff])) {
      (*start)[diff] = static_cast<char>(byte + 1);
      start->resize(diff + 1);
    }
  }

  void FindShortSuccessor(std::string* key) const override {
    for (size_t i = 0; i < key->size(); i++) {
      const uint8_t byte = static_cast<uint8_t>((*key)[i]);
      if (byte != 0xff) {
        (*key)[i] = static_cast<char>(byte + 1);
        key->resize(i + 1);
        return;
      }
    }
    // All 0xff bytes: *key is already the shortest successor we can express.
  }

  bool BytewisePart(const Slice& key, Slice* part) const override {
    *part = key;
    return true;
  }
};

}  // namespace

const Comparator* BytewiseComparator() {
  // Leaked on purpose: tables and iterators may use it during static
  // destruction.
  static const Comparator* const kInstance = new BytewiseComparatorImpl();
  return kInstance;
}

}  // namespace lsm
