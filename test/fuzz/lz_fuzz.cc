// Fuzz target: the LZ block codec (native/src/util/lz.*). The input is used
// twice: as a compressed stream (what a kLzBlock holds once its checksum is
// verified), which must decode or be refused without touching memory outside
// the exact-size output buffer; and as raw bytes, whose compressed form, when
// Compress accepts it, must be smaller by 1/8 and decode back to them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "util/lz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lsm::Slice input(reinterpret_cast<const char*>(data), size);

  size_t length;
  if (lsm::lz::UncompressedLength(input, &length) && length <= (1u << 20)) {
    std::unique_ptr<char[]> out(new char[length]);
    (void)lsm::lz::Uncompress(input, out.get(), length);
  }

  std::string compressed;
  if (lsm::lz::Compress(input, &compressed)) {
    FUZZ_CHECK(compressed.size() < size - size / 8);
    std::string back(size, '\0');
    FUZZ_CHECK(lsm::lz::Uncompress(compressed, &back[0], size));
    FUZZ_CHECK(back == input.ToString());
  }
  return 0;
}
