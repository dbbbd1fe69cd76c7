// SSTable writer and reader: round trips through mapped and pread files,
// seeks in both directions, point lookups with the bloom filter, properties,
// and every way a damaged file must fail: Corruption naming the file, never a
// crash and never silently wrong data.
#include "table/table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "lsm/env.h"
#include "table/table_builder.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace lsm {
namespace {

// ---- An in-memory Env: fast, and lets tests choose mapped vs pread reads
// and see the order in which a table opens its file. ----

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<std::string> data)
      : data_(std::move(data)) {}
  Status Append(const Slice& d) override {
    data_->append(d.data(), d.size());
    return Status::OK();
  }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return data_->size(); }

 private:
  std::shared_ptr<std::string> data_;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  using Releases = std::vector<std::pair<uint64_t, uint64_t>>;  // offset, n
  MemRandomAccessFile(std::shared_ptr<const std::string> data, bool mapped,
                      std::shared_ptr<Releases> releases)
      : data_(std::move(data)), mapped_(mapped), releases_(std::move(releases)) {}
  Status Read(uint64_t offset, size_t n, Slice* result,
              char* scratch) const override {
    if (offset > data_->size()) {
      *result = Slice();
      return Status::OK();
    }
    n = std::min<uint64_t>(n, data_->size() - offset);
    if (mapped_) {
      *result = Slice(data_->data() + offset, n);
    } else {
      memcpy(scratch, data_->data() + offset, n);
      *result = Slice(scratch, n);
    }
    return Status::OK();
  }
  bool IsMapped() const override { return mapped_; }
  uint64_t Size() const override { return data_->size(); }
  void ReleasePages(uint64_t offset, uint64_t n) const override { releases_->emplace_back(offset, n); }

 private:
  const std::shared_ptr<const std::string> data_;
  const bool mapped_;
  const std::shared_ptr<Releases> releases_;
};

class MemEnv final : public Env {
 public:
  Status NewWritableFile(const std::string& fname,
                         std::unique_ptr<WritableFile>* result) override {
    auto data = std::make_shared<std::string>();
    files_[fname] = data;
    *result = std::make_unique<MemWritableFile>(data);
    return Status::OK();
  }
  Status NewRandomAccessFile(
      const std::string& fname, bool use_mmap,
      std::unique_ptr<RandomAccessFile>* result) override {
    auto it = files_.find(fname);
    if (it == files_.end()) return Status::IOError(fname, "no such file");
    opens_.push_back(use_mmap);
    // A snapshot, like a mapping of an immutable file.
    *result = std::make_unique<MemRandomAccessFile>(
        std::make_shared<const std::string>(*it->second), use_mmap, releases_);
    return Status::OK();
  }
  bool FileExists(const std::string& fname) override {
    return files_.count(fname) != 0;
  }
  Status GetChildren(const std::string&, std::vector<std::string>*) override {
    return Status::NotSupported("MemEnv");
  }
  Status RemoveFile(const std::string& fname) override {
    files_.erase(fname);
    return Status::OK();
  }
  Status CreateDir(const std::string&) override { return Status::OK(); }
  Status GetFileSize(const std::string& fname, uint64_t* size) override {
    auto it = files_.find(fname);
    if (it == files_.end()) return Status::IOError(fname, "no such file");
    *size = it->second->size();
    return Status::OK();
  }
  Status RenameFile(const std::string&, const std::string&) override {
    return Status::NotSupported("MemEnv");
  }
  Status SyncDir(const std::string&) override { return Status::OK(); }
  Status LockFile(const std::string&, std::unique_ptr<FileLock>*) override {
    return Status::NotSupported("MemEnv");
  }
  Status UnlockFile(std::unique_ptr<FileLock>) override {
    return Status::NotSupported("MemEnv");
  }
  uint64_t NowMicros() override { return 0; }

  std::string* Contents(const std::string& fname) {
    return files_[fname].get();
  }
  void SetContents(const std::string& fname, const std::string& data) {
    files_[fname] = std::make_shared<std::string>(data);
  }
  // use_mmap of every NewRandomAccessFile call, in order.
  std::vector<bool> opens_;
  // Every ReleasePages call on any file opened here, in order.
  std::shared_ptr<MemRandomAccessFile::Releases> releases_ =
      std::make_shared<MemRandomAccessFile::Releases>();

 private:
  std::map<std::string, std::shared_ptr<std::string>> files_;
};

// ---- Helpers ----

std::string Key(int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "key%08d", 2 * i);  // odd numbers are absent
  return buf;
}
std::string Value(int i) {
  return std::string(static_cast<size_t>(i % 50),
                     static_cast<char>('a' + i % 26)) +
         std::to_string(i);
}

Status BuildTable(Env* env, const std::string& fname, int n,
                  const TableOptions& options = TableOptions(),
                  TableProperties* caller_props = nullptr) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  TableBuilder builder(options, file.get());
  for (int i = 0; i < n; i++) builder.Add(Key(i), Value(i));
  if (caller_props != nullptr) {
    builder.mutable_properties()->num_deletions = caller_props->num_deletions;
    builder.mutable_properties()->smallest_seq = caller_props->smallest_seq;
    builder.mutable_properties()->largest_seq = caller_props->largest_seq;
  }
  s = builder.Finish();
  if (!s.ok()) return s;
  EXPECT_EQ(static_cast<uint64_t>(n), builder.NumEntries());
  EXPECT_EQ(builder.FileSize(), file->Size());
  s = file->Sync();
  if (s.ok()) s = file->Close();
  return s;
}

struct GetResult {
  int calls = 0;
  std::string key, value;
};

void SaveResult(void* arg, const Slice& k, const Slice& v) {
  auto* r = static_cast<GetResult*>(arg);
  r->calls++;
  r->key = k.ToString();
  r->value = v.ToString();
}

GetResult Get(const Table& table, const Slice& key, Status* s) {
  GetResult r;
  *s = table.InternalGet(key, &r, SaveResult);
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Rewrites the footer's format_version and fixes its checksum, as a newer
// writer would.
void SetFooterVersion(std::string* file, uint32_t version) {
  char* footer = &(*file)[file->size() - Footer::kEncodedLength];
  const size_t covered = 3 * BlockHandle::kMaxEncodedLength + 4;
  EncodeFixed32(footer + covered - 4, version);
  EncodeFixed32(footer + covered,
                crc32c::Mask(crc32c::Value(footer, covered)));
}

// ---- Round trips over both read paths ----

class TableReadPathTest : public ::testing::TestWithParam<bool> {
 protected:
  bool mmap() const { return GetParam(); }
  MemEnv env_;
};

TEST_P(TableReadPathTest, HundredThousandEntriesRoundTrip) {
  constexpr int kN = 100000;
  ASSERT_TRUE(BuildTable(&env_, "big.sst", kN).ok());
  std::unique_ptr<Table> table;
  Status s = Table::Open(TableOptions(), &env_, "big.sst", mmap(), &table);
  ASSERT_TRUE(s.ok()) << s.message();

  const TableProperties& p = table->properties();
  EXPECT_EQ(static_cast<uint64_t>(kN), p.num_entries);
  EXPECT_EQ(Key(0), p.smallest_key);
  EXPECT_EQ(Key(kN - 1), p.largest_key);
  EXPECT_GT(p.data_blocks, 100u);
  EXPECT_EQ(env_.Contents("big.sst")->size(), table->file_size());

  std::unique_ptr<Iterator> it(table->NewIterator());
  int i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_EQ(Key(i), it->key().ToString());
    ASSERT_EQ(Value(i), it->value().ToString());
  }
  EXPECT_EQ(kN, i);
  EXPECT_TRUE(it->status().ok());

  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    i--;
    ASSERT_EQ(Key(i), it->key().ToString());
    ASSERT_EQ(Value(i), it->value().ToString());
  }
  EXPECT_EQ(0, i);
  EXPECT_TRUE(it->status().ok());
}

TEST_P(TableReadPathTest, SeeksLandOnTheFirstKeyAtOrAfterTarget) {
  constexpr int kN = 20000;
  ASSERT_TRUE(BuildTable(&env_, "t.sst", kN).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env_, "t.sst", mmap(), &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator());

  std::mt19937 rng(7);
  for (int trial = 0; trial < 3000; trial++) {
    const int i = static_cast<int>(rng() % kN);
    it->Seek(Key(i));
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(Key(i), it->key().ToString());

    // Between key i and i+1 (an odd number, never stored).
    char between[32];
    snprintf(between, sizeof(between), "key%08d", 2 * i + 1);
    it->Seek(between);
    if (i + 1 < kN) {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(Key(i + 1), it->key().ToString());
      it->Prev();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(Key(i), it->key().ToString());
    } else {
      EXPECT_FALSE(it->Valid());
    }
  }
  it->Seek("");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Key(0), it->key().ToString());
  it->Seek("zzz");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(TableReadPathTest, InternalGetFindsHitsAndFiltersMisses) {
  constexpr int kN = 20000;
  ASSERT_TRUE(BuildTable(&env_, "t.sst", kN).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env_, "t.sst", mmap(), &table).ok());

  Status s;
  for (int i = 0; i < kN; i++) {
    GetResult r = Get(*table, Key(i), &s);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(1, r.calls);
    EXPECT_EQ(Key(i), r.key);
    EXPECT_EQ(Value(i), r.value);
    EXPECT_TRUE(table->KeyMayMatch(Key(i)));
  }

  int filtered = 0;
  for (int i = 0; i < kN; i++) {
    char absent[32];
    snprintf(absent, sizeof(absent), "key%08d", 2 * i + 1);
    GetResult r = Get(*table, absent, &s);
    ASSERT_TRUE(s.ok());
    if (r.calls == 0) {
      filtered++;
    } else {
      // Passed the filter: the next key, never a made-up match.
      EXPECT_NE(absent, r.key);
    }
  }
  EXPECT_GE(filtered, kN * 97 / 100);
}

INSTANTIATE_TEST_SUITE_P(MappedAndPread, TableReadPathTest,
                         ::testing::Values(true, false),
                         [](const auto& info) {
                           return info.param ? "Mapped" : "Pread";
                         });

// ---- Builder and reader behaviour ----

TEST(TableTest, PropertiesRoundTrip) {
  MemEnv env;
  TableProperties in;
  in.num_deletions = 17;
  in.smallest_seq = 100;
  in.largest_seq = 123456789012345ull;
  ASSERT_TRUE(BuildTable(&env, "p.sst", 1000, TableOptions(), &in).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "p.sst", true, &table).ok());
  const TableProperties& p = table->properties();
  EXPECT_EQ(1000u, p.num_entries);
  EXPECT_EQ(17u, p.num_deletions);
  EXPECT_EQ(100u, p.smallest_seq);
  EXPECT_EQ(123456789012345ull, p.largest_seq);
  uint64_t key_bytes = 0, value_bytes = 0;
  for (int i = 0; i < 1000; i++) {
    key_bytes += Key(i).size();
    value_bytes += Value(i).size();
  }
  EXPECT_EQ(key_bytes, p.raw_key_bytes);
  EXPECT_EQ(value_bytes, p.raw_value_bytes);
  EXPECT_EQ(Key(0), p.smallest_key);
  EXPECT_EQ(Key(999), p.largest_key);
  EXPECT_EQ("lsm.Bytewise", p.comparator_name);
  EXPECT_EQ(kTableFormatVersion, p.format_version);
  EXPECT_GE(p.data_blocks, 3u);  // 1000 entries of ~40 B in 4 KiB blocks, values compressed
}

TEST(TableTest, PropertiesDecoderSkipsUnknownTags) {
  TableProperties in;
  in.num_entries = 5;
  in.smallest_key = "a";
  std::string encoded;
  PutVarint32(&encoded, 999);  // a property from a newer writer
  PutLengthPrefixedSlice(&encoded, "whatever");
  EncodeTableProperties(in, &encoded);
  TableProperties out;
  ASSERT_TRUE(DecodeTableProperties(encoded, &out).ok());
  EXPECT_EQ(5u, out.num_entries);
  EXPECT_EQ("a", out.smallest_key);

  encoded.pop_back();
  EXPECT_TRUE(DecodeTableProperties(encoded, &out).IsCorruption());
}

TEST(TableTest, OpenReadsTheFooterWithPreadBeforeMapping) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "t.sst", 100).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "t.sst", true, &table).ok());
  EXPECT_EQ((std::vector<bool>{false, true}), env.opens_);

  // A bad footer is caught before anything is mapped.
  env.opens_.clear();
  (*env.Contents("t.sst"))[env.Contents("t.sst")->size() - 1] ^= 1;
  EXPECT_TRUE(
      Table::Open(TableOptions(), &env, "t.sst", true, &table).IsCorruption());
  EXPECT_EQ((std::vector<bool>{false}), env.opens_);
  EXPECT_EQ(nullptr, table);
}

TEST(TableTest, EmptyTableOpensAndHasNoEntries) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "e.sst", 0).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "e.sst", true, &table).ok());
  EXPECT_EQ(0u, table->properties().num_entries);
  std::unique_ptr<Iterator> it(table->NewIterator());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  Status s;
  EXPECT_EQ(0, Get(*table, "a", &s).calls);
  EXPECT_TRUE(s.ok());
}

TEST(TableTest, TableWithoutFilterStillAnswersGets) {
  MemEnv env;
  TableOptions options;
  options.bloom_bits_per_key = 0;
  ASSERT_TRUE(BuildTable(&env, "nf.sst", 500, options).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(options, &env, "nf.sst", false, &table).ok());
  EXPECT_TRUE(table->KeyMayMatch("definitely-absent"));
  Status s;
  GetResult r = Get(*table, Key(42), &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Value(42), r.value);
  r = Get(*table, "key00000085", &s);  // absent: the next key is offered
  EXPECT_EQ(1, r.calls);
  EXPECT_EQ(Key(43), r.key);
}

TEST(TableTest, FilterIsOnKeysWithTheSuffixStripped) {
  MemEnv env;
  TableOptions options;
  options.filter_key_suffix_strip = 8;
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("s.sst", &file).ok());
  TableBuilder builder(options, file.get());
  for (int i = 0; i < 1000; i++) {
    std::string k = Key(i);
    PutFixed64(&k, ~static_cast<uint64_t>(i));  // a trailer, like a sequence
    builder.Add(k, Value(i));
  }
  ASSERT_TRUE(builder.Finish().ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(options, &env, "s.sst", true, &table).ok());
  int filtered = 0;
  for (int i = 0; i < 1000; i++) {
    std::string present = Key(i) + std::string(8, '\x7f');  // any trailer
    EXPECT_TRUE(table->KeyMayMatch(present));
    char absent[32];
    snprintf(absent, sizeof(absent), "key%08d", 2 * i + 1);
    if (!table->KeyMayMatch(std::string(absent) + std::string(8, '\x7f'))) {
      filtered++;
    }
  }
  EXPECT_GE(filtered, 970);

  // A reader with another strip setting must not trust the filter.
  TableOptions other = options;
  other.filter_key_suffix_strip = 0;
  ASSERT_TRUE(Table::Open(other, &env, "s.sst", true, &table).ok());
  EXPECT_TRUE(table->KeyMayMatch("absent"));
}

TEST(TableTest, InternalGetInTheGapAfterABlockOffersTheNextBlocksFirstKey) {
  MemEnv env;
  TableOptions options;
  options.block_size = 1;          // one entry per block
  options.bloom_bits_per_key = 0;  // no filter: the lookup itself is tested
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("g.sst", &file).ok());
  TableBuilder builder(options, file.get());
  builder.Add("abc", "1");
  builder.Add("abz", "2");  // the index separator between them is "abd"
  ASSERT_TRUE(builder.Finish().ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(options, &env, "g.sst", false, &table).ok());
  EXPECT_EQ(2u, table->properties().data_blocks);

  // "abcd" sorts after block 1's last key but before its separator.
  Status s;
  GetResult r = Get(*table, "abcd", &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(1, r.calls);
  EXPECT_EQ("abz", r.key);
}

// InternalGet names most data blocks from the in-memory prefix index and
// block offsets, and walks the index block only when a key's eight-byte
// prefix equals an index key's. Both ways must give what a seek gives: here
// the keys of even runs share 24 bytes (equal prefixes), those of odd runs
// differ within their first eight (distinct ones), blocks are tiny, and
// every stored key, every gap and both ends are probed.
TEST(TableTest, InternalGetAgreesWithSeekWhetherOrNotTheIndexBlockIsRead) {
  MemEnv env;
  TableOptions options;
  options.block_size = 64;
  options.bloom_bits_per_key = 0;  // every probe reaches the blocks
  std::vector<std::string> keys;
  for (int run = 0; run < 40; run++) {
    for (int i = 0; i < 30; i++) {
      char buf[64];
      if (run % 2 == 0) {
        snprintf(buf, sizeof(buf), "r%02d/shared-prefix-of-run/%03d", run, 3 * i);
      } else {
        snprintf(buf, sizeof(buf), "r%02d/%03d/shared-suffix", run, 3 * i);
      }
      keys.push_back(buf);
    }
  }
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("p.sst", &file).ok());
  TableBuilder builder(options, file.get());
  for (const std::string& k : keys) builder.Add(k, "v" + k);
  ASSERT_TRUE(builder.Finish().ok());
  ASSERT_TRUE(file->Close().ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(options, &env, "p.sst", true, &table).ok());
  EXPECT_GT(table->properties().data_blocks, 100u);
  EXPECT_TRUE(table->BlocksNamedInMemory());

  std::vector<std::string> probes = {"", "a", "r", "r00", "r39/zzz", "s", "\xff"};
  for (const std::string& k : keys) {
    probes.push_back(k);
    probes.push_back(k + '\0');                      // just after k
    probes.push_back(k.substr(0, k.size() - 1));      // just before a few keys
    std::string next = k;
    next.back() = static_cast<char>(next.back() + 1);  // in the gap after k
    probes.push_back(next);
  }
  std::unique_ptr<Iterator> it(table->NewIterator());
  for (const std::string& probe : probes) {
    Status s;
    GetResult r = Get(*table, probe, &s);
    ASSERT_TRUE(s.ok()) << s.ToString();
    it->Seek(probe);
    if (it->Valid()) {
      ASSERT_EQ(1, r.calls) << probe;
      EXPECT_EQ(it->key().ToString(), r.key) << probe;
      EXPECT_EQ(it->value().ToString(), r.value) << probe;
    } else {
      EXPECT_EQ(0, r.calls) << probe;
    }
  }
}

// A compaction's input iterator releases the pages it has passed: one
// contiguous run from the file's start, never reaching the block it reads.
// Other iterators release nothing.
TEST(TableTest, ReleaseBehindReleasesOnlyPagesBeforeTheCurrentBlock) {
  MemEnv env;
  constexpr int kN = 100000;
  ASSERT_TRUE(BuildTable(&env, "t.sst", kN).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "t.sst", true, &table).ok());
  ASSERT_GT(table->DataEndOffset(), 1u << 20);
  {
    std::unique_ptr<Iterator> it(table->NewIterator());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
    EXPECT_TRUE(env.releases_->empty());
  }
  std::unique_ptr<Iterator> it(table->NewIterator(/*release_behind=*/true));
  uint64_t released_to = 0;
  size_t calls = 0;
  int i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    for (; calls < env.releases_->size(); calls++) {
      const auto [offset, n] = (*env.releases_)[calls];
      ASSERT_EQ(offset, released_to);
      ASSERT_GT(n, 0u);
      released_to = offset + n;
    }
    ASSERT_LE(released_to, table->ApproximateOffsetOf(it->key())) << i;
    ASSERT_EQ(Key(i), it->key().ToString());
    ASSERT_EQ(Value(i), it->value().ToString());
  }
  EXPECT_EQ(kN, i);
  EXPECT_GT(calls, 1u);
  EXPECT_GE(released_to + (256u << 10) + 4096, table->DataEndOffset());
}

TEST(TableTest, KeysOutOfOrderMakeTheBuilderFail) {
  MemEnv env;
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("o.sst", &file).ok());
  TableBuilder builder(TableOptions(), file.get());
  builder.Add("b", "1");
  builder.Add("a", "2");
  EXPECT_TRUE(builder.status().IsInvalidArgument());
  EXPECT_TRUE(builder.Finish().IsInvalidArgument());
}

TEST(TableTest, AbandonWritesNothingMore) {
  MemEnv env;
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("a.sst", &file).ok());
  TableBuilder builder(TableOptions(), file.get());
  builder.Add("a", "1");
  builder.Abandon();
  EXPECT_EQ(0u, env.Contents("a.sst")->size());
}

// ---- Damage ----

class ReverseComparator final : public Comparator {
 public:
  int Compare(const Slice& a, const Slice& b) const override {
    return -a.compare(b);
  }
  const char* Name() const override { return "test.Reverse"; }
  void FindShortestSeparator(std::string*, const Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

TEST(TableTest, OpeningWithAnotherComparatorIsRejected) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "c.sst", 10).ok());
  ReverseComparator reverse;
  TableOptions options;
  options.comparator = &reverse;
  std::unique_ptr<Table> table;
  Status s = Table::Open(options, &env, "c.sst", true, &table);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(Contains(s.message(), "c.sst")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "test.Reverse")) << s.message();
}

TEST(TableTest, FlippedByteInDataBlockIsCorruptionNamingFile) {
  for (bool mmap : {true, false}) {
    MemEnv env;
    ASSERT_TRUE(BuildTable(&env, "d.sst", 1000).ok());
    (*env.Contents("d.sst"))[100] ^= 0x20;  // inside the first data block
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(TableOptions(), &env, "d.sst", mmap, &table).ok());

    std::unique_ptr<Iterator> it(table->NewIterator());
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption());
    const std::string msg = it->status().message();
    EXPECT_TRUE(Contains(msg, "d.sst")) << msg;
    EXPECT_TRUE(Contains(msg, "checksum mismatch at offset 0")) << msg;
    // Sticky: later positioning does not resurrect the iterator.
    it->Seek(Key(999));
    EXPECT_FALSE(it->Valid());

    Status s;
    GetResult r = Get(*table, Key(1), &s);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_EQ(0, r.calls);
    // Other blocks are still readable.
    r = Get(*table, Key(999), &s);
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(Value(999), r.value);
  }
}

TEST(TableTest, TooShortFileIsCorruptionNamingFile) {
  MemEnv env;
  std::unique_ptr<Table> table;
  for (size_t len : {size_t{0}, size_t{10}, Footer::kEncodedLength - 1}) {
    env.SetContents("short.sst", std::string(len, 'x'));
    Status s = Table::Open(TableOptions(), &env, "short.sst", true, &table);
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_TRUE(Contains(s.message(), "short.sst")) << s.message();
    EXPECT_TRUE(Contains(s.message(), "too short")) << s.message();
  }
}

TEST(TableTest, BadMagicIsCorruptionNamingFile) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "m.sst", 10).ok());
  (*env.Contents("m.sst"))[env.Contents("m.sst")->size() - 3] ^= 0x01;
  std::unique_ptr<Table> table;
  Status s = Table::Open(TableOptions(), &env, "m.sst", false, &table);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s.message(), "m.sst")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "magic")) << s.message();

  env.SetContents("junk.sst", std::string(4096, '\0'));
  s = Table::Open(TableOptions(), &env, "junk.sst", false, &table);
  EXPECT_TRUE(s.IsCorruption());
}

TEST(TableTest, BadFooterChecksumIsCorruptionNamingFile) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "f.sst", 10).ok());
  std::string* data = env.Contents("f.sst");
  (*data)[data->size() - Footer::kEncodedLength + 1] ^= 0x01;  // a handle
  std::unique_ptr<Table> table;
  Status s = Table::Open(TableOptions(), &env, "f.sst", true, &table);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s.message(), "f.sst")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "footer checksum")) << s.message();
}

TEST(TableTest, NewerFormatVersionIsAClearError) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "v.sst", 10).ok());
  const uint32_t newer = kTableFormatVersion + 1;
  SetFooterVersion(env.Contents("v.sst"), newer);
  std::unique_ptr<Table> table;
  Status s = Table::Open(TableOptions(), &env, "v.sst", true, &table);
  EXPECT_TRUE(s.code() == Status::kNotSupported) << s.message();
  EXPECT_TRUE(Contains(s.message(), "v.sst")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "format_version " + std::to_string(newer)))
      << s.message();
  EXPECT_TRUE(Contains(s.message(), "newer")) << s.message();

  SetFooterVersion(env.Contents("v.sst"), 0);
  s = Table::Open(TableOptions(), &env, "v.sst", true, &table);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

// ---- Data blocks with compressed values (format_version 2) ----

// The stored size of the block at offset 0: where a trailer's checksum
// matches the bytes before it.
size_t FirstBlockSize(const std::string& file, uint8_t* type) {
  for (size_t n = 1; n + kBlockTrailerSize <= file.size(); n++) {
    const uint32_t crc = crc32c::Unmask(DecodeFixed32(file.data() + n + 1));
    if (crc32c::Value(file.data(), n + 1) == crc) {
      *type = static_cast<uint8_t>(file[n]);
      return n;
    }
  }
  return 0;
}

TEST(TableTest, CompressedValuesReadLikeRawOnes) {
  constexpr int kN = 5000;
  MemEnv env;
  TableOptions raw_options;
  raw_options.compress_values = false;
  ASSERT_TRUE(BuildTable(&env, "lz.sst", kN).ok());
  ASSERT_TRUE(BuildTable(&env, "raw.sst", kN, raw_options).ok());
  const size_t lz_size = env.Contents("lz.sst")->size();
  const size_t raw_size = env.Contents("raw.sst")->size();
  EXPECT_LT(lz_size, raw_size * 8 / 10) << lz_size << " vs " << raw_size;
  uint8_t type = 0xee;
  ASSERT_GT(FirstBlockSize(*env.Contents("lz.sst"), &type), 0u);
  EXPECT_EQ(kLzValuesBlock, type);
  ASSERT_GT(FirstBlockSize(*env.Contents("raw.sst"), &type), 0u);
  EXPECT_EQ(kRawBlock, type);

  for (bool mmap : {true, false}) {
    std::unique_ptr<Table> lz, raw;
    ASSERT_TRUE(Table::Open(TableOptions(), &env, "lz.sst", mmap, &lz).ok());
    ASSERT_TRUE(Table::Open(TableOptions(), &env, "raw.sst", mmap, &raw).ok());
    EXPECT_EQ(lz->properties().raw_value_bytes, raw->properties().raw_value_bytes);
    std::unique_ptr<Iterator> a(lz->NewIterator()), b(raw->NewIterator());
    int i = 0;
    for (a->SeekToLast(), b->SeekToLast(); a->Valid(); a->Prev(), b->Prev(), i++) {
      ASSERT_TRUE(b->Valid());
      ASSERT_EQ(b->key().ToString(), a->key().ToString());
      ASSERT_EQ(b->value().ToString(), a->value().ToString());
    }
    EXPECT_FALSE(b->Valid());
    EXPECT_EQ(kN, i);
    Status s;
    EXPECT_EQ(Value(1234), Get(*lz, Key(1234), &s).value);
    EXPECT_TRUE(s.ok());
  }
}

TEST(TableTest, FormatVersionOneTablesStillOpen) {
  MemEnv env;
  TableOptions options;
  options.compress_values = false;  // what version 1 wrote
  ASSERT_TRUE(BuildTable(&env, "v1.sst", 1000, options).ok());
  SetFooterVersion(env.Contents("v1.sst"), 1);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "v1.sst", true, &table).ok());
  Status s;
  EXPECT_EQ(Value(999), Get(*table, Key(999), &s).value);
  EXPECT_TRUE(s.ok());
}

// What a compaction does: copying a table's entries through StoredValue()
// writes the same bytes as compressing every value again.
TEST(TableTest, StoredValuesCopyWithoutRecompressing) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "a.sst", 3000).ok());
  std::unique_ptr<Table> a;
  ASSERT_TRUE(Table::Open(TableOptions(), &env, "a.sst", true, &a).ok());
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env.NewWritableFile("b.sst", &file).ok());
  TableBuilder builder(TableOptions(), file.get());
  std::unique_ptr<Iterator> it(a->NewIterator());
  int stored_count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Slice stored;
    const bool has_stored = it->StoredValue(&stored);
    stored_count += has_stored ? 1 : 0;
    builder.Add(it->key(), it->value(), has_stored ? &stored : nullptr);
  }
  ASSERT_TRUE(builder.Finish().ok());
  EXPECT_EQ(3000, stored_count);
  EXPECT_EQ(*env.Contents("a.sst"), *env.Contents("b.sst"));

  // A builder that does not compress takes the decoded value instead.
  TableOptions raw;
  raw.compress_values = false;
  ASSERT_TRUE(env.NewWritableFile("c.sst", &file).ok());
  TableBuilder raw_builder(raw, file.get());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Slice stored;
    ASSERT_TRUE(it->StoredValue(&stored));
    raw_builder.Add(it->key(), it->value(), &stored);
  }
  ASSERT_TRUE(raw_builder.Finish().ok());
  ASSERT_TRUE(BuildTable(&env, "d.sst", 3000, raw).ok());
  EXPECT_EQ(*env.Contents("d.sst"), *env.Contents("c.sst"));
}

// Damage behind a valid checksum (a buggy writer, or a collision) is still
// Corruption, not garbage or a crash: here the first value's codec byte.
TEST(TableTest, ValueThatDoesNotDecodeIsCorruption) {
  MemEnv env;
  ASSERT_TRUE(BuildTable(&env, "z.sst", 1000).ok());
  std::string* file = env.Contents("z.sst");
  uint8_t type = 0;
  const size_t n = FirstBlockSize(*file, &type);
  ASSERT_EQ(kLzValuesBlock, type);
  // Entry 0: shared, non_shared, value_len (one byte each), the key, then
  // the value's codec byte.
  const size_t codec_at = 3 + Key(0).size();
  ASSERT_EQ('\0', (*file)[codec_at]);
  (*file)[codec_at] = 7;
  EncodeFixed32(&(*file)[n + 1], crc32c::Mask(crc32c::Value(file->data(), n + 1)));
  for (bool mmap : {true, false}) {
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(TableOptions(), &env, "z.sst", mmap, &table).ok());
    std::unique_ptr<Iterator> it(table->NewIterator());
    it->SeekToFirst();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ("", it->value().ToString());  // what was read is flagged below
    it->Next();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption());
    EXPECT_TRUE(Contains(it->status().message(), "z.sst")) << it->status().message();
    EXPECT_TRUE(Contains(it->status().message(), "does not decode")) << it->status().message();

    Status s;
    Get(*table, Key(0), &s);
    EXPECT_TRUE(s.IsCorruption()) << s.message();
    EXPECT_EQ(Value(1), Get(*table, Key(1), &s).value);  // the next value is fine
    EXPECT_TRUE(s.ok());
  }
}

// Every byte of a table flipped in turn: the damage must surface as
// Corruption on open or while reading everything, and no read may return
// data that differs from what was written (R5; the DB's fault tests rely on
// it).
TEST(TableTest, EveryFlippedByteIsDetected) {
  constexpr int kN = 300;
  MemEnv env;
  TableOptions options;
  options.block_size = 512;
  ASSERT_TRUE(BuildTable(&env, "x.sst", kN, options).ok());
  const std::string good = *env.Contents("x.sst");
  for (bool mmap : {true, false}) {
    for (size_t pos = 0; pos < good.size(); pos++) {
      std::string bad = good;
      bad[pos] ^= static_cast<char>(1 << (pos % 8));
      env.SetContents("x.sst", bad);
      std::unique_ptr<Table> table;
      Status s = Table::Open(options, &env, "x.sst", mmap, &table);
      if (!s.ok()) {
        ASSERT_TRUE(s.IsCorruption()) << pos << ": " << s.message();
        ASSERT_TRUE(Contains(s.message(), "x.sst")) << s.message();
        continue;
      }
      bool detected = false;
      std::unique_ptr<Iterator> it(table->NewIterator());
      int i = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
        ASSERT_LT(i, kN);
        ASSERT_EQ(Key(i), it->key().ToString()) << pos;
        ASSERT_EQ(Value(i), it->value().ToString()) << pos;
      }
      if (!it->status().ok()) {
        ASSERT_TRUE(it->status().IsCorruption()) << pos;
        detected = true;
      }
      for (int k = 0; k < kN; k += 10) {
        GetResult r = Get(*table, Key(k), &s);
        if (!s.ok()) {
          ASSERT_TRUE(s.IsCorruption());
          detected = true;
        } else if (r.calls == 1 && r.key == Key(k)) {
          ASSERT_EQ(Value(k), r.value);
        }
      }
      ASSERT_TRUE(detected) << "byte " << pos << " flip unnoticed";
    }
  }
}

// ---- Through the real POSIX Env ----

class PosixTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lsm_table_test_XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(tmpl));
    dir_ = tmpl;
  }
  void TearDown() override {
    std::vector<std::string> children;
    Env* env = Env::Default();
    if (env->GetChildren(dir_, &children).ok()) {
      for (const auto& c : children) (void)env->RemoveFile(dir_ + "/" + c);
    }
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(PosixTableTest, RoundTripThroughMappedAndPreadFiles) {
  Env* env = Env::Default();
  const std::string fname = dir_ + "/000001.sst";
  ASSERT_TRUE(BuildTable(env, fname, 50000).ok());
  for (bool mmap : {true, false}) {
    std::unique_ptr<Table> table;
    Status s = Table::Open(TableOptions(), env, fname, mmap, &table);
    ASSERT_TRUE(s.ok()) << s.message();
    std::unique_ptr<Iterator> it(table->NewIterator());
    int i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      ASSERT_EQ(Key(i), it->key().ToString());
      ASSERT_EQ(Value(i), it->value().ToString());
    }
    EXPECT_EQ(50000, i);
    GetResult r = Get(*table, Key(31337), &s);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(Value(31337), r.value);
  }
}

// Resident bytes of the mapping of `fname` in this process (0 if unmapped).
uint64_t MappedRssBytes(const std::string& fname) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    // A mapping's header starts with its lower-case hex address; its
    // fields ("Rss:", ...) with a capital letter.
    const bool header = !line.empty() && (isdigit(line[0]) || (line[0] >= 'a' && line[0] <= 'f'));
    if (header) in = line.size() >= fname.size() && line.compare(line.size() - fname.size(), fname.size(), fname) == 0;
    if (in && line.rfind("Rss:", 0) == 0) return std::stoull(line.substr(4)) << 10;
  }
  return 0;
}

// On a real mapping the passed pages leave the resident set, and the table
// still reads back whole (they are mapped again from the page cache).
TEST_F(PosixTableTest, ReleaseBehindDropsAMappedTablesPagesAndItStillReads) {
  Env* env = Env::Default();
  const std::string fname = dir_ + "/000003.sst";
  constexpr int kN = 100000;
  ASSERT_TRUE(BuildTable(env, fname, kN).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), env, fname, true, &table).ok());
  const uint64_t data = table->DataEndOffset();
  ASSERT_GT(data, 1u << 20);
  for (bool release : {false, true, false}) {
    std::unique_ptr<Iterator> it(table->NewIterator(release));
    int i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
      ASSERT_EQ(Key(i), it->key().ToString());
      ASSERT_EQ(Value(i), it->value().ToString());
    }
    EXPECT_EQ(kN, i);
    const uint64_t rss = MappedRssBytes(fname);
    if (release) {
      EXPECT_LT(rss, data / 2) << "of " << data;
    } else {
      EXPECT_GE(rss, data) << "a plain scan maps every data page";
    }
  }
}

TEST_F(PosixTableTest, CorruptFileOnDiskIsCorruptionNamingFile) {
  Env* env = Env::Default();
  const std::string fname = dir_ + "/000002.sst";
  ASSERT_TRUE(BuildTable(env, fname, 1000).ok());
  std::string data;
  ASSERT_TRUE(env->ReadFileToString(fname, &data).ok());
  data[10] ^= 0x40;
  ASSERT_TRUE(env->WriteStringToFile(data, fname, false).ok());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(Table::Open(TableOptions(), env, fname, true, &table).ok());
  std::unique_ptr<Iterator> it(table->NewIterator());
  it->SeekToFirst();
  EXPECT_TRUE(it->status().IsCorruption());
  const std::string msg = it->status().message();
  EXPECT_TRUE(Contains(msg, fname)) << msg;

  ASSERT_TRUE(env->WriteStringToFile("tiny", fname, false).ok());
  Status s = Table::Open(TableOptions(), env, fname, true, &table);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(Contains(s.message(), fname)) << s.message();
}

}  // namespace
}  // namespace lsm
