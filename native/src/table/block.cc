// Block reader: restart-array validation and the block iterator. Every byte
// read is bounds-checked against the entry area, because a block can reach
// here damaged in ways its checksum did not catch (and the index block is
// parsed with the same code).
#include "table/block.h"

#include <cassert>
#include <new>
#include <string>
#include <vector>

#include "util/coding.h"
#include "util/inline_buffer.h"
#include "util/lz.h"

namespace lsm {

namespace {

// Parses an entry header in [p, limit). Returns a pointer to the key delta,
// or nullptr if the header is truncated or the key delta and value do not fit
// before `limit`.
const char* DecodeEntry(const char* p, const char* limit, uint32_t* shared,
                        uint32_t* non_shared, uint32_t* value_len) {
  if (limit - p < 3) return nullptr;
  *shared = static_cast<uint8_t>(p[0]);
  *non_shared = static_cast<uint8_t>(p[1]);
  *value_len = static_cast<uint8_t>(p[2]);
  if ((*shared | *non_shared | *value_len) < 128) {
    p += 3;  // common case: all three fit in one byte each
  } else {
    if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, value_len)) == nullptr) return nullptr;
  }
  const uint64_t need = static_cast<uint64_t>(*non_shared) + *value_len;
  if (need > static_cast<uint64_t>(limit - p)) return nullptr;
  return p;
}

}  // namespace

Block::Block(BlockContents&& contents) : contents_(std::move(contents)) {
  data_ = contents_.data.data();
  size_ = contents_.data.size();
  // Restart offsets are fixed32, so no valid block reaches 4 GiB.
  if (size_ < sizeof(uint32_t) || size_ > UINT32_MAX) {
    malformed_ = true;
    return;
  }
  num_restarts_ = DecodeFixed32(data_ + size_ - sizeof(uint32_t));
  const size_t max_restarts = (size_ - sizeof(uint32_t)) / sizeof(uint32_t);
  if (num_restarts_ == 0 || num_restarts_ > max_restarts) {
    malformed_ = true;
    return;
  }
  restart_offset_ = static_cast<uint32_t>(
      size_ - (1 + static_cast<size_t>(num_restarts_)) * sizeof(uint32_t));
  // Validating the whole array once lets the iterator trust every restart
  // point: each lies inside the entry area, in increasing order.
  uint32_t prev = 0;
  for (uint32_t i = 0; i < num_restarts_; i++) {
    const uint32_t r = DecodeFixed32(data_ + restart_offset_ + 4 * i);
    const bool ok = (i == 0) ? r == 0 : (r > prev && r < restart_offset_);
    if (!ok) {
      malformed_ = true;
      return;
    }
    prev = r;
  }
}

class Block::Iter final : public Iterator {
 public:
  // A malformed block gives an iterator that is never Valid(), with a
  // Corruption status.
  Iter(const Comparator* comparator, const char* data, uint32_t restarts,
       uint32_t num_restarts, bool lz_values, bool malformed,
       const PrefixIndex* prefix_index)
      : comparator_(comparator),
        prefix_index_(prefix_index),
        data_(data),
        restarts_(restarts),
        num_restarts_(num_restarts),
        lz_values_(lz_values),
        current_(restarts),
        restart_index_(num_restarts),
        status_(malformed ? Status::Corruption("malformed block") : Status::OK()) {}

  bool Valid() const override { return current_ < restarts_ && status_.ok(); }
  Status status() const override {
    return value_damaged_ ? Status::Corruption(kValueDamaged) : status_;
  }
  Slice key() const override {
    assert(Valid());
    return key_.slice();
  }
  // In a kLzValuesBlock the stored value is decoded here, on demand (a seek
  // or a keys-only scan never pays for it), into a buffer valid until the
  // iterator moves. A value that does not decode reads as empty and makes
  // status() Corruption at once; the iterator stays Valid() until it is
  // moved (callers step after reading), then stops.
  Slice value() const override {
    assert(Valid());
    if (!lz_values_) return value_;
    if (!value_decoded_) DecodeValue();
    return decoded_;
  }

  bool StoredValue(Slice* stored) const override {
    if (!lz_values_) return false;
    value();  // decoded once: only a clean value is passed on as stored
    if (value_damaged_) return false;
    *stored = value_;
    return true;
  }

  void Next() override {
    assert(Valid());
    if (StopIfValueDamaged()) return;
    ParseNextKey();
  }

  void Prev() override {
    assert(Valid());
    if (StopIfValueDamaged()) return;
    // Within a restart interval already decoded by an earlier Prev(), step
    // back through the entries it remembered.
    if (prev_index_ > 0 && prev_index_ < prev_entries_.size() &&
        prev_entries_[prev_index_].offset == current_) {
      LoadPrevEntry(--prev_index_);
      return;
    }
    // Back up to the last restart point strictly before the current entry,
    // then decode forward to the entry just before it, remembering each
    // entry so the next Prev() calls in this interval need no decoding.
    const uint32_t original = current_;
    while (RestartPoint(restart_index_) >= original) {
      if (restart_index_ == 0) {
        MarkInvalid();  // no entry before the first one
        return;
      }
      restart_index_--;
    }
    const uint32_t interval = restart_index_;
    SeekToRestartPoint(interval);
    prev_entries_.clear();
    prev_keys_.clear();
    do {
      if (!ParseNextKey()) return;
      prev_entries_.push_back(PrevEntry{current_, static_cast<uint32_t>(prev_keys_.size()),
                                        static_cast<uint32_t>(key_.size()), value_});
      prev_keys_.append(key_.data(), key_.size());
    } while (NextEntryOffset() < original);
    prev_index_ = prev_entries_.size() - 1;
    restart_index_ = interval;
  }

  void Seek(const Slice& target) override {
    if (StopIfValueDamaged() || !status_.ok()) return;
    // Binary search for the last restart point whose key is < target; the
    // answer is then in that restart interval or the first key of the next.
    uint32_t left = 0;
    uint32_t right = num_restarts_ - 1;
    if (prefix_index_ != nullptr) {
      // Restart keys before lo are < target, from hi on > target: the last
      // one < target is in [lo - 1, hi - 1] (or is restart 0).
      uint32_t lo, hi;
      prefix_index_->Narrow(target, &lo, &hi);
      left = lo > 0 ? lo - 1 : 0;
      right = hi > 0 ? hi - 1 : 0;
    }
    while (left < right) {
      const uint32_t mid = left + (right - left + 1) / 2;
      const uint32_t offset = RestartPoint(mid);
      uint32_t shared, non_shared, value_len;
      const char* key_ptr = DecodeEntry(data_ + offset, data_ + restarts_,
                                        &shared, &non_shared, &value_len);
      if (key_ptr == nullptr || shared != 0) {
        CorruptionError();
        return;
      }
      if (comparator_->Compare(Slice(key_ptr, non_shared), target) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    SeekToRestartPoint(left);
    while (ParseNextKey()) {
      if (comparator_->Compare(key_.slice(), target) >= 0) return;
    }
  }

  void SeekToFirst() override {
    if (StopIfValueDamaged() || !status_.ok()) return;
    SeekToRestartPoint(0);
    ParseNextKey();
  }

  void SeekToLast() override {
    if (StopIfValueDamaged() || !status_.ok()) return;
    SeekToRestartPoint(num_restarts_ - 1);
    while (ParseNextKey() && NextEntryOffset() < restarts_) {
    }
  }

 private:
  static constexpr const char* kValueDamaged = "compressed value does not decode";

  // value_ is codec:uint8 + bytes (format.h kLzValuesBlock).
  void DecodeValue() const {
    value_decoded_ = true;
    const char codec = value_.empty() ? '\xff' : value_[0];
    const Slice stored = value_.empty() ? Slice() : Slice(value_.data() + 1, value_.size() - 1);
    size_t length;
    if (codec == 0) {
      decoded_ = stored;
      return;
    }
    if (codec == 1 && lz::UncompressedLength(stored, &length)) {
      scratch_.resize(length);
      if (lz::Uncompress(stored, scratch_.data(), length)) {
        decoded_ = scratch_.slice();
        return;
      }
    }
    decoded_ = Slice();
    value_damaged_ = true;
  }

  // Makes the entry remembered at prev_entries_[i] current (same restart
  // interval, so restart_index_ stays).
  void LoadPrevEntry(size_t i) {
    const PrevEntry& e = prev_entries_[i];
    current_ = e.offset;
    key_.clear();
    key_.append(prev_keys_.data() + e.key_offset, e.key_size);
    value_ = e.value;
    value_decoded_ = false;
  }

  // A damaged value stops the iterator (sticky Corruption) at its next move.
  bool StopIfValueDamaged() {
    if (!value_damaged_) return false;
    value_damaged_ = false;
    MarkInvalid();
    status_ = Status::Corruption(kValueDamaged);
    return true;
  }

  uint32_t RestartPoint(uint32_t index) const {
    assert(index < num_restarts_);
    return DecodeFixed32(data_ + restarts_ + index * sizeof(uint32_t));
  }

  // Offset just past the current entry (or the restart point we are about to
  // decode from, see SeekToRestartPoint).
  uint32_t NextEntryOffset() const {
    return static_cast<uint32_t>((value_.data() + value_.size()) - data_);
  }

  void SeekToRestartPoint(uint32_t index) {
    key_.clear();
    restart_index_ = index;
    // An empty value_ at the restart offset makes ParseNextKey start there.
    value_ = Slice(data_ + RestartPoint(index), 0);
  }

  void MarkInvalid() {
    current_ = restarts_;
    restart_index_ = num_restarts_;
    key_.clear();
    value_ = Slice();
  }

  void CorruptionError() {
    MarkInvalid();
    status_ = Status::Corruption("bad entry in block");
  }

  // Decodes the entry at NextEntryOffset(). False at the end of the block
  // (iterator invalid, status OK) or on a malformed entry (status
  // Corruption).
  bool ParseNextKey() {
    current_ = NextEntryOffset();
    const char* p = data_ + current_;
    const char* limit = data_ + restarts_;
    if (p >= limit) {
      MarkInvalid();
      return false;
    }
    uint32_t shared, non_shared, value_len;
    p = DecodeEntry(p, limit, &shared, &non_shared, &value_len);
    if (p == nullptr || key_.size() < shared) {
      CorruptionError();
      return false;
    }
    key_.resize(shared);
    key_.append(p, non_shared);
    value_ = Slice(p + non_shared, value_len);
    value_decoded_ = false;
    while (restart_index_ + 1 < num_restarts_ &&
           RestartPoint(restart_index_ + 1) < current_) {
      restart_index_++;
    }
    return true;
  }

  const Comparator* const comparator_;
  const PrefixIndex* const prefix_index_;  // null: plain binary search
  const char* const data_;       // the block's bytes
  const uint32_t restarts_;      // offset of the restart array
  const uint32_t num_restarts_;  // >= 1
  const bool lz_values_;         // values are codec:uint8 + bytes

  uint32_t current_;        // current entry's offset; >= restarts_ if !Valid
  uint32_t restart_index_;  // restart interval holding current_
  InlineBuffer<64> key_;    // keys are prefix-compressed, so rebuilt here
  Slice value_;  // as stored (with the codec byte in a kLzValuesBlock)
  Status status_;
  // value() of a kLzValuesBlock: decoded once per entry.
  mutable bool value_decoded_ = false;
  mutable bool value_damaged_ = false;
  mutable Slice decoded_;       // into value_ (codec 0) or scratch_ (codec 1)
  mutable InlineBuffer<256> scratch_;
  // The restart interval the last decoding Prev() walked: each entry's
  // offset, key (in prev_keys_) and stored value, in block order; the
  // current entry is prev_entries_[prev_index_] while stepping back.
  struct PrevEntry {
    uint32_t offset;
    uint32_t key_offset;
    uint32_t key_size;
    Slice value;
  };
  std::vector<PrevEntry> prev_entries_;
  std::string prev_keys_;
  size_t prev_index_ = 0;
};

void Block::BuildPrefixIndex(const Comparator* comparator) {
  if (malformed_) return;
  std::vector<Slice> keys;
  keys.reserve(num_restarts_);
  for (uint32_t i = 0; i < num_restarts_; i++) {
    const uint32_t offset = DecodeFixed32(data_ + restart_offset_ + 4 * i);
    uint32_t shared, non_shared, value_len;
    const char* key = DecodeEntry(data_ + offset, data_ + restart_offset_, &shared,
                                  &non_shared, &value_len);
    if (key == nullptr || shared != 0) return;  // the iterator reports it
    keys.emplace_back(key, non_shared);
  }
  prefix_index_ = PrefixIndex::Build(comparator, keys);
}

const PrefixIndex* Block::PrefixIndexFor(const Comparator* comparator) const {
  return prefix_index_ != nullptr && prefix_index_->comparator() == comparator
             ? prefix_index_.get()
             : nullptr;
}

Iterator* Block::NewIterator(const Comparator* comparator) const {
  return new Iter(comparator, data_, restart_offset_, num_restarts_, contents_.lz_values,
                  malformed_, PrefixIndexFor(comparator));
}

Block::InPlaceIterator Block::NewIterator(const Comparator* comparator,
                                          IterStorage* storage) const {
  static_assert(sizeof(Iter) <= sizeof(IterStorage::bytes), "IterStorage too small");
  static_assert(alignof(Iter) <= alignof(IterStorage), "IterStorage under-aligned");
  return InPlaceIterator(new (storage->bytes) Iter(comparator, data_, restart_offset_,
                                                   num_restarts_, contents_.lz_values,
                                                   malformed_, PrefixIndexFor(comparator)));
}

}  // namespace lsm
