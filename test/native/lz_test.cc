// The LZ block codec: round trips over inputs of every kind (db_bench-style
// values, repeats that overlap their own output, long copies, incompressible
// bytes), the 1/8 saving it must reach to report success, and malformed
// input of every shape failing cleanly (under ASan: never out of bounds).
#include "util/lz.h"

#include <gtest/gtest.h>

#include <string>

#include "util/coding.h"
#include "util/random.h"

namespace lsm {
namespace {

std::string RandomBytes(Random* rnd, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rnd->Uniform(256));
  return s;
}

// Like db_bench's values: a random half repeated to fill the value.
std::string HalfCompressible(Random* rnd, size_t n) {
  const std::string half = RandomBytes(rnd, n / 2);
  std::string s;
  while (s.size() < n) s += half;
  s.resize(n);
  return s;
}

std::string RoundTrip(const std::string& input) {
  std::string compressed;
  EXPECT_TRUE(lz::Compress(input, &compressed));
  EXPECT_LT(compressed.size(), input.size() - input.size() / 8);
  size_t length = 0;
  EXPECT_TRUE(lz::UncompressedLength(compressed, &length));
  EXPECT_EQ(input.size(), length);
  std::string out(length, '\0');
  EXPECT_TRUE(lz::Uncompress(compressed, &out[0], length));
  return out;
}

TEST(LzTest, BlockOfDbBenchEntriesHalvesAndRoundTrips) {
  Random rnd(1);
  std::string block;
  for (int i = 0; block.size() < 4096; i++) {
    block += "00000000000" + std::to_string(10000 + i);
    block += HalfCompressible(&rnd, 100);
  }
  std::string compressed;
  ASSERT_TRUE(lz::Compress(block, &compressed));
  EXPECT_LT(compressed.size(), block.size() * 62 / 100) << compressed.size();
  EXPECT_EQ(block, RoundTrip(block));
}

TEST(LzTest, OverlappingAndLongCopies) {
  EXPECT_EQ(std::string(100000, 'z'), RoundTrip(std::string(100000, 'z')));
  std::string pattern;
  for (int i = 0; i < 5000; i++) pattern += "abc";  // offset 3 < copy length
  EXPECT_EQ(pattern, RoundTrip(pattern));
  Random rnd(2);
  const std::string chunk = RandomBytes(&rnd, 1000);
  const std::string twice = chunk + std::string(50, 'q') + chunk + chunk;
  EXPECT_EQ(twice, RoundTrip(twice));
}

TEST(LzTest, IncompressibleAndTinyInputsAreDeclined) {
  Random rnd(3);
  std::string out;
  EXPECT_FALSE(lz::Compress(RandomBytes(&rnd, 4096), &out));
  EXPECT_FALSE(lz::Compress("", &out));
  EXPECT_FALSE(lz::Compress(std::string(15, 'a'), &out));
}

TEST(LzTest, RandomMixturesRoundTrip) {
  Random rnd(4);
  for (int trial = 0; trial < 2000; trial++) {
    std::string input;
    const size_t n = 16 + rnd.Skewed(16);
    while (input.size() < n) {
      switch (rnd.Uniform(4)) {
        case 0:
          input += RandomBytes(&rnd, 1 + rnd.Uniform(300));
          break;
        case 1:
          input += std::string(1 + rnd.Uniform(500), static_cast<char>(rnd.Uniform(4)));
          break;
        default:
          if (!input.empty()) {  // a copy of something earlier
            const size_t from = rnd.Uniform(static_cast<uint32_t>(input.size()));
            input += input.substr(from, 1 + rnd.Uniform(200));
          }
      }
    }
    std::string compressed;
    if (!lz::Compress(input, &compressed)) continue;
    ASSERT_LT(compressed.size(), input.size() - input.size() / 8);
    std::string out(input.size(), '\0');
    ASSERT_TRUE(lz::Uncompress(compressed, &out[0], out.size())) << trial;
    ASSERT_EQ(input, out) << trial;
  }
}

// Hand-built streams: each malformed shape is refused.
TEST(LzTest, MalformedStreamsAreRefused) {
  auto fails = [](const std::string& stream, size_t length) {
    std::string out(length + 1, '\0');
    return !lz::Uncompress(stream, &out[0], length);
  };
  auto header = [](uint32_t n) {
    std::string s;
    PutVarint32(&s, n);
    return s;
  };
  // Valid reference: 2 literals "ab", then copy 4 from offset 2 -> "ababab".
  const std::string good = header(6) + std::string("\x01" "ab" "\x80\x02", 5);
  std::string out(6, '\0');
  ASSERT_TRUE(lz::Uncompress(good, &out[0], 6));
  EXPECT_EQ("ababab", out);

  EXPECT_TRUE(fails(good, 5));                                               // wrong length
  EXPECT_TRUE(fails(good + std::string(1, '\0'), 6));                        // trailing op
  EXPECT_TRUE(fails(header(6) + std::string("\x01" "ab" "\x80\x03", 5), 6));  // offset past start
  EXPECT_TRUE(fails(header(6) + std::string("\x01" "ab" "\x80\x00", 5), 6));  // offset 0
  EXPECT_TRUE(fails(header(6) + std::string("\x01" "ab" "\x81\x02", 5), 6));  // copy past end
  EXPECT_TRUE(fails(header(3) + std::string("\x05" "ab", 3), 3));             // literal past input
  EXPECT_TRUE(fails(header(6) + std::string("\x01" "ab" "\xff", 4), 6));      // cut varint
  EXPECT_TRUE(fails(std::string("\xff\xff\xff\xff\xff", 5), 0));             // bad header
  size_t length;
  EXPECT_FALSE(lz::UncompressedLength(header(uint32_t{1} << 31), &length));  // over the cap
  for (size_t cut = 0; cut < good.size(); cut++) {
    EXPECT_TRUE(fails(good.substr(0, cut), 6)) << cut;
  }
}

// Random damage to real streams: decoding fails or yields `length` bytes;
// never a crash or an access outside the buffers (ASan builds check that).
TEST(LzTest, DamagedStreamsNeverOverrun) {
  Random rnd(5);
  std::string block;
  for (int i = 0; block.size() < 4096; i++) block += "key" + std::to_string(i) + HalfCompressible(&rnd, 60);
  std::string compressed;
  ASSERT_TRUE(lz::Compress(block, &compressed));
  for (int trial = 0; trial < 20000; trial++) {
    std::string bad = compressed;
    for (int k = 1 + rnd.Uniform(3); k > 0; k--) {
      bad[rnd.Uniform(static_cast<uint32_t>(bad.size()))] = static_cast<char>(rnd.Uniform(256));
    }
    if (rnd.OneIn(4)) bad.resize(rnd.Uniform(static_cast<uint32_t>(bad.size())));
    size_t length;
    if (!lz::UncompressedLength(bad, &length) || length > 1 << 20) continue;
    std::string out(length, '\0');
    (void)lz::Uncompress(bad, length == 0 ? nullptr : &out[0], length);
  }
}

}  // namespace
}  // namespace lsm
