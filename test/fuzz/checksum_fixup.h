// Checksum repair for fuzz inputs. Random mutations almost never keep a
// crc32c right, so without help the fuzzer would only ever exercise "checksum
// mismatch" and never the parsers behind the checksums. Each target runs the
// input as given AND, when these functions change it, once more with every
// checksum recomputed, so both the checks and the code they guard are
// fuzzed. The repaired bytes are still arbitrary as far as the parsers are
// concerned; nothing is filtered.
#ifndef LSMKV_TEST_FUZZ_CHECKSUM_FIXUP_H_
#define LSMKV_TEST_FUZZ_CHECKSUM_FIXUP_H_

#include <memory>
#include <string>

#include "log/log_format.h"
#include "table/block.h"
#include "table/format.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace lsm {
namespace fuzz {

// Recomputes the crc of each log record (log/log_format.h) from the start
// of the file while the declared lengths chain within it. Returns true if
// any byte changed.
inline bool FixLogChecksums(std::string* data) {
  bool changed = false;
  size_t pos = 0;
  while (data->size() - pos >= log::kHeaderSize) {
    char* header = &(*data)[pos];
    const uint32_t len = DecodeFixed32(header + 4);
    if (len > data->size() - pos - log::kHeaderSize) break;
    const uint32_t crc = crc32c::Mask(crc32c::Value(header + 4, 5 + static_cast<size_t>(len)));
    if (DecodeFixed32(header) != crc) {
      EncodeFixed32(header, crc);
      changed = true;
    }
    pos += log::kHeaderSize + len;
  }
  return changed;
}

namespace internal {

// Rewrites the trailer crc of the block at `h` if the block lies inside
// `data`. Returns true if the block is inside.
inline bool FixBlock(std::string* data, const BlockHandle& h, bool* changed) {
  const uint64_t size = data->size();
  if (h.offset() > size || h.size() > size - h.offset() ||
      kBlockTrailerSize > size - h.offset() - h.size()) {
    return false;
  }
  char* p = &(*data)[h.offset()];
  const size_t n = static_cast<size_t>(h.size());
  const uint32_t crc = crc32c::Mask(crc32c::Value(p, n + 1));
  if (DecodeFixed32(p + n + 1) != crc) {
    EncodeFixed32(p + n + 1, crc);
    *changed = true;
  }
  return true;
}

}  // namespace internal

// Makes the last Footer::kEncodedLength bytes carry the table magic and a
// correct footer crc, then recomputes the crc of the filter, properties and
// index blocks the footer names and of every data block the index names.
// Returns true if any byte changed.
inline bool FixTableChecksums(std::string* data) {
  if (data->size() < Footer::kEncodedLength) return false;
  bool changed = false;
  char* footer = &(*data)[data->size() - Footer::kEncodedLength];
  // Layout from format.cc: handles(60) format_version(4) crc(4) magic(8).
  constexpr size_t kCovered = 3 * BlockHandle::kMaxEncodedLength + 4;
  if (DecodeFixed64(footer + kCovered + 4) != kTableMagicNumber) {
    EncodeFixed64(footer + kCovered + 4, kTableMagicNumber);
    changed = true;
  }
  const uint32_t crc = crc32c::Mask(crc32c::Value(footer, kCovered));
  if (DecodeFixed32(footer + kCovered) != crc) {
    EncodeFixed32(footer + kCovered, crc);
    changed = true;
  }
  Slice handles(footer, 3 * BlockHandle::kMaxEncodedLength);
  BlockHandle filter, index, props;
  if (!filter.DecodeFrom(&handles).ok() || !index.DecodeFrom(&handles).ok() ||
      !props.DecodeFrom(&handles).ok()) {
    return changed;
  }
  internal::FixBlock(data, filter, &changed);
  internal::FixBlock(data, props, &changed);
  if (!internal::FixBlock(data, index, &changed)) return changed;

  // Walk the index (a copy: fixing data blocks writes into *data) and fix
  // every data block it names, in the order the index lists them.
  const std::string index_bytes = data->substr(index.offset(), index.size());
  Block index_block(BlockContents{Slice(index_bytes), nullptr});
  std::unique_ptr<Iterator> it(index_block.NewIterator(BytewiseComparator()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Slice v = it->value();
    BlockHandle h;
    if (h.DecodeFrom(&v).ok()) internal::FixBlock(data, h, &changed);
  }
  return changed;
}

}  // namespace fuzz
}  // namespace lsm

#endif  // LSMKV_TEST_FUZZ_CHECKSUM_FIXUP_H_
