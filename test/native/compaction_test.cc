// Leveled compaction through lsm::DB: tombstones never resurrect data (R7,
// the prototype's P0-3), snapshots keep the versions they see, a randomized
// model test against std::map with reopens, readers and writers during
// compactions, L0 write stalls, corrupt and failing inputs, obsolete table
// deletion (R4) and CompactRange. Each test works in its own /tmp directory.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/compaction.h"
#include "db/db_impl.h"
#include "db/filename.h"
#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/options.h"
#include "util/random.h"

namespace lsm {
namespace {

using test::FaultInjectionEnv;
using test::FaultOp;

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%08d", i);
  return buf;
}

std::string Value(int i, int version = 0, size_t size = 100) {
  std::string v = "v" + std::to_string(i) + "." + std::to_string(version) + "-";
  while (v.size() < size) v.push_back(static_cast<char>('a' + (v.size() + i) % 26));
  return v;
}

std::vector<uint64_t> TableFiles(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  std::vector<uint64_t> out;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type == FileType::kTableFile) out.push_back(number);
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t DirBytes(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  uint64_t total = 0;
  for (const std::string& name : names) {
    uint64_t size = 0;
    if (Env::Default()->GetFileSize(dir + "/" + name, &size).ok()) total += size;
  }
  return total;
}

class CountingListener final : public EventListener {
 public:
  void OnCompactionCompleted(const CompactionInfo& info) override {
    std::lock_guard<std::mutex> l(mu);
    compactions.push_back(info);
  }
  void OnStallBegin(StallReason reason) override { stall_begins[static_cast<int>(reason)]++; }
  void OnStallEnd(StallReason reason, uint64_t) override { stall_ends[static_cast<int>(reason)]++; }
  void OnBackgroundError(const Status& s) override {
    std::lock_guard<std::mutex> l(mu);
    errors.push_back(s);
  }
  std::mutex mu;
  std::vector<CompactionInfo> compactions;
  std::vector<Status> errors;
  std::atomic<int> stall_begins[kNumStallReasons] = {};
  std::atomic<int> stall_ends[kNumStallReasons] = {};
};

class CompactionTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lsm_compaction_testXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    listener_ = std::make_shared<CountingListener>();
    options_.listener = listener_;
    // Small everything, so a few thousand keys make many files and levels.
    options_.write_buffer_size = 64 << 10;
    options_.level_base = 256 << 10;
    options_.level_ratio = 4;
    options_.target_file_size = 64 << 10;
  }
  void TearDown() override {
    db_.reset();
    test::RemoveDirectory(dir_);
  }

  void Open() {
    db_.reset();
    Status s = DB::Open(options_, dir_, &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Reopen() {
    ASSERT_TRUE(db_->Close().ok());
    Open();
  }
  DBImpl* impl() { return static_cast<DBImpl*>(db_.get()); }

  void Put(const std::string& k, const std::string& v) {
    Status s = db_->Put(WriteOptions(), k, v);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Del(const std::string& k) {
    Status s = db_->Delete(WriteOptions(), k);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string Get(const std::string& k, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db_->Get(ro, k, &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return v;
  }
  DBStats Stats() {
    DBStats st;
    db_->GetStats(&st);
    return st;
  }
  uint64_t FilesAt(int level) { return Stats().levels[level].files; }
  int DeepestLevelWithFiles() {
    DBStats st = Stats();
    int deepest = -1;
    for (const LevelStats& l : st.levels) {
      if (l.files > 0) deepest = l.level;
    }
    return deepest;
  }
  void CompactLevel(int level) {
    Status s = impl()->TEST_CompactRange(level, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Flush() {
    Status s = db_->Flush();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Every key of the DB, through an iterator.
  std::map<std::string, std::string> Scan() {
    std::map<std::string, std::string> out;
    std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  std::string dir_;
  Options options_;
  std::shared_ptr<CountingListener> listener_;
  std::unique_ptr<DB> db_;
};

// ---------------------------------------------------------------------------
// P0-3: tombstones (R7)

TEST_F(CompactionTest, TombstoneOverDeeperDataIsKeptByL0ToL1) {
  options_.disable_auto_compactions = true;
  Open();
  Put("x", "old");
  Put("a", "1");
  Flush();
  CompactLevel(0);  // L0 -> L1
  CompactLevel(1);  // L1 -> L2
  ASSERT_EQ(DeepestLevelWithFiles(), 2);
  ASSERT_EQ(FilesAt(0), 0u);

  Del("x");
  Flush();
  ASSERT_EQ(FilesAt(0), 1u);
  CompactLevel(0);  // L0 -> L1 only: L2 still holds "x", the tombstone must stay
  EXPECT_EQ(FilesAt(0), 0u);
  EXPECT_EQ(FilesAt(1), 1u);
  EXPECT_EQ(Stats().levels[1].files, 1u);
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  EXPECT_EQ(Get("a"), "1");

  Reopen();
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  CompactLevel(1);  // now the tombstone meets the value at the bottom: both go
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  EXPECT_EQ(Get("a"), "1");
  Reopen();
  EXPECT_EQ(Get("x"), "NOT_FOUND");
  EXPECT_EQ(Scan().size(), 1u);
}

TEST_F(CompactionTest, TenThousandTombstonesOverDeeperDataStayDeleted) {
  options_.disable_auto_compactions = true;
  Open();
  const int n = 10000;
  for (int i = 0; i < n; i++) Put(Key(i), Value(i));
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  CompactLevel(1);
  ASSERT_GE(DeepestLevelWithFiles(), 2);
  ASSERT_EQ(FilesAt(1), 0u);

  WriteBatch batch;
  for (int i = 0; i < n; i += 2) batch.Delete(Key(i));
  ASSERT_TRUE(db_->Write(WriteOptions(), &batch).ok());
  Flush();
  while (FilesAt(0) > 0) CompactLevel(0);  // L0 -> L1 only
  auto check = [&] {
    for (int i = 0; i < n; i++) {
      ASSERT_EQ(Get(Key(i)), i % 2 == 0 ? "NOT_FOUND" : Value(i)) << i;
    }
    ASSERT_EQ(Scan().size(), static_cast<size_t>(n / 2));
  };
  check();
  Reopen();
  check();
  CompactLevel(1);
  check();
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  check();
  Reopen();
  check();
  // Everything sits at the bottom now, with no tombstone left.
  DBStats st = Stats();
  EXPECT_EQ(st.levels[0].files, 0u);
}

TEST_F(CompactionTest, SnapshotKeepsOldVersionsThroughCompaction) {
  options_.disable_auto_compactions = true;
  Open();
  Put("k", "v1");
  Put("gone", "g1");
  const Snapshot* s1 = db_->GetSnapshot();
  Put("k", "v2");
  Del("gone");
  const Snapshot* s2 = db_->GetSnapshot();
  Put("k", "v3");
  Put("k", "v4");  // v3 is invisible to everyone
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  EXPECT_EQ(Get("k", s1), "v1");
  EXPECT_EQ(Get("gone", s1), "g1");
  EXPECT_EQ(Get("k", s2), "v2");
  EXPECT_EQ(Get("gone", s2), "NOT_FOUND");
  EXPECT_EQ(Get("k"), "v4");
  EXPECT_EQ(Get("gone"), "NOT_FOUND");
  // The tombstone is needed by nobody once s1 is gone, v1 once s1 is gone,
  // v2 once s2 is gone.
  db_->ReleaseSnapshot(s1);
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  EXPECT_EQ(Get("k", s2), "v2");
  EXPECT_EQ(Get("gone", s2), "NOT_FOUND");
  db_->ReleaseSnapshot(s2);
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  EXPECT_EQ(Get("k"), "v4");
  EXPECT_EQ(Get("gone"), "NOT_FOUND");
  DBStats st = Stats();
  uint64_t files = 0;
  for (const LevelStats& l : st.levels) files += l.files;
  EXPECT_EQ(files, 1u);
  // Only "k"@v4 remains: entries of the one table.
  std::vector<CompactionInfo> events;
  {
    std::lock_guard<std::mutex> l(listener_->mu);
    events = listener_->compactions;
  }
  ASSERT_FALSE(events.empty());
  EXPECT_GT(events.back().dropped_entries, 0u);
}

// ---------------------------------------------------------------------------
// Randomized model test

TEST_F(CompactionTest, RandomOpsMatchAModelAcrossCompactionsAndReopens) {
  uint32_t seed = static_cast<uint32_t>(time(nullptr));
  if (const char* env = getenv("LSM_COMPACTION_SEED")) seed = static_cast<uint32_t>(atoll(env));
  std::printf("RandomOpsMatchAModel seed=%u (replay: LSM_COMPACTION_SEED=%u)\n", seed, seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  options_.write_buffer_size = 16 << 10;
  options_.level_base = 64 << 10;
  options_.level_ratio = 3;
  options_.target_file_size = 16 << 10;
  options_.l0_compaction_trigger = 2;
  options_.compaction_threads = 2;
  Open();
  std::map<std::string, std::string> model;
  const int kOps = 60000;
  const int kKeys = 3000;
  for (int op = 0; op < kOps; op++) {
    const int k = static_cast<int>(rnd.Uniform(kKeys));
    const uint32_t r = rnd.Uniform(100);
    if (r < 60) {
      const std::string v = Value(k, op, 20 + rnd.Uniform(60));
      Put(Key(k), v);
      model[Key(k)] = v;
    } else if (r < 90) {
      Del(Key(k));
      model.erase(Key(k));
    } else {
      // Delete a whole run of keys in one batch.
      WriteBatch b;
      for (int j = k; j < std::min(kKeys, k + 20); j++) {
        b.Delete(Key(j));
        model.erase(Key(j));
      }
      ASSERT_TRUE(db_->Write(WriteOptions(), &b).ok());
    }
    if (op % 997 == 0) {
      const int probe = static_cast<int>(rnd.Uniform(kKeys));
      auto it = model.find(Key(probe));
      ASSERT_EQ(Get(Key(probe)), it == model.end() ? "NOT_FOUND" : it->second) << "op " << op;
    }
    if (op % 15000 == 14999) {
      Reopen();
      ASSERT_EQ(Scan(), model) << "after reopen at op " << op;
    }
    if (op == kOps / 2) ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  }
  ASSERT_EQ(Scan(), model);
  for (int k = 0; k < kKeys; k++) {
    auto it = model.find(Key(k));
    ASSERT_EQ(Get(Key(k)), it == model.end() ? "NOT_FOUND" : it->second) << k;
  }
  {
    // Stats restart with each open; the listener saw every compaction.
    std::lock_guard<std::mutex> l(listener_->mu);
    EXPECT_GT(listener_->compactions.size(), 100u);
  }
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  ASSERT_EQ(Scan(), model);
  Reopen();
  ASSERT_EQ(Scan(), model);
}

// ---------------------------------------------------------------------------
// Concurrency

TEST_F(CompactionTest, ReadersAndWritersRunDuringCompactions) {
  options_.write_buffer_size = 16 << 10;
  options_.level_base = 64 << 10;
  options_.target_file_size = 16 << 10;
  options_.l0_compaction_trigger = 2;
  options_.compaction_threads = 2;
  Open();
  const int kWriters = 2;
  const int kKeysPerWriter = 500;
  const int kRounds = 8;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < kRounds; round++) {
        for (int i = 0; i < kKeysPerWriter; i++) {
          const int k = w * kKeysPerWriter + i;
          if (!db_->Put(WriteOptions(), Key(k), Value(k, round)).ok()) errors++;
        }
      }
    });
  }
  for (int r = 0; r < 2; r++) {
    threads.emplace_back([&, r] {
      Random rnd(r + 1);
      while (!done.load()) {
        const int k = static_cast<int>(rnd.Uniform(kWriters * kKeysPerWriter));
        std::string v;
        Status s = db_->Get(ReadOptions(), Key(k), &v);
        if (s.IsNotFound()) continue;
        // Any round's value is fine; it must be this key's.
        if (!s.ok() || v.compare(0, ("v" + std::to_string(k) + ".").size(),
                                 "v" + std::to_string(k) + ".") != 0) {
          errors++;
        }
      }
    });
  }
  threads.emplace_back([&] {
    while (!done.load()) {
      std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
      std::string prev;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (!prev.empty() && it->key().ToString() <= prev) errors++;
        prev = it->key().ToString();
      }
      if (!it->status().ok()) errors++;
    }
  });
  for (int w = 0; w < kWriters; w++) threads[w].join();
  done.store(true);
  for (size_t i = kWriters; i < threads.size(); i++) threads[i].join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(Stats().compactions, 0u);
  for (int k = 0; k < kWriters * kKeysPerWriter; k++) {
    ASSERT_EQ(Get(Key(k)), Value(k, kRounds - 1)) << k;
  }
  EXPECT_TRUE(db_->BackgroundError().ok());
}

// A flush is counted once its table is in the tree: a reader of stats()
// that sees n flushes sees n L0 tables (nothing compacts them here), and
// Flush() returns after both.
TEST_F(CompactionTest, StatsCountAFlushOnlyOnceItsTableIsInTheTree) {
  options_.disable_auto_compactions = true;
  options_.read_triggered_compaction = false;
  options_.l0_slowdown_trigger = 1000;
  options_.l0_stop_trigger = 1000;
  Open();
  constexpr uint64_t kFlushes = 20;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    const std::string value(1000, 'v');
    // Bounded: a failing Put must not spin forever (~1,300 puts suffice).
    for (int i = 0; i < 100000 && Stats().flushes < kFlushes; i++) Put(Key(i), value);
    done = true;
  });
  uint64_t polls = 0;
  while (!done) {
    const DBStats st = Stats();
    polls++;
    if (st.levels[0].files < st.flushes) {
      ADD_FAILURE() << st.flushes << " flushes but " << st.levels[0].files << " L0 tables, poll " << polls;
      break;
    }
  }
  writer.join();
  // And Flush() returns once its flush is counted and its table is in.
  Flush();  // the writer's last memtables
  for (int i = 0; i < 10; i++) {
    Put("flush" + std::to_string(i), "v");
    const uint64_t before = Stats().flushes;
    Flush();
    const DBStats st = Stats();
    EXPECT_EQ(st.flushes, before + 1);
    EXPECT_EQ(st.levels[0].files, st.flushes);
  }
}

TEST_F(CompactionTest, L0StallsEngageAndReleaseWithoutLosingWrites) {
  options_.write_buffer_size = 8 << 10;
  options_.l0_compaction_trigger = 2;
  options_.l0_slowdown_trigger = 3;
  options_.l0_stop_trigger = 4;
  options_.max_immutable_memtables = 4;
  // Compaction cannot keep up: while one runs, a writer slowed to ~1 ms a
  // put still fills an 8 KiB memtable, so L0 reaches the stop trigger even
  // on a loaded machine (30 ms was not always enough).
  options_.test_compaction_delay_ms = 100;
  Open();
  const int n = 1000;
  for (int i = 0; i < n; i++) Put(Key(i), Value(i));
  DBStats st = Stats();
  EXPECT_GT(st.stall_reasons[static_cast<int>(StallReason::kL0Slowdown)].count, 0u);
  EXPECT_GT(st.stall_reasons[static_cast<int>(StallReason::kL0Stop)].count, 0u);
  EXPECT_GT(st.stall_reasons[static_cast<int>(StallReason::kL0Stop)].micros, 0u);
  EXPECT_GE(st.stalls, st.stall_reasons[1].count + st.stall_reasons[2].count);
  EXPECT_GT(listener_->stall_begins[static_cast<int>(StallReason::kL0Stop)].load(), 0);
  EXPECT_EQ(listener_->stall_begins[static_cast<int>(StallReason::kL0Stop)].load(),
            listener_->stall_ends[static_cast<int>(StallReason::kL0Stop)].load());
  EXPECT_GT(listener_->stall_begins[static_cast<int>(StallReason::kL0Slowdown)].load(), 0);
  EXPECT_LE(st.levels[0].files,
            static_cast<uint64_t>(options_.l0_stop_trigger + options_.max_immutable_memtables));
  for (int i = 0; i < n; i++) ASSERT_EQ(Get(Key(i)), Value(i)) << i;
  Reopen();
  for (int i = 0; i < n; i++) ASSERT_EQ(Get(Key(i)), Value(i)) << i;
}

// ---------------------------------------------------------------------------
// Errors

TEST_F(CompactionTest, CorruptInputAbortsTheCompactionWithCorruption) {
  options_.disable_auto_compactions = true;
  options_.write_buffer_size = 4 << 20;
  Open();
  for (int i = 0; i < 2000; i++) Put(Key(i), Value(i));
  Flush();
  for (int i = 0; i < 2000; i += 3) Put(Key(i), Value(i, 1));
  Flush();
  ASSERT_TRUE(db_->Close().ok());
  // Damage a byte inside the first data block of the oldest table (blocks
  // are checksummed on every read; Open verifies only footer and index).
  const std::vector<uint64_t> tables = TableFiles(dir_);
  ASSERT_EQ(tables.size(), 2u);
  const std::string victim = TableFileName(dir_, tables[0]);
  std::string data;
  ASSERT_TRUE(Env::Default()->ReadFileToString(victim, &data).ok());
  data[200] ^= 0x55;
  ASSERT_TRUE(Env::Default()->WriteStringToFile(data, victim, true).ok());

  Open();
  Status s = impl()->TEST_CompactRange(0, nullptr);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(std::to_string(tables[0])), std::string::npos) << s.ToString();
  EXPECT_TRUE(db_->BackgroundError().IsCorruption());
  EXPECT_TRUE(db_->Put(WriteOptions(), "new", "x").IsReadOnly());
  // Nothing was installed: both inputs are still live and on disk.
  EXPECT_EQ(FilesAt(0), 2u);
  EXPECT_EQ(TableFiles(dir_), tables);
  EXPECT_EQ(Get(Key(1999)), Value(1999));
  {
    std::lock_guard<std::mutex> l(listener_->mu);
    ASSERT_EQ(listener_->errors.size(), 1u);
    EXPECT_TRUE(listener_->errors[0].IsCorruption());
  }
}

TEST_F(CompactionTest, IOErrorInCompactionIsStickyAndLosesNothing) {
  auto env = std::make_unique<FaultInjectionEnv>();
  options_.env = env.get();
  options_.disable_auto_compactions = true;
  Open();
  for (int i = 0; i < 3000; i++) Put(Key(i), Value(i));
  Flush();
  const std::vector<uint64_t> before = TableFiles(dir_);
  env->FailNth(FaultOp::kSync, 1, test::FaultKind::kNoSpace, ".sst");
  Status s = impl()->TEST_CompactRange(0, nullptr);
  ASSERT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(db_->BackgroundError().IsNoSpace());
  EXPECT_TRUE(db_->Put(WriteOptions(), "new", "x").IsReadOnly());
  EXPECT_EQ(TableFiles(dir_), before);  // the partial output is gone
  for (int i = 0; i < 3000; i += 7) ASSERT_EQ(Get(Key(i)), Value(i));
  db_->Close().ok();
  env->ClearFaults();
  Open();
  for (int i = 0; i < 3000; i++) ASSERT_EQ(Get(Key(i)), Value(i));
  db_.reset();
}

// ---------------------------------------------------------------------------
// R4 and CompactRange

TEST_F(CompactionTest, ObsoleteTablesAreDeletedOnlyAfterReadersLetGo) {
  options_.disable_auto_compactions = true;
  options_.write_buffer_size = 4 << 20;
  Open();
  for (int i = 0; i < 1000; i++) Put(Key(i), Value(i));
  Flush();
  for (int i = 0; i < 1000; i++) Put(Key(i), Value(i, 1));
  Flush();
  const std::vector<uint64_t> inputs = TableFiles(dir_);
  ASSERT_EQ(inputs.size(), 2u);
  // An iterator pins the current tables.
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  CompactLevel(0);
  std::vector<uint64_t> now = TableFiles(dir_);
  for (uint64_t n : inputs) {
    EXPECT_TRUE(std::binary_search(now.begin(), now.end(), n)) << "deleted under a reader: " << n;
  }
  int count = 0;
  for (; it->Valid(); it->Next()) {
    ASSERT_EQ(it->value().ToString(), Value(count, 1));
    count++;
  }
  EXPECT_EQ(count, 1000);
  ASSERT_TRUE(it->status().ok());
  it.reset();
  now = TableFiles(dir_);
  for (uint64_t n : inputs) {
    EXPECT_FALSE(std::binary_search(now.begin(), now.end(), n)) << "not deleted: " << n;
  }
  EXPECT_EQ(Stats().tables_deleted, 2u);
}

TEST_F(CompactionTest, CompactRangeReclaimsSpaceAndReportsProgress) {
  Open();
  const int n = 20000;
  for (int i = 0; i < n; i++) Put(Key(i), Value(i));
  Flush();
  uint64_t peak = DirBytes(dir_);
  WriteBatch batch;
  for (int i = 0; i < n; i++) batch.Delete(Key(i));
  ASSERT_TRUE(db_->Write(WriteOptions(), &batch).ok());
  Flush();
  peak = std::max(peak, DirBytes(dir_));
  {
    std::lock_guard<std::mutex> l(listener_->mu);
    listener_->compactions.clear();
  }
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  EXPECT_LT(DirBytes(dir_), peak / 20);
  DBStats st = Stats();
  for (const LevelStats& l : st.levels) EXPECT_EQ(l.files, 0u) << "level " << l.level;
  EXPECT_TRUE(Scan().empty());
  std::vector<CompactionInfo> manual;
  {
    std::lock_guard<std::mutex> l(listener_->mu);
    for (const CompactionInfo& c : listener_->compactions) {
      if (c.manual) manual.push_back(c);
    }
  }
  ASSERT_FALSE(manual.empty());
  for (size_t i = 0; i < manual.size(); i++) {
    EXPECT_LE(manual[i].files_done, manual[i].files_total);
    EXPECT_LE(manual[i].bytes_done, manual[i].bytes_total);
    if (i > 0) EXPECT_GT(manual[i].files_done, manual[i - 1].files_done);
  }
  EXPECT_EQ(manual.back().files_done, manual.back().files_total);
  EXPECT_EQ(manual.back().bytes_done, manual.back().bytes_total);
  EXPECT_GT(st.write_amplification, 1.0);
  EXPECT_GT(st.compaction_bytes_read, 0u);
}

TEST_F(CompactionTest, LevelsKeepTheirShapeUnderAutomaticCompaction) {
  options_.l0_compaction_trigger = 2;
  Open();
  Random rnd(7);
  for (int i = 0; i < 30000; i++) {
    const int k = static_cast<int>(rnd.Uniform(20000));
    Put(Key(k), Value(k, i));
  }
  Flush();
  // Let background compaction settle.
  for (int tries = 0; tries < 200; tries++) {
    DBStats st = Stats();
    bool due = false;
    for (const LevelStats& l : st.levels) due |= l.score >= 1;
    if (!due) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  DBStats st = Stats();
  EXPECT_GT(st.compactions, 0u);
  EXPECT_LT(st.levels[0].files, 2u + 1);
  for (const LevelStats& l : st.levels) EXPECT_LT(l.score, 1.0) << "level " << l.level;
  // Files of a level >= 1 do not overlap.
  std::shared_ptr<const Version> v = impl()->TEST_CurrentVersion();
  for (int level = 1; level < DB::kNumLevels; level++) {
    for (size_t i = 1; i < v->files[level].size(); i++) {
      EXPECT_LT(ExtractUserKey(v->files[level][i - 1]->largest)
                    .compare(ExtractUserKey(v->files[level][i]->smallest)),
                0)
          << "level " << level;
    }
  }
}


// ---------------------------------------------------------------------------
// Read-triggered compaction (version_set.h): reads that look past a table
// pay for its compaction.

class ReadCompactionTest : public CompactionTest {
 protected:
  static constexpr int kKeys = 2000;
  // Even keys in L1, odd keys in one L0 table spanning them: a get of an
  // even key looks in the L0 table first (its bloom filter says no), then
  // in L1.
  void LoadTableOverLevel() {
    for (int i = 0; i < kKeys; i += 2) Put(Key(i), "deep");
    Flush();
    CompactLevel(0);
    for (int i = 1; i < kKeys; i += 2) Put(Key(i), "new");
    Flush();
    ASSERT_EQ(FilesAt(0), 1u);
    ASSERT_EQ(FilesAt(1), 1u);
  }
  // Reads charging `nanos` each that pay for compacting the L0 table with
  // L1 twice over (and reach twice the 1 ms step at which the picker first
  // looks).
  uint64_t ReadsToPayTwice(uint64_t nanos) {
    const DBStats st = Stats();
    const uint64_t cost = CompactionCostNanos(st.levels[0].bytes + st.levels[1].bytes);
    return 2 * std::max<uint64_t>(cost, 1000000) / nanos;
  }
  // Gets of even keys (parity 0) or odd ones (1), ReadsToPayTwice of them.
  void GetMany(int parity) {
    const uint64_t gets = ReadsToPayTwice(kGetChargeNanos);
    for (uint64_t i = 0; i < gets; i++) {
      ASSERT_EQ(Get(Key(static_cast<int>(2 * (i % (kKeys / 2))) + parity)), parity == 0 ? "deep" : "new");
    }
  }
  bool WaitForReadCompaction() {
    for (int i = 0; i < 1000 && Stats().read_compactions == 0; i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Stats().read_compactions > 0;
  }
  void ExpectNoReadCompaction() {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(Stats().read_compactions, 0u);
    EXPECT_EQ(FilesAt(0), 1u);
  }
  void ExpectAllKeys() {
    for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), i % 2 == 0 ? "deep" : "new") << i;
  }
};

TEST_F(ReadCompactionTest, GetsThatLookPastATableCompactIt) {
  Open();
  LoadTableOverLevel();
  // Keys found in the first table a get looks at charge nothing.
  GetMany(1);
  ExpectNoReadCompaction();
  GetMany(0);
  ASSERT_TRUE(WaitForReadCompaction());
  EXPECT_EQ(FilesAt(0), 0u);
  ExpectAllKeys();
}

TEST_F(ReadCompactionTest, SeeksThatLookPastATableCompactIt) {
  Open();
  LoadTableOverLevel();
  const uint64_t seeks = ReadsToPayTwice(kSeekChargeNanos);
  {
    std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
    for (uint64_t i = 0; i < seeks; i++) {
      const std::string k = Key(static_cast<int>(2 * (i % (kKeys / 2))));
      it->Seek(k);
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key().ToString(), k);
    }
  }
  ASSERT_TRUE(WaitForReadCompaction());
  EXPECT_EQ(FilesAt(0), 0u);
  ExpectAllKeys();
}

// The active memtable, a quarter full or more, over a level: gets of keys it
// does not hold look past it (its bloom filter says no).
TEST_F(ReadCompactionTest, GetsPastAnIdleMemtableFlushIt) {
  Open();
  for (int i = 0; i < kKeys; i += 2) Put(Key(i), "deep");
  Flush();
  CompactLevel(0);
  int next = 1;
  while (Stats().memtable_bytes < options_.write_buffer_size / 4) {
    Put(Key(next), "new");
    next += 2;
  }
  const DBStats st = Stats();
  ASSERT_EQ(st.flushes, 1u);
  const uint64_t gets = 2 * std::max<uint64_t>(CompactionCostNanos(st.memtable_bytes), 1000000) / kGetChargeNanos;
  // A write resets the charges: reads only pay for a memtable nobody writes.
  for (int round = 0; round < 4; round++) {
    for (uint64_t i = 0; i < gets / 3; i++) ASSERT_EQ(Get(Key(static_cast<int>(2 * (i % (kKeys / 2))))), "deep");
    Put(Key(next), "new");
    next += 2;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Stats().read_flushes, 0u);
  EXPECT_EQ(Stats().flushes, 1u);
  // Without writes, the gets pay for the flush. They stop once it is asked
  // for: more gets would charge the new L0 table and could compact it too.
  for (uint64_t i = 0; i < gets && Stats().read_flushes == 0; i++) {
    ASSERT_EQ(Get(Key(static_cast<int>(2 * (i % (kKeys / 2))))), "deep");
  }
  for (int i = 0; i < 1000 && Stats().flushes < 2; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(Stats().read_flushes, 1u);
  EXPECT_EQ(Stats().flushes, 2u);
  EXPECT_EQ(FilesAt(0), 1u);
  for (int i = 0; i < kKeys; i++) ASSERT_EQ(Get(Key(i)), i % 2 == 0 ? "deep" : (i < next ? "new" : "NOT_FOUND")) << i;
}

TEST_F(ReadCompactionTest, OffWhenDisabled) {
  options_.read_triggered_compaction = false;
  Open();
  LoadTableOverLevel();
  GetMany(0);
  ExpectNoReadCompaction();
  EXPECT_EQ(Stats().read_flushes, 0u);
}

// The picker, on hand-built Versions: Ln -> Ln+1 takes the idle file that
// overlaps the fewest Ln+1 bytes per byte it holds, and weighs deletions.
std::shared_ptr<FileMetaData> PickerFile(uint64_t number, const std::string& lo,
                                         const std::string& hi, uint64_t size,
                                         uint64_t entries = 100, uint64_t deletions = 0) {
  auto f = std::make_shared<FileMetaData>();
  f->number = number;
  f->file_size = size;
  AppendInternalKey(&f->smallest, lo, 1, kTypeValue);
  AppendInternalKey(&f->largest, hi, 1, kTypeValue);
  f->num_entries = entries;
  f->num_deletions = deletions;
  return f;
}

TEST(CompactionPickerTest, LevelPicksTheFileWithTheLeastOverlapPerByte) {
  Options options;
  options.level_base = 1000;  // L1 is over its target with these files
  CompactionPicker picker(&options);
  auto v = std::make_shared<Version>();
  // L1: "a".."c" overlaps 3,000 bytes of L2, "d".."f" 500, "g".."i" 1,000.
  v->files[1] = {PickerFile(1, "a", "c", 1000), PickerFile(2, "d", "f", 1000),
                 PickerFile(3, "g", "i", 1000)};
  v->files[2] = {PickerFile(10, "a", "b", 1500), PickerFile(11, "b1", "c", 1500),
                 PickerFile(12, "e", "e", 500), PickerFile(13, "h", "z", 1000)};
  std::unique_ptr<Compaction> c = picker.PickCompaction(v, {});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level(), 1);
  ASSERT_EQ(c->inputs(0).size(), 1u);
  EXPECT_EQ(c->inputs(0)[0]->number, 2u);
  ASSERT_EQ(c->inputs(1).size(), 1u);
  EXPECT_EQ(c->inputs(1)[0]->number, 12u);

  // Busy files are passed over: the next cheapest, then the dearest.
  c = picker.PickCompaction(v, {2});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->inputs(0)[0]->number, 3u);
  c = picker.PickCompaction(v, {2, 13});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->inputs(0)[0]->number, 1u);
  EXPECT_EQ(picker.PickCompaction(v, {1, 2, 3}), nullptr);

}

TEST(CompactionPickerTest, TombstonesWeighDouble) {
  Options options;
  options.level_base = 1000;
  CompactionPicker picker(&options);
  auto v = std::make_shared<Version>();
  // "a".."c" overlaps 2,000 bytes of L2, "d".."f" 1,000: by size alone the
  // second is cheaper (2.0 vs 1.0 bytes per byte).
  v->files[1] = {PickerFile(1, "a", "c", 1000), PickerFile(2, "d", "f", 1000)};
  v->files[2] = {PickerFile(10, "a", "c", 2000), PickerFile(11, "d", "f", 1000)};
  std::unique_ptr<Compaction> c = picker.PickCompaction(v, {});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->inputs(0)[0]->number, 2u);
  // All tombstones: weighed as 3,000 bytes, 0.67 bytes per byte, so it goes
  // first and frees what it shadows below.
  v->files[1][0] = PickerFile(1, "a", "c", 1000, 100, 100);
  c = picker.PickCompaction(v, {});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->inputs(0)[0]->number, 1u);
  ASSERT_EQ(c->inputs(1).size(), 1u);
  EXPECT_EQ(c->inputs(1)[0]->number, 10u);
}

TEST(CompactionPickerTest, ReadChargesThatPayForACompactionPickIt) {
  Options options;  // no level is over its target with these files
  CompactionPicker picker(&options);
  auto v = std::make_shared<Version>();
  v->files[1] = {PickerFile(1, "a", "c", 1000), PickerFile(2, "d", "f", 1000)};
  v->files[2] = {PickerFile(10, "a", "b", 1500), PickerFile(11, "e", "z", 3000)};
  EXPECT_EQ(picker.PickCompaction(v, {}), nullptr);
  // File 2 with L2's file 11: 4,000 bytes to compact. Charges that pay for
  // less than that do not pick it.
  const uint64_t cost = CompactionCostNanos(4000);
  v->files[1][1]->read_charges.nanos = cost - 1;
  EXPECT_EQ(picker.PickCompaction(v, {}), nullptr);
  v->files[1][1]->read_charges.nanos = std::max<uint64_t>(cost, ReadChargeStep(*v->files[1][1]));
  std::unique_ptr<Compaction> c = picker.PickCompaction(v, {});
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->read_triggered());
  EXPECT_EQ(c->level(), 1);
  ASSERT_EQ(c->inputs(0).size(), 1u);
  EXPECT_EQ(c->inputs(0)[0]->number, 2u);
  ASSERT_EQ(c->inputs(1).size(), 1u);
  EXPECT_EQ(c->inputs(1)[0]->number, 11u);
  // Not while one of its files is busy, nor when switched off.
  EXPECT_EQ(picker.PickCompaction(v, {11}), nullptr);
  options.read_triggered_compaction = false;
  EXPECT_EQ(picker.PickCompaction(v, {}), nullptr);
}

}  // namespace
}  // namespace lsm
