// Owns the SSTable's outer byte format: block handles, block trailers, the
// footer and the properties block. (Block contents are owned by
// block_builder.cc, the filter by util/bloom.cc.)
//
// DO NOT CHANGE any of the following; tables on disk depend on it.
//
//   table        := data_block* filter_block? properties_block index_block
//                   footer
//   *_block      := contents trailer
//   trailer      := type:uint8 crc:fixed32
//                     type = 0 (raw) or 1 (a data block whose values are
//                     each codec:uint8 ++ bytes, codec 0 = as they are,
//                     1 = util/lz.cc's format; format_version >= 2)
//                     crc = masked crc32c(contents ++ type)
//   block_handle := offset:varint64 size:varint64   (size excludes trailer)
//   footer       := filter:block_handle index:block_handle
//                   properties:block_handle zero padding to 60 bytes
//                   format_version:fixed32 footer_crc:fixed32 magic:fixed64
//                     footer_crc = masked crc32c of the 64 bytes before it
//                     magic      = 0x6c736d6b76535354 ("TSSvkmsl" in LE)
//
// The footer is always 76 bytes and its last 16 bytes keep this layout in
// every format version: a reader can always check the magic and checksum and
// then refuse a newer format_version with a clear NotSupported, rather than
// misparse it. New versions add handles in the properties block instead.
//
//   properties_block := property*
//   property         := tag:varint32 length:varint32 value:byte[length]
//                         integer values are one varint64 filling `length`;
//                         string values are the raw bytes
//   tags:  1 num_entries        2 num_deletions     3 raw_key_bytes
//          4 raw_value_bytes    5 data_blocks       6 smallest_seq
//          7 largest_seq        8 smallest_key      9 largest_key
//         10 comparator_name   11 format_version   12 filter_key_suffix_strip
//
// Readers skip tags they do not know, so a writer may add properties without
// a format_version bump (if old readers can safely ignore them).
#include "table/format.h"

#include <string>

#include "util/coding.h"
#include "util/crc32c.h"

namespace lsm {

namespace {

constexpr size_t kHandlesLength = 3 * BlockHandle::kMaxEncodedLength;
// Bytes covered by footer_crc: handles + padding + format_version.
constexpr size_t kFooterCrcCovered = kHandlesLength + 4;

// Property tags. DO NOT CHANGE the values.
enum PropertyTag : uint32_t {
  kNumEntries = 1,
  kNumDeletions = 2,
  kRawKeyBytes = 3,
  kRawValueBytes = 4,
  kDataBlocks = 5,
  kSmallestSeq = 6,
  kLargestSeq = 7,
  kSmallestKey = 8,
  kLargestKey = 9,
  kComparatorName = 10,
  kFormatVersion = 11,
  kFilterKeySuffixStrip = 12,
};

void PutIntProperty(std::string* dst, PropertyTag tag, uint64_t v) {
  PutVarint32(dst, tag);
  PutVarint32(dst, static_cast<uint32_t>(VarintLength(v)));
  PutVarint64(dst, v);
}

void PutStringProperty(std::string* dst, PropertyTag tag, const Slice& v) {
  PutVarint32(dst, tag);
  PutLengthPrefixedSlice(dst, v);
}

bool ParseIntProperty(Slice value, uint64_t* v) {
  return GetVarint64(&value, v) && value.empty();
}

}  // namespace

void EncodeTableProperties(const TableProperties& p, std::string* dst) {
  PutIntProperty(dst, kNumEntries, p.num_entries);
  PutIntProperty(dst, kNumDeletions, p.num_deletions);
  PutIntProperty(dst, kRawKeyBytes, p.raw_key_bytes);
  PutIntProperty(dst, kRawValueBytes, p.raw_value_bytes);
  PutIntProperty(dst, kDataBlocks, p.data_blocks);
  PutIntProperty(dst, kSmallestSeq, p.smallest_seq);
  PutIntProperty(dst, kLargestSeq, p.largest_seq);
  PutStringProperty(dst, kSmallestKey, p.smallest_key);
  PutStringProperty(dst, kLargestKey, p.largest_key);
  PutStringProperty(dst, kComparatorName, p.comparator_name);
  PutIntProperty(dst, kFormatVersion, p.format_version);
  PutIntProperty(dst, kFilterKeySuffixStrip, p.filter_key_suffix_strip);
}

Status DecodeTableProperties(const Slice& contents, TableProperties* p) {
  *p = TableProperties();
  Slice input = contents;
  while (!input.empty()) {
    uint32_t tag;
    Slice value;
    if (!GetVarint32(&input, &tag) || !GetLengthPrefixedSlice(&input, &value)) {
      return Status::Corruption("truncated table property");
    }
    uint64_t* int_field = nullptr;
    std::string* string_field = nullptr;
    switch (tag) {
      case kNumEntries: int_field = &p->num_entries; break;
      case kNumDeletions: int_field = &p->num_deletions; break;
      case kRawKeyBytes: int_field = &p->raw_key_bytes; break;
      case kRawValueBytes: int_field = &p->raw_value_bytes; break;
      case kDataBlocks: int_field = &p->data_blocks; break;
      case kSmallestSeq: int_field = &p->smallest_seq; break;
      case kLargestSeq: int_field = &p->largest_seq; break;
      case kFilterKeySuffixStrip:
        int_field = &p->filter_key_suffix_strip;
        break;
      case kSmallestKey: string_field = &p->smallest_key; break;
      case kLargestKey: string_field = &p->largest_key; break;
      case kComparatorName: string_field = &p->comparator_name; break;
      case kFormatVersion: {
        uint64_t v;
        if (!ParseIntProperty(value, &v) || v > UINT32_MAX) {
          return Status::Corruption("bad table property", "format_version");
        }
        p->format_version = static_cast<uint32_t>(v);
        break;
      }
      default:
        break;  // a newer writer's property: ignore
    }
    if (int_field != nullptr && !ParseIntProperty(value, int_field)) {
      return Status::Corruption("bad integer table property",
                                std::to_string(tag));
    }
    if (string_field != nullptr) *string_field = value.ToString();
  }
  return Status::OK();
}

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

Status BlockHandle::DecodeFrom(Slice* input) {
  if (GetVarint64(input, &offset_) && GetVarint64(input, &size_)) {
    return Status::OK();
  }
  return Status::Corruption("bad block handle");
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  filter_handle_.EncodeTo(dst);
  index_handle_.EncodeTo(dst);
  properties_handle_.EncodeTo(dst);
  dst->resize(start + kHandlesLength, '\0');
  PutFixed32(dst, format_version_);
  const uint32_t crc = crc32c::Value(dst->data() + start, kFooterCrcCovered);
  PutFixed32(dst, crc32c::Mask(crc));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(const Slice& input, const std::string& fname) {
  if (input.size() != kEncodedLength) {
    return Status::Corruption(fname, "truncated sstable footer");
  }
  const char* p = input.data();
  if (DecodeFixed64(p + kFooterCrcCovered + 4) != kTableMagicNumber) {
    return Status::Corruption(fname, "not an sstable (bad magic number)");
  }
  const uint32_t expected =
      crc32c::Unmask(DecodeFixed32(p + kFooterCrcCovered));
  if (crc32c::Value(p, kFooterCrcCovered) != expected) {
    return Status::Corruption(fname, "sstable footer checksum mismatch");
  }
  format_version_ = DecodeFixed32(p + kHandlesLength);
  if (format_version_ > kTableFormatVersion) {
    return Status::NotSupported(
        fname, "sstable format_version " + std::to_string(format_version_) +
                   " is newer than this build supports (" +
                   std::to_string(kTableFormatVersion) +
                   "); upgrade lsmkv to open it");
  }
  if (format_version_ == 0) {
    return Status::Corruption(fname, "sstable format_version 0 is invalid");
  }
  Slice handles(p, kHandlesLength);
  Status s = filter_handle_.DecodeFrom(&handles);
  if (s.ok()) s = index_handle_.DecodeFrom(&handles);
  if (s.ok()) s = properties_handle_.DecodeFrom(&handles);
  if (!s.ok()) return Status::Corruption(fname, "bad block handle in footer");
  return Status::OK();
}

Status ReadBlock(const RandomAccessFile* file, const std::string& fname,
                 const BlockHandle& handle, BlockContents* out) {
  out->data = Slice();
  out->heap.reset();
  out->lz_values = false;
  const uint64_t offset = handle.offset();
  // Built only on the error paths: this runs on every point read.
  auto where = [offset] { return " at offset " + std::to_string(offset); };

  // Checked before allocating: a damaged handle must not become a huge
  // allocation or a read past the mapping.
  const uint64_t file_size = file->Size();
  if (offset > file_size || handle.size() > file_size - offset ||
      kBlockTrailerSize > file_size - offset - handle.size()) {
    return Status::Corruption(fname, "block handle beyond end of file" + where());
  }
  const size_t n = static_cast<size_t>(handle.size());
  const size_t total = n + kBlockTrailerSize;

  std::unique_ptr<char[]> buf;
  if (!file->IsMapped()) buf.reset(new char[total]);
  Slice contents;
  Status s = file->Read(offset, total, &contents, buf.get());
  if (!s.ok()) return s;
  if (contents.size() != total) {
    return Status::Corruption(fname, "truncated block read" + where());
  }

  const char* data = contents.data();
  const uint32_t expected = crc32c::Unmask(DecodeFixed32(data + n + 1));
  if (crc32c::Value(data, n + 1) != expected) {
    return Status::Corruption(fname, "block checksum mismatch" + where());
  }
  const uint8_t type = static_cast<uint8_t>(data[n]);
  if (type != kRawBlock && type != kLzValuesBlock) {
    return Status::Corruption(fname, "unknown block type" + where());
  }

  out->data = Slice(data, n);
  out->lz_values = type == kLzValuesBlock;
  // An unmapped file may still hand back a view of its own stable memory;
  // keep our buffer only if the bytes actually live in it.
  if (buf != nullptr && data == buf.get()) out->heap = std::move(buf);
  return Status::OK();
}

}  // namespace lsm
