// Valid sample files in every on-disk format the fuzz targets read, built
// with the engine's own writers (WriteBatch, log::Writer, TableBuilder,
// BlockBuilder, VersionEdit). make_corpus.cc turns them (and damaged copies)
// into the checked-in seed corpus; manifest_fuzz.cc serves SampleTable() for
// every table a fuzzed MANIFEST names. Deterministic: the same bytes on
// every run, so the corpus can be regenerated and compared.
#ifndef LSMKV_TEST_FUZZ_SAMPLE_FILES_H_
#define LSMKV_TEST_FUZZ_SAMPLE_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace lsm {
namespace fuzz {

// A WriteBatch rep: `n` records starting at key number `first`, every third
// one a delete when `with_deletes`; sequence `seq`.
std::string SampleBatch(uint64_t seq, int first, int n, bool with_deletes);

// A WAL segment: one framed record per batch in `batches`.
std::string SampleLog(const std::vector<std::string>& payloads);

// An SSTable of `entries` entries. With `internal_keys` it is what the DB
// writes (internal key comparator, filter on user keys); otherwise a
// bytewise table. Small blocks so a few KB hold several data blocks.
std::string SampleTable(bool internal_keys, int entries, size_t block_size,
                        int bloom_bits_per_key);

// One block of `entries` key/value pairs (BlockBuilder format).
std::string SampleBlock(int entries, int restart_interval);

// The VersionEdits of a short DB history: the snapshot a new MANIFEST starts
// with, a flush, a compaction (files removed and added), a trivial move.
std::vector<std::string> SampleEdits();

// CURRENT contents naming MANIFEST-<number>.
std::string SampleCurrent(uint64_t manifest_number);

}  // namespace fuzz
}  // namespace lsm

#endif  // LSMKV_TEST_FUZZ_SAMPLE_FILES_H_
