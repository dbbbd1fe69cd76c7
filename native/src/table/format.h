// The SSTable framing shared by the table writer and reader: table options
// and properties (with the properties block codec), block handles, the
// per-block trailer (type + checksum), the fixed-size footer, and
// ReadBlock(), the one place a block's bytes are read and verified (R5).
// The byte formats are documented in format.cc, which owns them.
#ifndef LSMKV_NATIVE_SRC_TABLE_FORMAT_H_
#define LSMKV_NATIVE_SRC_TABLE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"
#include "util/comparator.h"

namespace lsm {

// The newest table format this build reads and the one it writes.
// 1: raw blocks only. 2: data blocks may hold coded values (kLzValuesBlock).
inline constexpr uint32_t kTableFormatVersion = 2;

// Last 8 bytes of every table. DO NOT CHANGE.
// The bytes read "TSSvkmsl" on disk ("lsmkvSST" as a big-endian number).
inline constexpr uint64_t kTableMagicNumber = 0x6c736d6b76535354ull;

// How a table is built and read. The DB derives these from lsm::Options.
struct TableOptions {
  // Must order keys the way they are added; its Name() is stored in the
  // table and checked on open.
  const Comparator* comparator = BytewiseComparator();
  // Uncompressed bytes of entries per data block (approximate: a block is
  // cut after the entry that reaches this size).
  size_t block_size = 4096;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;  // 0 = no filter
  // Data blocks are written as kLzValuesBlock: each value is stored
  // LZ-compressed (util/lz.h) when that saves at least 1/8 of its bytes.
  // Keys, and the filter, index and properties blocks, are never compressed,
  // so a point read decodes one value, not a block.
  bool compress_values = true;
  // Bytes stripped from the END of every key before it is added to / checked
  // against the bloom filter. The DB passes 8 so the filter is on user keys.
  size_t filter_key_suffix_strip = 0;
};

// Facts about a table, written into its properties block by the builder and
// read back on open. Format in format.cc.
struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;  // set by the caller before Finish()
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  uint64_t data_blocks = 0;
  uint64_t smallest_seq = 0;  // set by the caller before Finish()
  uint64_t largest_seq = 0;   // set by the caller before Finish()
  std::string smallest_key;   // "" when the table is empty
  std::string largest_key;
  std::string comparator_name;
  uint32_t format_version = kTableFormatVersion;
  // The TableOptions::filter_key_suffix_strip the filter was built with. A
  // reader whose setting differs ignores the filter rather than risk false
  // negatives.
  uint64_t filter_key_suffix_strip = 0;
};

// Appends the properties block contents for `props` to *dst.
void EncodeTableProperties(const TableProperties& props, std::string* dst);
// Parses a properties block. Unknown property tags are skipped (newer writers
// may add some). Corruption if the bytes do not parse.
Status DecodeTableProperties(const Slice& contents, TableProperties* props);


// Block type byte in the trailer. DO NOT CHANGE the values.
enum BlockType : uint8_t {
  kRawBlock = 0,  // uncompressed contents
  // A data block whose every value is codec:uint8 followed by the value:
  // codec 0 = the bytes as they are, 1 = util/lz.h's format.
  kLzValuesBlock = 1,
};

// type:1 + masked crc32c:4 after every block.
inline constexpr size_t kBlockTrailerSize = 5;

// Where a block lives in the file: its offset and the size of its contents
// (excluding the trailer).
class BlockHandle {
 public:
  // Two varint64s.
  static constexpr size_t kMaxEncodedLength = 10 + 10;

  BlockHandle() = default;
  BlockHandle(uint64_t offset, uint64_t size) : offset_(offset), size_(size) {}

  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  uint64_t size() const { return size_; }
  void set_size(uint64_t size) { size_ = size; }

  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input. Corruption if it is not one.
  Status DecodeFrom(Slice* input);

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The fixed-size tail of every table, read first (with pread) when a table
// is opened.
class Footer {
 public:
  // Fixed forever, so that any version's reader finds the format_version.
  static constexpr size_t kEncodedLength =
      3 * BlockHandle::kMaxEncodedLength + 4 + 4 + 8;

  Footer() = default;

  // A handle of size 0 means the table has no filter.
  const BlockHandle& filter_handle() const { return filter_handle_; }
  void set_filter_handle(const BlockHandle& h) { filter_handle_ = h; }
  const BlockHandle& index_handle() const { return index_handle_; }
  void set_index_handle(const BlockHandle& h) { index_handle_ = h; }
  const BlockHandle& properties_handle() const { return properties_handle_; }
  void set_properties_handle(const BlockHandle& h) { properties_handle_ = h; }
  uint32_t format_version() const { return format_version_; }
  void set_format_version(uint32_t v) { format_version_ = v; }

  // Appends exactly kEncodedLength bytes.
  void EncodeTo(std::string* dst) const;

  // Parses the last kEncodedLength bytes of `fname`. Checks, in order: magic
  // (Corruption "not an sstable"), footer checksum (Corruption), then the
  // format version (NotSupported if newer than kTableFormatVersion,
  // Corruption if 0). Every message starts with fname.
  Status DecodeFrom(const Slice& input, const std::string& fname);

 private:
  BlockHandle filter_handle_;
  BlockHandle index_handle_;
  BlockHandle properties_handle_;
  uint32_t format_version_ = kTableFormatVersion;
};

// A verified block's bytes. With a mapped file `data` points into the mapping
// (which the table keeps alive); otherwise into `heap`, owned here.
struct BlockContents {
  Slice data;
  std::unique_ptr<char[]> heap;  // null when data points into a mapping
  bool lz_values = false;        // a kLzValuesBlock: Block decodes each value
};

// Reads the block at `handle` and its trailer from `file`, verifies the
// checksum and type, and fills *out. Errors (all Corruption, naming fname
// and the block offset): handle beyond the end of the file, short read,
// checksum mismatch, unknown block type. I/O errors are passed through.
Status ReadBlock(const RandomAccessFile* file, const std::string& fname,
                 const BlockHandle& handle, BlockContents* out);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_FORMAT_H_
