// InlineBuffer<N>: a growable byte string that keeps up to N bytes inside
// the object and moves to the heap only beyond that. Block iterators rebuild
// the current key per entry and decode a value per read; with std::string
// (15 bytes inline) every internal key (user key + 8-byte trailer) and every
// decoded value cost a malloc/free per iterator, and a point read opens
// two block iterators per table it probes.
//
// Thread-safety: none (owned by one iterator).
#ifndef LSMKV_NATIVE_SRC_UTIL_INLINE_BUFFER_H_
#define LSMKV_NATIVE_SRC_UTIL_INLINE_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <memory>

#include "lsm/slice.h"

namespace lsm {

template <size_t N>
class InlineBuffer {
 public:
  InlineBuffer() = default;
  InlineBuffer(const InlineBuffer&) = delete;
  InlineBuffer& operator=(const InlineBuffer&) = delete;

  const char* data() const { return data_; }
  char* data() { return data_; }
  size_t size() const { return size_; }
  Slice slice() const { return Slice(data_, size_); }

  void clear() { size_ = 0; }
  // Keeps the first min(n, size()) bytes; bytes past them are unspecified.
  void resize(size_t n) {
    Reserve(n);
    size_ = n;
  }
  void append(const char* p, size_t n) {
    Reserve(size_ + n);
    memcpy(data_ + size_, p, n);
    size_ += n;
  }

 private:
  void Reserve(size_t n) {
    if (n <= capacity_) return;
    const size_t capacity = n > 2 * capacity_ ? n : 2 * capacity_;
    std::unique_ptr<char[]> heap(new char[capacity]);
    memcpy(heap.get(), data_, size_);
    heap_ = std::move(heap);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  char inline_[N];
  std::unique_ptr<char[]> heap_;
  char* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = N;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_INLINE_BUFFER_H_
