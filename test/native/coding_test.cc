// Tests for util/coding.h: the fixed-width and varint encodings every
// on-disk format is built from.
#include "util/coding.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace lsm {
namespace {

TEST(CodingTest, Fixed32RoundTripsAndIsLittleEndian) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v++) PutFixed32(&s, v);
  const char* p = s.data();
  for (uint32_t v = 0; v < 100000; v++, p += 4) ASSERT_EQ(v, DecodeFixed32(p));

  std::string one;
  PutFixed32(&one, 0x04030201u);
  EXPECT_EQ(std::string("\x01\x02\x03\x04", 4), one);
}

TEST(CodingTest, Fixed64RoundTripsAtEveryPowerOfTwo) {
  std::string s;
  std::vector<uint64_t> values;
  for (int power = 0; power <= 63; power++) {
    const uint64_t v = uint64_t{1} << power;
    values.insert(values.end(), {v - 1, v, v + 1});
  }
  values.push_back(std::numeric_limits<uint64_t>::max());
  for (uint64_t v : values) PutFixed64(&s, v);
  Slice in(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetFixed64(&in, &got));
    ASSERT_EQ(v, got);
  }
  EXPECT_TRUE(in.empty());

  std::string one;
  PutFixed64(&one, 0x0807060504030201ull);
  EXPECT_EQ(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), one);
}

TEST(CodingTest, GetFixedRejectsShortInput) {
  Slice in("abc");
  uint32_t v32;
  uint64_t v64;
  EXPECT_FALSE(GetFixed32(&in, &v32));
  EXPECT_FALSE(GetFixed64(&in, &v64));
  EXPECT_EQ(3u, in.size());
}

TEST(CodingTest, Varint32RoundTripsIncludingBoundaries) {
  std::vector<uint32_t> values;
  for (uint32_t i = 0; i < (32 * 32); i++) values.push_back((i / 32) << (i % 32));
  for (int bits = 7; bits <= 28; bits += 7) {
    const uint32_t edge = uint32_t{1} << bits;
    values.insert(values.end(), {edge - 1, edge});
  }
  values.push_back(std::numeric_limits<uint32_t>::max());

  std::string s;
  for (uint32_t v : values) PutVarint32(&s, v);
  const char* p = s.data();
  const char* limit = p + s.size();
  for (uint32_t expected : values) {
    ASSERT_TRUE(p < limit);
    uint32_t actual;
    const char* start = p;
    p = GetVarint32Ptr(p, limit, &actual);
    ASSERT_NE(nullptr, p);
    ASSERT_EQ(expected, actual);
    ASSERT_EQ(VarintLength(actual), p - start);
  }
  EXPECT_EQ(limit, p);
}

TEST(CodingTest, Varint64RoundTripsIncludingBoundaries) {
  std::vector<uint64_t> values = {0, 100, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (int k = 0; k < 64; k++) {
    const uint64_t power = uint64_t{1} << k;
    values.insert(values.end(), {power, power - 1, power + 1});
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  Slice in(s);
  for (uint64_t expected : values) {
    const size_t before = in.size();
    uint64_t actual;
    ASSERT_TRUE(GetVarint64(&in, &actual));
    ASSERT_EQ(expected, actual);
    ASSERT_EQ(static_cast<size_t>(VarintLength(actual)), before - in.size());
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintLengthMatchesEncodedSize) {
  EXPECT_EQ(1, VarintLength(0));
  EXPECT_EQ(1, VarintLength(127));
  EXPECT_EQ(2, VarintLength(128));
  EXPECT_EQ(5, VarintLength(std::numeric_limits<uint32_t>::max()));
  EXPECT_EQ(10, VarintLength(std::numeric_limits<uint64_t>::max()));
}

TEST(CodingTest, TruncatedVarintsAreRejected) {
  std::string s;
  PutVarint32(&s, std::numeric_limits<uint32_t>::max());
  for (size_t len = 0; len < s.size(); len++) {
    uint32_t v;
    EXPECT_EQ(nullptr, GetVarint32Ptr(s.data(), s.data() + len, &v)) << len;
  }
  std::string t;
  PutVarint64(&t, std::numeric_limits<uint64_t>::max());
  for (size_t len = 0; len < t.size(); len++) {
    Slice in(t.data(), len);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
    EXPECT_EQ(len, in.size()) << "input must not be consumed on failure";
  }
}

TEST(CodingTest, OverlongVarint32IsRejected) {
  // Five bytes whose last carries more than the 4 bits left in a uint32.
  const std::string too_big("\xff\xff\xff\xff\x1f", 5);
  uint32_t v;
  EXPECT_EQ(nullptr, GetVarint32Ptr(too_big.data(), too_big.data() + too_big.size(), &v));
  // Six bytes: the continuation bit is still set after five.
  const std::string too_long("\x81\x80\x80\x80\x80\x00", 6);
  EXPECT_EQ(nullptr, GetVarint32Ptr(too_long.data(), too_long.data() + too_long.size(), &v));
  // The largest legal value is still accepted.
  const std::string max("\xff\xff\xff\xff\x0f", 5);
  ASSERT_NE(nullptr, GetVarint32Ptr(max.data(), max.data() + max.size(), &v));
  EXPECT_EQ(std::numeric_limits<uint32_t>::max(), v);
}

TEST(CodingTest, OverlongVarint64IsRejected) {
  std::string too_big(9, '\xff');
  too_big.push_back('\x02');  // bit 64 set
  Slice in(too_big);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));

  std::string too_long(10, '\x80');
  too_long.push_back('\x00');
  Slice in2(too_long);
  EXPECT_FALSE(GetVarint64(&in2, &v));
}

TEST(CodingTest, LengthPrefixedSliceRoundTripsAndRejectsShortBody) {
  std::string s;
  PutLengthPrefixedSlice(&s, Slice(""));
  PutLengthPrefixedSlice(&s, Slice("foo"));
  PutLengthPrefixedSlice(&s, Slice(std::string(200, 'x')));
  Slice in(s);
  Slice v;
  ASSERT_TRUE(GetLengthPrefixedSlice(&in, &v));
  EXPECT_EQ("", v.ToString());
  ASSERT_TRUE(GetLengthPrefixedSlice(&in, &v));
  EXPECT_EQ("foo", v.ToString());
  ASSERT_TRUE(GetLengthPrefixedSlice(&in, &v));
  EXPECT_EQ(std::string(200, 'x'), v.ToString());
  EXPECT_TRUE(in.empty());

  std::string short_body;
  PutVarint32(&short_body, 10);
  short_body.append("abc");
  Slice in2(short_body);
  EXPECT_FALSE(GetLengthPrefixedSlice(&in2, &v));
}

}  // namespace
}  // namespace lsm
