// Tests for util/crc32c: standard CRC32C vectors, composition, masking, and
// agreement between the hardware and table-driven implementations.
#include "util/crc32c.h"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "util/random.h"

namespace lsm {
namespace crc32c {
namespace {

TEST(Crc32cTest, MatchesStandardVectors) {
  EXPECT_EQ(0xe3069283u, Value("123456789", 9));
  EXPECT_EQ(0u, Value("", 0));

  // From RFC 3720 section B.4.
  char buf[32];
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(0x8a9136aau, Value(buf, sizeof(buf)));
  memset(buf, 0xff, sizeof(buf));
  EXPECT_EQ(0x62a8ab43u, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(i);
  EXPECT_EQ(0x46dd794eu, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(0x113fdb5cu, Value(buf, sizeof(buf)));
}

TEST(Crc32cTest, DifferentInputsGiveDifferentValues) {
  EXPECT_NE(Value("a", 1), Value("foo", 3));
}

TEST(Crc32cTest, ExtendComposesAtEverySplitPoint) {
  const std::string data = "hello world, this is a CRC32C composition check!";
  const uint32_t whole = Value(data.data(), data.size());
  for (size_t split = 0; split <= data.size(); split++) {
    const uint32_t head = Value(data.data(), split);
    EXPECT_EQ(whole, Extend(head, data.data() + split, data.size() - split)) << split;
  }
}

TEST(Crc32cTest, MaskChangesValueAndUnmaskRestoresIt) {
  const uint32_t crc = Value("foo", 3);
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
  Random rnd(301);
  for (int i = 0; i < 10000; i++) {
    const uint32_t v = rnd.Next();
    ASSERT_EQ(v, Unmask(Mask(v)));
  }
}

TEST(Crc32cTest, HardwareAndPortableAgree) {
  Random rnd(42);
  std::string data(4096 + 64, '\0');
  for (char& c : data) c = static_cast<char>(rnd.Next());
  // Cover every length up to a few words and every start alignment, then
  // long runs, with a nonzero starting CRC as Extend() gets it in practice.
  for (size_t offset = 0; offset < 8; offset++) {
    for (size_t n = 0; n <= 64; n++) {
      ASSERT_EQ(ExtendPortableForTest(0, data.data() + offset, n),
                Extend(0, data.data() + offset, n))
          << offset << " " << n;
      ASSERT_EQ(ExtendPortableForTest(0x12345678u, data.data() + offset, n),
                Extend(0x12345678u, data.data() + offset, n));
    }
  }
  EXPECT_EQ(ExtendPortableForTest(0, data.data(), data.size()),
            Extend(0, data.data(), data.size()));
  // Around the three-lane stripe sizes (768 bytes and its multiples), where
  // the interleaved path joins its lanes.
  for (size_t n : {767u, 768u, 769u, 775u, 776u, 1535u, 1536u, 1537u, 2311u, 4096u, 4113u}) {
    for (size_t offset = 0; offset < 4; offset++) {
      ASSERT_EQ(ExtendPortableForTest(0x9e3779b9u, data.data() + offset, n),
                Extend(0x9e3779b9u, data.data() + offset, n))
          << offset << " " << n;
    }
  }
  EXPECT_EQ(0xe3069283u, ExtendPortableForTest(0, "123456789", 9));
}

}  // namespace
}  // namespace crc32c
}  // namespace lsm
