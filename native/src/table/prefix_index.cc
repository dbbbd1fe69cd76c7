// PrefixIndex: building the prefix array and narrowing a seek with it.
#include "table/prefix_index.h"

#include <algorithm>
#include <cstring>

namespace lsm {

namespace {

// The 8 bytes of `part` after its first `skip` bytes, zero-padded, as a
// big-endian integer (so integer order is bytewise order).
uint64_t PrefixAt(const Slice& part, size_t skip) {
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (part.size() > skip) {
    memcpy(bytes, part.data() + skip, std::min<size_t>(8, part.size() - skip));
  }
  uint64_t v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  return v;
}

}  // namespace

std::unique_ptr<PrefixIndex> PrefixIndex::Build(const Comparator* cmp,
                                                const std::vector<Slice>& restart_keys) {
  if (restart_keys.size() < 2) return nullptr;  // nothing to narrow
  const size_t core = restart_keys.size() - 1;     // every key but the last
  Slice first, last;
  if (!cmp->BytewisePart(restart_keys.front(), &first) ||
      !cmp->BytewisePart(restart_keys[core - 1], &last)) {
    return nullptr;
  }
  size_t common = 0;
  const size_t max_common = std::min(first.size(), last.size());
  while (common < max_common && first[common] == last[common]) common++;

  std::vector<uint64_t> prefixes;
  prefixes.reserve(core);
  for (size_t i = 0; i < core; i++) {
    Slice part;
    cmp->BytewisePart(restart_keys[i], &part);
    // Sorted keys share C; a block that breaks this (damaged, or not
    // sorted) gets no prefix index.
    if (part.size() < common || memcmp(part.data(), first.data(), common) != 0) return nullptr;
    prefixes.push_back(PrefixAt(part, common));
  }
  if (!std::is_sorted(prefixes.begin(), prefixes.end())) return nullptr;
  return std::unique_ptr<PrefixIndex>(
      new PrefixIndex(cmp, std::string(first.data(), common), std::move(prefixes)));
}

void PrefixIndex::Narrow(const Slice& target, uint32_t* lo, uint32_t* hi) const {
  const uint32_t core = static_cast<uint32_t>(prefixes_.size());
  Slice part;
  if (!cmp_->BytewisePart(target, &part)) {
    *lo = 0;  // cannot tell: compare everything
    *hi = core + 1;
    return;
  }
  const size_t c = common_.size();
  const int r = memcmp(part.data(), common_.data(), std::min(c, part.size()));
  if (r < 0 || (r == 0 && part.size() < c)) {
    *lo = *hi = 0;  // before every key (a proper prefix of C sorts first)
    return;
  }
  if (r > 0) {
    *lo = core;  // after every core key; the last one needs comparing
    *hi = core + 1;
    return;
  }
  const uint64_t p = PrefixAt(part, c);
  const auto begin = prefixes_.begin(), end = prefixes_.end();
  auto first = std::lower_bound(begin, end, p);
  auto past = first;
  if (past != end && *past == p) {
    ++past;  // usually one equal prefix; many only for long shared keys
    if (past != end && *past == p) past = std::upper_bound(past, end, p);
  }
  *lo = static_cast<uint32_t>(first - begin);
  // Nothing in the core proven greater: the last key needs comparing too.
  *hi = past == end ? core + 1 : static_cast<uint32_t>(past - begin);
}

}  // namespace lsm
