// ConcurrentBloom: a fixed-size, in-memory, cache-blocked bloom filter that
// one thread adds to while any number of threads probe it without locks. The
// memtable keeps one over its user keys so a point get skips the skiplist
// walk (about twenty dependent cache misses in a full 16 MiB memtable) for
// the keys the memtable cannot hold. Never persisted: its layout may change.
//
// Layout: `lines` 64-byte lines of eight 64-bit words. A key's 64-bit hash
// picks one line (multiply-shift on the hash) and kProbes bits in it (9-bit
// fields of a remix of the hash), so a probe costs one cache miss.
//
// Thread-safety: Add() needs external synchronization between writers (the
// memtable has one writer at a time). MayContain() may run concurrently with
// Add(); it never misses a key whose Add() happened-before it (the memtable
// insert is published to readers through the sequence number's release).
#ifndef LSMKV_NATIVE_SRC_UTIL_CONCURRENT_BLOOM_H_
#define LSMKV_NATIVE_SRC_UTIL_CONCURRENT_BLOOM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace lsm {

class ConcurrentBloom {
 public:
  // `bytes` is rounded up to whole lines, at least one.
  explicit ConcurrentBloom(size_t bytes)
      : lines_(bytes < kLineBytes ? 1 : (bytes + kLineBytes - 1) / kLineBytes),
        words_(new std::atomic<uint64_t>[lines_ * kWordsPerLine]{}) {}
  ConcurrentBloom(const ConcurrentBloom&) = delete;
  ConcurrentBloom& operator=(const ConcurrentBloom&) = delete;

  size_t bytes() const { return lines_ * kLineBytes; }

  void Add(uint64_t hash) {
    std::atomic<uint64_t>* line = Line(hash);
    uint64_t masks[kWordsPerLine];
    Masks(hash, masks);
    for (size_t w = 0; w < kWordsPerLine; w++) {
      // One writer: a relaxed load + store is enough (no read-modify-write).
      if (masks[w] != 0) line[w].store(line[w].load(std::memory_order_relaxed) | masks[w],
                                       std::memory_order_relaxed);
    }
  }

  // Starts loading the cache line Add(hash) will write, so a writer can do
  // other work while the (usually missing) line arrives.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(Line(hash), 1); }

  // False: `hash` was certainly never added. True: it may have been.
  bool MayContain(uint64_t hash) const {
    const std::atomic<uint64_t>* line = Line(hash);
    uint64_t masks[kWordsPerLine];
    Masks(hash, masks);
    for (size_t w = 0; w < kWordsPerLine; w++) {
      if ((line[w].load(std::memory_order_relaxed) & masks[w]) != masks[w]) return false;
    }
    return true;
  }

 private:
  static constexpr size_t kLineBytes = 64;
  static constexpr size_t kWordsPerLine = kLineBytes / 8;
  static constexpr int kProbes = 6;  // ~1% false positives at 10 bits per key

  std::atomic<uint64_t>* Line(uint64_t hash) const {
    // Multiply-shift on the high 32 bits (lines_ < 2^32: a 64 GiB filter).
    const uint64_t line = ((hash >> 32) * lines_) >> 32;
    return &words_[line * kWordsPerLine];
  }

  static void Masks(uint64_t hash, uint64_t* masks) {
    for (size_t w = 0; w < kWordsPerLine; w++) masks[w] = 0;
    // The line came from the hash's high bits; the probes use a remix of all
    // of them so the two are independent.
    uint64_t g = (hash ^ (hash >> 29)) * 0xbf58476d1ce4e5b9ull;
    g ^= g >> 32;
    for (int i = 0; i < kProbes; i++) {
      const unsigned bit = static_cast<unsigned>(g >> 55);  // 0..511
      masks[bit / 64] |= uint64_t{1} << (bit % 64);
      g <<= 9;
    }
  }

  const size_t lines_;
  const std::unique_ptr<std::atomic<uint64_t>[]> words_;
};

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_UTIL_CONCURRENT_BLOOM_H_
