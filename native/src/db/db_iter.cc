// DBIter: internal-key merge -> user-visible entries at a sequence number.
//
// Direction invariants:
//   kForward: iter_ is at the entry that yields key()/value().
//   kReverse: iter_ is before every entry of key() (at an older user key or
//             invalid); key()/value() are copies in saved_key_/saved_value_.
#include "db/db_iter.h"

namespace lsm {

namespace {

class DBIter final : public Iterator {
 public:
  DBIter(Iterator* iter, SequenceNumber s, KeyRange bounds, std::shared_ptr<const void> pin,
         SeekHook on_seek)
      : pin_(std::move(pin)), iter_(iter), sequence_(s), bounds_(std::move(bounds)),
        on_seek_(std::move(on_seek)) {}

  bool Valid() const override { return valid_; }
  Slice key() const override {
    return direction_ == kForward ? ExtractUserKey(iter_->key()) : Slice(saved_key_);
  }
  Slice value() const override {
    return direction_ == kForward ? iter_->value() : Slice(saved_value_);
  }
  Status status() const override { return status_.ok() ? iter_->status() : status_; }

  void Next() override {
    if (direction_ == kReverse) {
      direction_ = kForward;
      // iter_ is before the entries of key(): step into them; saved_key_
      // already names the key to skip past.
      if (!iter_->Valid()) iter_->SeekToFirst();
      else iter_->Next();
      if (!iter_->Valid()) return Invalidate();
    } else {
      saved_key_.assign(ExtractUserKey(iter_->key()).data(), ExtractUserKey(iter_->key()).size());
      iter_->Next();
      if (!iter_->Valid()) return Invalidate();
    }
    FindNextUserEntry(true);
    CheckUpper();
  }

  void Prev() override {
    if (direction_ == kForward) {
      // Walk back past every entry of the current key.
      saved_key_.assign(ExtractUserKey(iter_->key()).data(), ExtractUserKey(iter_->key()).size());
      for (;;) {
        iter_->Prev();
        if (!iter_->Valid()) return Invalidate();
        if (ExtractUserKey(iter_->key()).compare(saved_key_) < 0) break;
      }
      direction_ = kReverse;
    }
    FindPrevUserEntry();
    CheckLower();
  }

  void Seek(const Slice& target) override {
    if (on_seek_) on_seek_(target);
    Slice t = target;
    bool skip_equal = false;
    if (bounds_.has_lower && t.compare(bounds_.lower) <= 0) {
      t = bounds_.lower;
      skip_equal = !bounds_.lower_inclusive;
    }
    SeekForward(t);
    if (skip_equal && valid_ && key() == Slice(bounds_.lower)) Next();
  }

  void SeekToFirst() override {
    if (bounds_.has_lower) return Seek(bounds_.lower);
    direction_ = kForward;
    saved_value_.clear();
    iter_->SeekToFirst();
    if (iter_->Valid()) FindNextUserEntry(false);
    else valid_ = false;
    CheckUpper();
  }

  void SeekToLast() override {
    if (bounds_.has_upper) {
      SeekBackwardFrom(bounds_.upper, bounds_.upper_inclusive);
      return;
    }
    direction_ = kReverse;
    saved_value_.clear();
    iter_->SeekToLast();
    FindPrevUserEntry();
    CheckLower();
  }

  void SeekForPrev(const Slice& target) override {
    if (on_seek_) on_seek_(target);
    if (bounds_.has_upper && target.compare(bounds_.upper) >= 0) return SeekToLast();
    SeekBackwardFrom(target, true);
  }

 private:
  enum Direction { kForward, kReverse };

  void Invalidate() {
    valid_ = false;
    saved_key_.clear();
    saved_value_.clear();
  }

  bool ParseKey(ParsedInternalKey* ikey) {
    if (!ParseInternalKey(iter_->key(), ikey)) {
      status_ = Status::Corruption("iterator", "malformed internal key");
      return false;
    }
    return true;
  }

  void SeekForward(const Slice& target) {
    direction_ = kForward;
    saved_value_.clear();
    saved_key_.clear();
    AppendInternalKey(&saved_key_, target, sequence_, kValueTypeForSeek);
    iter_->Seek(saved_key_);
    if (iter_->Valid()) FindNextUserEntry(false);
    else valid_ = false;
    CheckUpper();
  }

  // Positions at the last visible key <= target (or < target).
  void SeekBackwardFrom(const Slice& target, bool inclusive) {
    direction_ = kReverse;
    saved_value_.clear();
    std::string boundary;
    // (target, 0) sorts after every entry of target; (target, max) before.
    AppendInternalKey(&boundary, target, inclusive ? 0 : kMaxSequenceNumber,
                      inclusive ? kTypeDeletion : kValueTypeForSeek);
    iter_->Seek(boundary);
    if (iter_->Valid()) iter_->Prev();
    else iter_->SeekToLast();
    FindPrevUserEntry();
    CheckLower();
  }

  void FindNextUserEntry(bool skipping) {
    // saved_key_ holds the user key to skip past when `skipping`.
    do {
      ParsedInternalKey ikey;
      if (!ParseKey(&ikey)) break;
      if (ikey.sequence <= sequence_) {
        if (ikey.type == kTypeDeletion) {
          saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
          skipping = true;
        } else if (!skipping || ikey.user_key.compare(saved_key_) > 0) {
          valid_ = true;
          saved_key_.clear();
          return;
        }
      }
      iter_->Next();
    } while (iter_->Valid());
    Invalidate();
  }

  void FindPrevUserEntry() {
    ValueType value_type = kTypeDeletion;
    if (iter_->Valid()) {
      do {
        ParsedInternalKey ikey;
        if (!ParseKey(&ikey)) {
          value_type = kTypeDeletion;
          break;
        }
        if (ikey.sequence <= sequence_) {
          if (value_type != kTypeDeletion && ikey.user_key.compare(saved_key_) < 0) {
            break;  // reached the previous key with a live value saved
          }
          value_type = ikey.type;
          if (value_type == kTypeDeletion) {
            saved_key_.clear();
            saved_value_.clear();
          } else {
            saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
            const Slice v = iter_->value();
            saved_value_.assign(v.data(), v.size());
          }
        }
        iter_->Prev();
      } while (iter_->Valid());
    }
    if (value_type == kTypeDeletion) {
      Invalidate();
      direction_ = kForward;
    } else {
      valid_ = true;
    }
  }

  void CheckUpper() {
    if (!valid_ || !bounds_.has_upper) return;
    const int r = key().compare(bounds_.upper);
    if (r > 0 || (r == 0 && !bounds_.upper_inclusive)) Invalidate();
  }

  void CheckLower() {
    if (!valid_ || !bounds_.has_lower) return;
    const int r = key().compare(bounds_.lower);
    if (r < 0 || (r == 0 && !bounds_.lower_inclusive)) Invalidate();
  }

  // Declared first so it is destroyed last: iter_ reads the pinned tables.
  const std::shared_ptr<const void> pin_;
  std::unique_ptr<Iterator> iter_;
  const SequenceNumber sequence_;
  const KeyRange bounds_;
  const SeekHook on_seek_;
  Status status_;
  std::string saved_key_;
  std::string saved_value_;
  Direction direction_ = kForward;
  bool valid_ = false;
};

}  // namespace

Iterator* NewDBIterator(Iterator* internal, SequenceNumber sequence, KeyRange bounds,
                        std::shared_ptr<const void> pin, SeekHook on_seek) {
  return new DBIter(internal, sequence, std::move(bounds), std::move(pin), std::move(on_seek));
}

}  // namespace lsm
