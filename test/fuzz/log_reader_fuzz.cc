// Fuzz target: log::Reader (native/src/log/log_reader.*), the record framing
// of the WAL and the MANIFEST. The input is a whole log file. Every record is
// read, and the torn-tail-versus-corruption decision is checked against the
// reader's own contract:
//   - records are contiguous, start at offset 0 and lie inside the file;
//   - the reader stops for good; valid_length() is the end of the last record;
//   - a clean end consumed the whole file; a torn tail or corruption did not;
//   - corruption is a Corruption status and never also a torn tail;
//   - reading the trustworthy prefix alone yields the same records and ends
//     cleanly (what recovery relies on when it truncates a torn tail).
// Each input also runs with every record checksum recomputed
// (checksum_fixup.h) so mutations reach the scan behind a bad record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checksum_fixup.h"
#include "fuzz_check.h"
#include "log/log_reader.h"

namespace {

using lsm::Slice;

struct Outcome {
  std::vector<std::pair<uint64_t, std::string>> records;
  uint64_t valid_length = 0;
  bool torn = false;
  bool corrupt = false;
};

Outcome ReadAll(const Slice& contents) {
  Outcome out;
  lsm::log::Reader reader("fuzz.log", contents);
  Slice record;
  uint64_t offset = 0;
  uint64_t expected_offset = 0;
  while (reader.ReadRecord(&record, &offset)) {
    FUZZ_CHECK(offset == expected_offset);
    FUZZ_CHECK(record.data() == contents.data() + offset + lsm::log::kHeaderSize);
    FUZZ_CHECK(offset + lsm::log::kHeaderSize + record.size() <= contents.size());
    out.records.emplace_back(offset, record.ToString());
    expected_offset = offset + lsm::log::kHeaderSize + record.size();
  }
  FUZZ_CHECK(!reader.ReadRecord(&record, &offset));  // stays stopped
  out.valid_length = reader.valid_length();
  out.torn = reader.dropped_torn_tail();
  out.corrupt = !reader.status().ok();
  FUZZ_CHECK(out.valid_length == expected_offset);
  if (out.corrupt) {
    FUZZ_CHECK(reader.status().IsCorruption());
    FUZZ_CHECK(!out.torn);
  }
  if (out.torn || out.corrupt) {
    FUZZ_CHECK(out.valid_length < contents.size());
  } else {
    FUZZ_CHECK(out.valid_length == contents.size());
  }
  return out;
}

void Check(const std::string& data) {
  const Outcome all = ReadAll(data);
  if (all.valid_length < data.size()) {
    // Exact-size copy, so ASan sees any read past the prefix.
    const std::string prefix = data.substr(0, all.valid_length);
    const Outcome cut = ReadAll(prefix);
    FUZZ_CHECK(!cut.torn && !cut.corrupt);
    FUZZ_CHECK(cut.records == all.records);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  Check(input);
  if (lsm::fuzz::FixLogChecksums(&input)) Check(input);
  return 0;
}
