// lsm_fuzz_corpus: writes the seed corpus of every fuzz target.
//
//   lsm_fuzz_corpus <dir>   writes <dir>/<target>/<name> for each seed
//
// Seeds are valid files made by the engine's own writers (sample_files.h)
// plus damaged copies of them (cut, bit-flipped, zero tail, wrong count...),
// so the fuzzer starts from inputs that reach deep into each decoder. The
// output is deterministic; `npm run test:fuzz` regenerates it into a temp dir
// and fails if the checked-in test/fuzz/corpus differs. Regression seeds
// (inputs that once found a bug, named regress-*) are checked in by hand and
// are not written here.
#include <cstdio>
#include <string>
#include <vector>

#include "log/log_format.h"
#include "sample_files.h"
#include "util/lz.h"

namespace {

using lsm::fuzz::SampleBatch;
using lsm::fuzz::SampleLog;

bool Write(const std::string& dir, const std::string& target, const std::string& name,
           const std::string& bytes) {
  const std::string path = dir + "/" + target + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "lsm_fuzz_corpus: cannot write %s\n", path.c_str());
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

std::string Flip(std::string s, size_t at) {
  s[at % s.size()] ^= 0x10;
  return s;
}

std::string Cut(const std::string& s, size_t keep) { return s.substr(0, keep); }

std::string Concat(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lsm_fuzz_corpus <dir>\n");
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = true;

  // log_reader: WAL segments (one record per batch; the format has no
  // fragments) and a MANIFEST, clean and damaged.
  std::vector<std::string> batches;
  for (int i = 0; i < 6; i++) batches.push_back(SampleBatch(1 + i * 10, i * 5, 1 + i % 4, i % 2 == 1));
  batches.push_back(SampleBatch(99, 0, 0, false));  // an empty batch
  const std::string wal = SampleLog(batches);
  const std::string manifest = SampleLog(lsm::fuzz::SampleEdits());
  const size_t second = lsm::log::kHeaderSize + batches[0].size();  // offset of record 2
  ok &= Write(dir, "log_reader", "wal", wal);
  ok &= Write(dir, "log_reader", "manifest", manifest);
  ok &= Write(dir, "log_reader", "wal-torn-tail", Cut(wal, wal.size() - 5));
  ok &= Write(dir, "log_reader", "wal-zero-tail", wal + std::string(64, '\0'));
  ok &= Write(dir, "log_reader", "wal-flip-middle", Flip(wal, second + 12));
  ok &= Write(dir, "log_reader", "wal-flip-length", Flip(wal, second + 5));

  // table: what the DB writes (several blocks, filter, properties), a
  // bytewise table without a filter, an empty one, and damaged copies.
  const std::string table = lsm::fuzz::SampleTable(true, 60, 256, 10);
  ok &= Write(dir, "table", "internal", table);
  ok &= Write(dir, "table", "bytewise-no-filter", lsm::fuzz::SampleTable(false, 30, 200, 0));
  ok &= Write(dir, "table", "empty", lsm::fuzz::SampleTable(true, 0, 256, 10));
  ok &= Write(dir, "table", "flip-first-block", Flip(table, 20));
  ok &= Write(dir, "table", "flip-footer", Flip(table, table.size() - 30));
  ok &= Write(dir, "table", "cut", Cut(table, table.size() / 2));

  // block: data blocks with several restart points, one entry, and a
  // damaged restart count.
  const std::string block = lsm::fuzz::SampleBlock(40, 4);
  ok &= Write(dir, "block", "restarts-every-4", block);
  ok &= Write(dir, "block", "restarts-every-16", lsm::fuzz::SampleBlock(40, 16));
  ok &= Write(dir, "block", "one-entry", lsm::fuzz::SampleBlock(1, 16));
  ok &= Write(dir, "block", "bad-restart-count", Flip(block, block.size() - 4));
  ok &= Write(dir, "block", "flip-entry", Flip(block, 30));

  // manifest: a MANIFEST of four edits, single edits (for the decoder
  // alone), and damaged copies.
  const std::vector<std::string> edits = lsm::fuzz::SampleEdits();
  ok &= Write(dir, "manifest", "manifest", manifest);
  ok &= Write(dir, "manifest", "snapshot-only", SampleLog({edits[0]}));
  ok &= Write(dir, "manifest", "edit-snapshot", edits[0]);
  ok &= Write(dir, "manifest", "edit-compaction", edits[2]);
  ok &= Write(dir, "manifest", "torn-tail", Cut(manifest, manifest.size() - 3));
  ok &= Write(dir, "manifest", "zero-tail", manifest + std::string(40, '\0'));
  ok &= Write(dir, "manifest", "flip-middle", Flip(manifest, lsm::log::kHeaderSize + edits[0].size() + 15));

  // write_batch: puts, mixed puts and deletes, empty, and damaged copies.
  const std::string mixed = SampleBatch(7, 0, 9, true);
  ok &= Write(dir, "write_batch", "puts", SampleBatch(1, 0, 5, false));
  ok &= Write(dir, "write_batch", "mixed", mixed);
  ok &= Write(dir, "write_batch", "empty", SampleBatch(0, 0, 0, false));
  ok &= Write(dir, "write_batch", "wrong-count", Flip(mixed, 8));
  ok &= Write(dir, "write_batch", "cut", Cut(mixed, mixed.size() - 3));
  ok &= Write(dir, "write_batch", "two-batches", Concat({SampleBatch(1, 0, 2, false), SampleBatch(3, 2, 2, true)}));

  // lz: a compressed data block (as stream), the same block raw (as input
  // to compress), and a stream whose copy overlaps its own output.
  std::string compressed;
  if (!lsm::lz::Compress(block, &compressed)) {
    std::fprintf(stderr, "lsm_fuzz_corpus: the sample block does not compress\n");
    return 1;
  }
  ok &= Write(dir, "lz", "compressed-block", compressed);
  ok &= Write(dir, "lz", "raw-block", block);
  ok &= Write(dir, "lz", "overlapping-copy", std::string("\x14\x01" "ab" "\x8e\x02", 6));
  ok &= Write(dir, "lz", "flip-compressed", Flip(compressed, compressed.size() / 2));
  return ok ? 0 : 1;
}
