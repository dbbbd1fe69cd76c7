// TableBuilder: writes one immutable SSTable (format in table/format.cc)
// from keys added in increasing order: data blocks, the bloom filter block,
// the properties block, the index block and the footer.
//
// Thread-safety: one thread at a time.
#ifndef LSMKV_NATIVE_SRC_TABLE_TABLE_BUILDER_H_
#define LSMKV_NATIVE_SRC_TABLE_TABLE_BUILDER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"
#include "table/block_builder.h"
#include "table/filter_block.h"
#include "table/format.h"

namespace lsm {

class TableBuilder {
 public:
  // Writes to `file`, which must stay open until Finish() or Abandon() and
  // is neither synced nor closed here (the caller owns durability).
  TableBuilder(const TableOptions& options, WritableFile* file);

  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // REQUIRES: Finish() or Abandon() has been called.
  ~TableBuilder();

  // Adds an entry. REQUIRES: key is strictly after every key added before
  // (per options.comparator); Finish()/Abandon() not called. A key out of
  // order is not added and makes status() InvalidArgument. Write errors are
  // sticky in status(); later Adds are ignored.
  // `stored`, when given, is the value's form in a kLzValuesBlock it was
  // read from (Iterator::StoredValue): copied as it is when this builder
  // compresses, so a compaction does not compress what is compressed.
  void Add(const Slice& key, const Slice& value, const Slice* stored = nullptr);

  // The caller fills num_deletions and smallest_seq/largest_seq here before
  // Finish(); the builder fills the rest.
  TableProperties* mutable_properties() { return &props_; }

  // Writes every remaining block and the footer. On OK the file holds a
  // complete table of FileSize() bytes (not yet synced). REQUIRES: neither
  // Finish() nor Abandon() called before.
  Status Finish();

  // Stops building; the file's contents are garbage the caller deletes.
  void Abandon();

  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes of the table so far (all of it after a successful Finish()).
  uint64_t FileSize() const { return offset_; }
  Status status() const { return status_; }

 private:
  void FlushDataBlock();
  // Writes contents + trailer (of `type`, which contents are in); sets
  // *handle.
  void WriteBlock(const Slice& contents, BlockType type, BlockHandle* handle);
  // Queues bytes for the file, writing when enough have gathered: every
  // Append is a pwrite, so one per block would be one syscall per 4 KiB.
  void WriteRaw(const Slice& data);
  void FlushOutput();

  const TableOptions options_;
  WritableFile* const file_;
  uint64_t offset_;
  Status status_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::unique_ptr<FilterBlockBuilder> filter_;  // null: no filter
  std::string last_key_;
  // The index entry for a finished data block is added only when the next
  // key is known, so its separator can be shortened to lie between them.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
  TableProperties props_;
  std::string compressed_;   // scratch: a value's LZ form
  std::string coded_value_;  // scratch: codec byte + value (kLzValuesBlock)
  std::string output_;       // bytes not yet appended to file_
  bool closed_ = false;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_TABLE_BUILDER_H_
