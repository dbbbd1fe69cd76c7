// TableBuilder: block cutting, index separators, filter and properties
// collection, and buffered output. The file layout it writes is documented
// in table/format.cc.
#include "table/table_builder.h"

#include <cassert>

#include "util/coding.h"
#include "util/crc32c.h"
#include "util/lz.h"

namespace lsm {

namespace {

// Output is appended to the file in chunks of at least this size.
constexpr size_t kOutputChunk = 256 << 10;

}  // namespace

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : options_(options),
      file_(file),
      offset_(file->Size()),
      data_block_(options.block_restart_interval),
      // Restart at every entry: index lookups binary-search every key.
      index_block_(1) {
  if (options_.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<FilterBlockBuilder>(
        options_.bloom_bits_per_key, options_.filter_key_suffix_strip);
  }
  props_.comparator_name = options_.comparator->Name();
  props_.filter_key_suffix_strip = options_.filter_key_suffix_strip;
}

TableBuilder::~TableBuilder() { assert(closed_); }

void TableBuilder::Add(const Slice& key, const Slice& value, const Slice* stored) {
  assert(!closed_);
  if (!status_.ok()) return;
  if (props_.num_entries > 0 &&
      options_.comparator->Compare(key, Slice(last_key_)) <= 0) {
    status_ = Status::InvalidArgument("table keys added out of order");
    return;
  }

  if (pending_index_entry_) {
    options_.comparator->FindShortestSeparator(&last_key_, key);
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(last_key_, handle);
    pending_index_entry_ = false;
  }
  if (filter_ != nullptr) filter_->AddKey(key);

  if (props_.num_entries == 0) {
    props_.smallest_key.assign(key.data(), key.size());
  }
  last_key_.assign(key.data(), key.size());
  props_.num_entries++;
  props_.raw_key_bytes += key.size();
  props_.raw_value_bytes += value.size();

  if (options_.compress_values && stored != nullptr) {
    data_block_.Add(key, *stored);  // already codec byte + bytes
  } else if (options_.compress_values) {
    coded_value_.clear();
    if (lz::Compress(value, &compressed_)) {
      coded_value_.push_back(1);
      coded_value_.append(compressed_);
    } else {
      coded_value_.push_back(0);
      coded_value_.append(value.data(), value.size());
    }
    data_block_.Add(key, coded_value_);
  } else {
    data_block_.Add(key, value);
  }
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) {
    FlushDataBlock();
  }
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty() || !status_.ok()) return;
  WriteBlock(data_block_.Finish(), options_.compress_values ? kLzValuesBlock : kRawBlock,
             &pending_handle_);
  data_block_.Reset();
  pending_index_entry_ = true;
  props_.data_blocks++;
}

void TableBuilder::WriteBlock(const Slice& contents, BlockType type,
                              BlockHandle* handle) {
  handle->set_offset(offset_);
  handle->set_size(contents.size());
  char trailer[kBlockTrailerSize];
  trailer[0] = static_cast<char>(type);
  uint32_t crc = crc32c::Value(contents.data(), contents.size());
  crc = crc32c::Extend(crc, trailer, 1);  // the type byte is covered too
  EncodeFixed32(trailer + 1, crc32c::Mask(crc));
  WriteRaw(contents);
  WriteRaw(Slice(trailer, kBlockTrailerSize));
}

void TableBuilder::WriteRaw(const Slice& data) {
  output_.append(data.data(), data.size());
  offset_ += data.size();
  if (output_.size() >= kOutputChunk) FlushOutput();
}

void TableBuilder::FlushOutput() {
  if (output_.empty() || !status_.ok()) return;
  status_ = file_->Append(output_);
  output_.clear();
}

Status TableBuilder::Finish() {
  assert(!closed_);
  FlushDataBlock();
  closed_ = true;
  if (!status_.ok()) return status_;

  Footer footer;
  footer.set_format_version(kTableFormatVersion);

  if (filter_ != nullptr && props_.num_entries > 0) {
    BlockHandle filter_handle;
    WriteBlock(filter_->Finish(), kRawBlock, &filter_handle);
    footer.set_filter_handle(filter_handle);
  }

  props_.largest_key = last_key_;
  props_.comparator_name = options_.comparator->Name();
  props_.format_version = kTableFormatVersion;
  props_.filter_key_suffix_strip = options_.filter_key_suffix_strip;
  {
    std::string encoded;
    EncodeTableProperties(props_, &encoded);
    BlockHandle handle;
    WriteBlock(encoded, kRawBlock, &handle);
    footer.set_properties_handle(handle);
  }

  if (pending_index_entry_) {
    // The last block's separator need only be >= its last key.
    std::string successor = last_key_;
    options_.comparator->FindShortSuccessor(&successor);
    std::string handle;
    pending_handle_.EncodeTo(&handle);
    index_block_.Add(successor, handle);
    pending_index_entry_ = false;
  }
  {
    BlockHandle handle;
    WriteBlock(index_block_.Finish(), kRawBlock, &handle);
    footer.set_index_handle(handle);
  }

  std::string encoded_footer;
  footer.EncodeTo(&encoded_footer);
  WriteRaw(encoded_footer);
  FlushOutput();
  return status_;
}

void TableBuilder::Abandon() {
  assert(!closed_);
  closed_ = true;
  output_.clear();
}

}  // namespace lsm
