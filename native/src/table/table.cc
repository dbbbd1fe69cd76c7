// Table reader: Open() (footer, index, filter, properties), the two-level
// iterator (index block -> data blocks) and point lookups.
#include "table/table.h"

#include <cassert>
#include <utility>

namespace lsm {

Table::Table(const TableOptions& options, std::string fname,
             uint64_t file_size)
    : options_(options), fname_(std::move(fname)), file_size_(file_size) {}

Table::~Table() = default;

Status Table::Open(const TableOptions& options, Env* env,
                   const std::string& fname, bool use_mmap,
                   std::unique_ptr<Table>* table) {
  table->reset();
  uint64_t size = 0;
  Status s = env->GetFileSize(fname, &size);
  if (!s.ok()) return s;
  if (size < Footer::kEncodedLength) {
    return Status::Corruption(fname, "file is too short to be an sstable (" +
                                         std::to_string(size) + " bytes)");
  }

  // The footer is verified through pread before anything is mapped, so a
  // file that is not (or not yet) a complete table is never mmapped.
  std::unique_ptr<RandomAccessFile> file;
  s = env->NewRandomAccessFile(fname, /*use_mmap=*/false, &file);
  if (!s.ok()) return s;
  char footer_space[Footer::kEncodedLength];
  Slice footer_input;
  s = file->Read(size - Footer::kEncodedLength, Footer::kEncodedLength,
                 &footer_input, footer_space);
  if (!s.ok()) return s;
  if (footer_input.size() != Footer::kEncodedLength) {
    return Status::Corruption(fname, "short read of sstable footer");
  }
  Footer footer;
  s = footer.DecodeFrom(footer_input, fname);
  if (!s.ok()) return s;

  if (use_mmap) {
    file.reset();
    s = env->NewRandomAccessFile(fname, /*use_mmap=*/true, &file);
    if (!s.ok()) return s;
  }
  if (file->Size() != size) {
    return Status::Corruption(fname, "sstable changed size while opening");
  }

  std::unique_ptr<Table> t(new Table(options, fname, size));
  t->file_ = std::move(file);

  BlockContents contents;
  s = ReadBlock(t->file_.get(), fname, footer.properties_handle(), &contents);
  if (!s.ok()) return s;
  s = DecodeTableProperties(contents.data, &t->props_);
  if (!s.ok()) return Status::Corruption(fname, s.message());
  if (t->props_.comparator_name != options.comparator->Name()) {
    return Status::InvalidArgument(
        fname, "sstable was built with comparator '" +
                   t->props_.comparator_name + "' but is opened with '" +
                   options.comparator->Name() + "'");
  }
  // The footer is authoritative; the property is informational.
  t->props_.format_version = footer.format_version();

  s = ReadBlock(t->file_.get(), fname, footer.index_handle(), &contents);
  if (!s.ok()) return s;
  t->index_block_ = std::make_unique<Block>(std::move(contents));
  t->index_block_->BuildPrefixIndex(options.comparator);
  t->BuildBlockStarts();

  if (footer.filter_handle().size() > 0) {
    s = ReadBlock(t->file_.get(), fname, footer.filter_handle(),
                  &t->filter_contents_);
    if (!s.ok()) return s;
    // A filter built over differently stripped keys could give false
    // negatives; without it reads are only slower.
    if (t->props_.filter_key_suffix_strip == options.filter_key_suffix_strip) {
      t->filter_ = std::make_unique<FilterBlockReader>(
          t->filter_contents_.data, options.filter_key_suffix_strip);
    }
  }

  *table = std::move(t);
  return Status::OK();
}

Status Table::BlockError(const Status& s, const char* which,
                         uint64_t offset) const {
  return Status::Corruption(fname_, s.message() + " (" + which +
                                        " block at offset " +
                                        std::to_string(offset) + ")");
}

Status Table::DecodeIndexValue(const Slice& index_value, BlockHandle* handle) const {
  Slice input = index_value;
  if (!handle->DecodeFrom(&input).ok() || !input.empty()) {
    return Status::Corruption(fname_, "bad block handle in index block");
  }
  return Status::OK();
}

Status Table::ReadDataBlock(const Slice& index_value, BlockContents* contents,
                            BlockHandle* handle) const {
  Status s = DecodeIndexValue(index_value, handle);
  return s.ok() ? ReadBlock(file_.get(), fname_, *handle, contents) : s;
}

Status Table::GetInBlock(const BlockHandle& handle, const Slice& key, bool seek, void* arg,
                         void (*handle_result)(void*, const Slice&, const Slice&),
                         bool* answered) const {
  BlockContents contents;
  Status s = ReadBlock(file_.get(), fname_, handle, &contents);
  if (!s.ok()) return s;
  const Block block(std::move(contents));
  // Built in place: no heap allocation for it per lookup.
  Block::IterStorage storage;
  Block::InPlaceIterator it = block.NewIterator(options_.comparator, &storage);
  if (seek) {
    it->Seek(key);
  } else {
    it->SeekToFirst();
  }
  if (it->Valid()) {
    handle_result(arg, it->key(), it->value());
    *answered = true;
  }
  // A value that did not decode was passed as empty: the error wins.
  return it->status().ok() ? Status::OK() : BlockError(it->status(), "data", handle.offset());
}

void Table::BuildBlockStarts() {
  const PrefixIndex* prefixes = index_block_->PrefixIndexFor(options_.comparator);
  if (prefixes == nullptr || file_size_ > UINT32_MAX) return;
  std::vector<uint32_t> starts;
  starts.reserve(prefixes->size() + 1);
  std::unique_ptr<Iterator> it(index_block_->NewIterator(options_.comparator));
  uint64_t end = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    BlockHandle handle;
    if (!DecodeIndexValue(it->value(), &handle).ok()) return;  // the walk reports it
    if (!starts.empty() && handle.offset() != end) return;  // not contiguous
    end = handle.offset() + handle.size() + kBlockTrailerSize;
    if (end > file_size_) return;
    starts.push_back(static_cast<uint32_t>(handle.offset()));
  }
  // One index entry per restart key: the prefix index's positions are
  // entries.
  if (!it->status().ok() || starts.size() != prefixes->size()) return;
  starts.push_back(static_cast<uint32_t>(end));
  block_starts_ = std::move(starts);
}

bool Table::BlockFor(const Slice& key, BlockHandle* handle) const {
  if (block_starts_.empty()) return false;
  uint32_t lo, hi;
  index_block_->PrefixIndexFor(options_.comparator)->Narrow(key, &lo, &hi);
  // Index keys before lo are < key and from hi on > key: with none to
  // compare, entry lo (the first >= key) names the block.
  if (lo != hi || lo + 1 >= block_starts_.size()) return false;
  handle->set_offset(block_starts_[lo]);
  handle->set_size(block_starts_[lo + 1] - block_starts_[lo] - kBlockTrailerSize);
  return true;
}

bool Table::HashMayMatch(uint64_t stripped_key_hash) const {
  return filter_ == nullptr || filter_->HashMayMatch(stripped_key_hash);
}

bool Table::KeyMayMatch(const Slice& key) const {
  return filter_ == nullptr || filter_->KeyMayMatch(key);
}

Status Table::InternalGet(const Slice& key, void* arg,
                          void (*handle_result)(void*, const Slice&,
                                                const Slice&),
                          const uint64_t* filter_hash) const {
  if (!(filter_hash != nullptr ? HashMayMatch(*filter_hash) : KeyMayMatch(key))) {
    return Status::OK();
  }
  BlockHandle handle;
  bool answered = false;
  if (BlockFor(key, &handle)) {
    Status s = GetInBlock(handle, key, /*seek=*/true, arg, handle_result, &answered);
    if (!s.ok() || answered) return s;
    // Past the block's last key: the index walk below decides.
  }
  // Built in place: no heap allocation for it per lookup.
  Block::IterStorage index_storage;
  Block::InPlaceIterator index_iter = index_block_->NewIterator(options_.comparator, &index_storage);
  index_iter->Seek(key);
  // Normally one iteration: the first index entry >= key names the block
  // holding the answer. Only if key falls between that block's last key and
  // its (shortened) separator does the answer start the next block.
  bool first = true;
  for (; index_iter->Valid(); index_iter->Next()) {
    Status s = DecodeIndexValue(index_iter->value(), &handle);
    if (s.ok()) s = GetInBlock(handle, key, first, arg, handle_result, &answered);
    if (!s.ok() || answered) return s;
    first = false;
  }
  if (!index_iter->status().ok()) {
    return BlockError(index_iter->status(), "index", 0);
  }
  return Status::OK();
}

uint64_t Table::ApproximateOffsetOf(const Slice& key) const {
  std::unique_ptr<Iterator> index_iter(index_block_->NewIterator(options_.comparator));
  index_iter->Seek(key);
  if (index_iter->Valid()) {
    BlockHandle handle;
    Slice v = index_iter->value();
    if (handle.DecodeFrom(&v).ok()) return handle.offset();
  }
  return DataEndOffset();  // past the last key
}

uint64_t Table::DataEndOffset() const {
  std::unique_ptr<Iterator> index_iter(index_block_->NewIterator(options_.comparator));
  index_iter->SeekToLast();
  if (index_iter->Valid()) {
    BlockHandle handle;
    Slice v = index_iter->value();
    if (handle.DecodeFrom(&v).ok()) return handle.offset() + handle.size() + kBlockTrailerSize;
  }
  return 0;
}

// Walks the index block and, inside it, one data block at a time. The first
// error (a data block that fails its checksum or does not parse, a damaged
// index) stops the iterator and is sticky: skipping a damaged block would
// silently hide keys (R5).
class Table::TwoLevelIterator final : public Iterator {
 public:
  TwoLevelIterator(const Table* table, bool release_behind)
      : table_(table),
        index_iter_(table->index_block_->NewIterator(table->options_.comparator)),
        release_behind_(release_behind) {}

  bool Valid() const override {
    return status_.ok() && data_iter_ != nullptr && data_iter_->Valid();
  }
  Slice key() const override {
    assert(Valid());
    return data_iter_->key();
  }
  Slice value() const override {
    assert(Valid());
    return data_iter_->value();
  }
  bool StoredValue(Slice* stored) const override { return data_iter_->StoredValue(stored); }
  Status status() const override { return status_; }

  void Seek(const Slice& target) override {
    if (!status_.ok()) return;
    index_iter_->Seek(target);
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->Seek(target);
    SkipEmptyDataBlocksForward();
  }
  void SeekToFirst() override {
    if (!status_.ok()) return;
    index_iter_->SeekToFirst();
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    SkipEmptyDataBlocksForward();
  }
  void SeekToLast() override {
    if (!status_.ok()) return;
    index_iter_->SeekToLast();
    InitDataBlock();
    if (data_iter_ != nullptr) data_iter_->SeekToLast();
    SkipEmptyDataBlocksBackward();
  }
  void Next() override {
    assert(Valid());
    data_iter_->Next();
    SkipEmptyDataBlocksForward();
  }
  void Prev() override {
    assert(Valid());
    data_iter_->Prev();
    SkipEmptyDataBlocksBackward();
  }

 private:
  // False (and the iterator stopped) if the index or data iterator failed.
  bool CheckErrors() {
    if (status_.ok() && !index_iter_->status().ok()) {
      status_ = table_->BlockError(index_iter_->status(), "index", 0);
    }
    if (status_.ok() && data_iter_ != nullptr && !data_iter_->status().ok()) {
      status_ = table_->BlockError(data_iter_->status(), "data",
                                   data_handle_.offset());
    }
    if (status_.ok()) return true;
    ClearData();
    return false;
  }

  void SkipEmptyDataBlocksForward() {
    while (data_iter_ == nullptr || !data_iter_->Valid()) {
      if (!CheckErrors() || !index_iter_->Valid()) {
        ClearData();
        return;
      }
      index_iter_->Next();
      InitDataBlock();
      if (data_iter_ != nullptr) data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyDataBlocksBackward() {
    while (data_iter_ == nullptr || !data_iter_->Valid()) {
      if (!CheckErrors() || !index_iter_->Valid()) {
        ClearData();
        return;
      }
      index_iter_->Prev();
      InitDataBlock();
      if (data_iter_ != nullptr) data_iter_->SeekToLast();
    }
  }

  // Points data_iter_ at the block the index iterator names (re-using the
  // open block when it is the same one), or clears it.
  void InitDataBlock() {
    if (!index_iter_->Valid()) {
      ClearData();
      return;
    }
    const Slice handle_value = index_iter_->value();
    if (data_iter_ != nullptr && handle_value == Slice(data_handle_value_)) {
      return;
    }
    ClearData();
    BlockContents contents;
    Status s = table_->ReadDataBlock(handle_value, &contents, &data_handle_);
    if (!s.ok()) {
      status_ = s;  // already names the file and offset
      return;
    }
    data_block_ = std::make_unique<Block>(std::move(contents));
    data_handle_value_.assign(handle_value.data(), handle_value.size());
    data_iter_.reset(data_block_->NewIterator(table_->options_.comparator));
    if (release_behind_) ReleaseBefore(data_handle_.offset());
  }

  // Releases the file's pages before `offset` in steps of kReleaseStep
  // (one madvise per many blocks), never the step `offset` lies in.
  void ReleaseBefore(uint64_t offset) {
    constexpr uint64_t kReleaseStep = 256u << 10;
    const uint64_t to = offset / kReleaseStep * kReleaseStep;
    if (to <= released_to_) return;
    table_->file_->ReleasePages(released_to_, to - released_to_);
    released_to_ = to;
  }

  void ClearData() {
    data_iter_.reset();  // before the block it reads
    data_block_.reset();
    data_handle_value_.clear();
  }

  const Table* const table_;
  const std::unique_ptr<Iterator> index_iter_;
  std::unique_ptr<Block> data_block_;
  std::unique_ptr<Iterator> data_iter_;  // over data_block_, or null
  BlockHandle data_handle_;
  std::string data_handle_value_;  // index value that named data_block_
  Status status_;
  const bool release_behind_;
  uint64_t released_to_ = 0;  // file pages before this were released
};

Iterator* Table::NewIterator(bool release_behind) const {
  return new TwoLevelIterator(this, release_behind);
}

}  // namespace lsm
