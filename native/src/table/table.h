// Table: an open, immutable SSTable. Opening verifies the footer (with
// pread), then reads and verifies the index, filter and properties blocks;
// data blocks are read and checksummed on every access (no block cache: with
// mmap a block read is a pointer plus a crc32c).
//
// Thread-safety: a Table is immutable after Open(); any number of threads may
// call its const methods and use their own iterators concurrently.
#ifndef LSMKV_NATIVE_SRC_TABLE_TABLE_H_
#define LSMKV_NATIVE_SRC_TABLE_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"
#include "table/block.h"
#include "table/filter_block.h"
#include "table/format.h"
#include "table/iterator.h"

namespace lsm {

class Table {
 public:
  // Opens the table in `fname`. The footer is read and verified with pread
  // first; only then, if use_mmap, is the file mapped. On success *table
  // holds the table; on failure *table is reset and the error names fname:
  //   Corruption      file shorter than a footer, bad magic, footer or block
  //                   checksum mismatch, unparsable index/properties
  //   NotSupported    format_version newer than this build writes
  //   InvalidArgument table built with another comparator than
  //                   options.comparator
  //   IOError etc.    from env
  static Status Open(const TableOptions& options, Env* env,
                     const std::string& fname, bool use_mmap,
                     std::unique_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table();

  // An iterator over every entry, in comparator order. The Table must
  // outlive it. A damaged data block makes it !Valid() with a Corruption
  // status naming the file and block offset; the error is sticky.
  // `release_behind`: for one forward pass (a compaction's input, read once
  // and then deleted): the file's pages before the current block are
  // released as it moves on (RandomAccessFile::ReleasePages), so a mapped
  // table does not stay in the resident set until it is deleted.
  Iterator* NewIterator(bool release_behind = false) const;

  // Point lookup. If the bloom filter says the (stripped) key is absent,
  // returns OK without calling handle_result. Otherwise finds the first
  // entry >= key and, if there is one, calls handle_result(arg, k, v) once
  // (k and v are valid only during the call). Errors from reading blocks are
  // returned (handle_result not called). `filter_hash`, if given, is
  // BloomHash() of the stripped key, computed once for all tables probed.
  Status InternalGet(const Slice& key, void* arg,
                     void (*handle_result)(void* arg, const Slice& k,
                                           const Slice& v),
                     const uint64_t* filter_hash = nullptr) const;

  // False if the filter proves `key` (after stripping
  // filter_key_suffix_strip bytes) is not in the table.
  bool KeyMayMatch(const Slice& key) const;
  // The same given BloomHash() of the stripped key.
  bool HashMayMatch(uint64_t stripped_key_hash) const;

  // Approximate file offset where data for `key` starts: the offset of the
  // data block the index points `key` at, or (past the last key) the offset
  // where the data blocks end.
  uint64_t ApproximateOffsetOf(const Slice& key) const;
  // Offset just past the last data block.
  uint64_t DataEndOffset() const;

  // Whether point gets can find their data block from memory alone
  // (block_starts_ below), without reading the index block.
  bool BlocksNamedInMemory() const { return !block_starts_.empty(); }

  const TableProperties& properties() const { return props_; }
  uint64_t file_size() const { return file_size_; }

 private:
  class TwoLevelIterator;

  Table(const TableOptions& options, std::string fname, uint64_t file_size);

  // Decodes a block handle from an index entry value.
  Status DecodeIndexValue(const Slice& index_value, BlockHandle* handle) const;
  // Decodes a block handle from an index entry value and reads that block.
  Status ReadDataBlock(const Slice& index_value, BlockContents* contents,
                       BlockHandle* handle) const;
  // Reads the data block at `handle` and passes handle_result its first
  // entry >= key (its first entry if !seek), setting *answered, if it has
  // one. A block that fails its checksum or does not parse is an error.
  Status GetInBlock(const BlockHandle& handle, const Slice& key, bool seek, void* arg,
                    void (*handle_result)(void*, const Slice&, const Slice&),
                    bool* answered) const;
  // Adds the file name (and block offset) to a block parse error.
  Status BlockError(const Status& s, const char* which, uint64_t offset) const;
  // Fills block_starts_ if the index allows it (see there).
  void BuildBlockStarts();
  // InternalGet's shortcut: the data block the prefix index alone names, or
  // false when it needs the index block (an equal prefix, no block_starts_).
  bool BlockFor(const Slice& key, BlockHandle* handle) const;

  // Constant after Open().
  const TableOptions options_;
  const std::string fname_;
  const uint64_t file_size_;
  std::unique_ptr<RandomAccessFile> file_;
  std::unique_ptr<Block> index_block_;
  // Where each data block starts, in index order, then where the last one
  // ends: data blocks are contiguous, so block i is
  // [block_starts_[i], block_starts_[i + 1] - kBlockTrailerSize) plus its
  // trailer. Together with the index block's PrefixIndex this names the data
  // block of most point gets without reading the index block (its restart
  // array and an entry: one or two cache misses). Empty if the table has no
  // prefix index, is 4 GiB or more, or its blocks are not contiguous.
  std::vector<uint32_t> block_starts_;
  BlockContents filter_contents_;
  std::unique_ptr<FilterBlockReader> filter_;  // null: no usable filter
  TableProperties props_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_TABLE_TABLE_H_
