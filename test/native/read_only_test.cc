// Options::read_only (native/src/db/read_only_db.h): a reader opened while a
// writer in the same process holds the LOCK and writes, flushes and
// compacts; Refresh() catching up while old iterators and snapshots keep
// their state; writes rejected; nothing on disk touched.
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/filename.h"
#include "db/read_only_db.h"
#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/options.h"

namespace lsm {
namespace {

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

std::string Value(int i, int generation = 0) {
  return "value" + std::to_string(i) + "/" + std::to_string(generation) + std::string(60, 'x');
}

// Every file's name and size: what a reader must leave as it found it.
std::map<std::string, uint64_t> Listing(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  std::map<std::string, uint64_t> out;
  for (const std::string& n : names) {
    uint64_t size = 0;
    EXPECT_TRUE(Env::Default()->GetFileSize(dir + "/" + n, &size).ok());
    out[n] = size;
  }
  return out;
}

class ReadOnlyTest : public testing::Test {
 protected:
  ReadOnlyTest() {
    char tmpl[] = "/tmp/lsmkv-rotest-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    EXPECT_NE(nullptr, made);
    dir_ = made != nullptr ? made : "";
  }
  ~ReadOnlyTest() override {
    reader_.reset();
    writer_.reset();
    test::RemoveDirectory(dir_);
  }

  Options WriterOptions() {
    Options o;
    o.write_buffer_size = 16 << 10;
    o.block_size = 512;
    o.l0_compaction_trigger = 2;
    return o;
  }
  Options ReaderOptions() {
    Options o;
    o.read_only = true;
    return o;
  }
  void OpenWriter(const Options& o) {
    Status s = DB::Open(o, dir_, &writer_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void OpenReader() {
    Status s = DB::Open(ReaderOptions(), dir_, &reader_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Put(int i, int generation = 0) {
    Status s = writer_->Put(WriteOptions(), Key(i), Value(i, generation));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string Get(DB* db, int i, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    Status s = db->Get(ro, Key(i), &v);
    if (s.IsNotFound()) return "NOT_FOUND";
    return s.ok() ? v : s.ToString();
  }
  // Every key with its value, in order.
  static std::vector<std::pair<std::string, std::string>> Scan(Iterator* it) {
    std::vector<std::pair<std::string, std::string>> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  std::string dir_;
  std::unique_ptr<DB> writer_;
  std::unique_ptr<DB> reader_;
};

TEST_F(ReadOnlyTest, OpensWhileTheWriterHoldsTheLockAndSeesFlushedAndUnflushedWrites) {
  OpenWriter(WriterOptions());
  for (int i = 0; i < 300; i++) Put(i);
  ASSERT_TRUE(writer_->Flush().ok());
  for (int i = 300; i < 350; i++) Put(i);  // only in the WAL
  OpenReader();
  for (int i = 0; i < 350; i++) ASSERT_EQ(Value(i), Get(reader_.get(), i)) << i;
  EXPECT_EQ("NOT_FOUND", Get(reader_.get(), 350));
  std::unique_ptr<Iterator> it(reader_->NewIterator(ReadOptions(), KeyRange()));
  EXPECT_EQ(350u, Scan(it.get()).size());
  // And a second writer is still refused: the reader took no lock.
  std::unique_ptr<DB> second;
  EXPECT_TRUE(DB::Open(WriterOptions(), dir_, &second).IsLocked());
}

TEST_F(ReadOnlyTest, WritesAreRejectedWithReadOnly) {
  OpenWriter(WriterOptions());
  Put(1);
  OpenReader();
  EXPECT_TRUE(reader_->Put(WriteOptions(), "k", "v").IsReadOnly());
  EXPECT_TRUE(reader_->Delete(WriteOptions(), "k").IsReadOnly());
  EXPECT_TRUE(reader_->DeleteRange(WriteOptions(), KeyRange()).IsReadOnly());
  EXPECT_TRUE(reader_->Flush().IsReadOnly());
  EXPECT_TRUE(reader_->CompactRange(nullptr).IsReadOnly());
  Status async;
  reader_->WriteAsync(WriteOptions(), WriteBatch(), [&](const Status& s) { async = s; });
  EXPECT_TRUE(async.IsReadOnly());
  EXPECT_EQ(Value(1), Get(reader_.get(), 1));
}

TEST_F(ReadOnlyTest, MissingDirectoryFailsAndIsNotCreated) {
  const std::string missing = dir_ + "/nothing-here";
  Status s = DB::Open(ReaderOptions(), missing, &reader_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("does not exist")) << s.ToString();
  EXPECT_FALSE(Env::Default()->FileExists(missing));
}

TEST_F(ReadOnlyTest, ReaderCreatesWritesAndDeletesNothing) {
  Options o = WriterOptions();
  o.disable_auto_compactions = true;  // the directory holds still meanwhile
  OpenWriter(o);
  for (int i = 0; i < 200; i++) Put(i);
  ASSERT_TRUE(writer_->Flush().ok());
  for (int i = 200; i < 220; i++) Put(i);
  // A leftover the writer's next open would sweep (R9): a reader keeps it.
  ASSERT_TRUE(Env::Default()->WriteStringToFile("junk", TempFileName(dir_, 999999), false).ok());
  const auto before = Listing(dir_);
  OpenReader();
  ASSERT_TRUE(reader_->Refresh().ok());
  EXPECT_EQ(Value(219), Get(reader_.get(), 219));
  ASSERT_TRUE(reader_->Close().ok());
  reader_.reset();
  EXPECT_EQ(before, Listing(dir_));
}

TEST_F(ReadOnlyTest, RefreshSeesNewDataWhileOldIteratorsAndSnapshotsKeepTheirState) {
  OpenWriter(WriterOptions());
  for (int i = 0; i < 200; i++) Put(i, 0);
  ASSERT_TRUE(writer_->Flush().ok());
  OpenReader();
  std::unique_ptr<Iterator> old_it(reader_->NewIterator(ReadOptions(), KeyRange()));
  const Snapshot* snap = reader_->GetSnapshot();

  // Overwrite everything, flush, and compact: every table the reader opened
  // is obsolete and deleted by the writer.
  for (int i = 0; i < 200; i++) Put(i, 1);
  for (int i = 200; i < 250; i++) Put(i, 1);
  ASSERT_TRUE(writer_->CompactRange(nullptr).ok());
  EXPECT_EQ(Value(5, 0), Get(reader_.get(), 5));  // not refreshed yet

  ASSERT_TRUE(reader_->Refresh().ok());
  for (int i = 0; i < 250; i++) ASSERT_EQ(Value(i, 1), Get(reader_.get(), i)) << i;
  // The pinned state reads the deleted tables through their open mappings.
  auto old_rows = Scan(old_it.get());
  ASSERT_EQ(200u, old_rows.size());
  for (int i = 0; i < 200; i++) EXPECT_EQ(Value(i, 0), old_rows[i].second);
  EXPECT_EQ(Value(7, 0), Get(reader_.get(), 7, snap));
  EXPECT_EQ("NOT_FOUND", Get(reader_.get(), 220, snap));
  reader_->ReleaseSnapshot(snap);
  std::unique_ptr<Iterator> new_it(reader_->NewIterator(ReadOptions(), KeyRange()));
  EXPECT_EQ(250u, Scan(new_it.get()).size());
}

TEST_F(ReadOnlyTest, RefreshKeepsUpWithAWriterThatWritesFlushesAndCompacts) {
  OpenWriter(WriterOptions());
  Put(0);
  OpenReader();
  constexpr int kKeys = 4000;
  std::atomic<int> acked{0};
  std::thread writer([&] {
    for (int i = 0; i < kKeys; i++) {
      // Overwrites too, so compactions drop versions and delete tables.
      Status s = writer_->Put(WriteOptions(), Key(i % 1000), Value(i % 1000, i / 1000));
      if (!s.ok()) break;
      acked.store(i + 1, std::memory_order_release);
      if (i % 500 == 499) writer_->Flush().ok();
    }
  });
  int refreshes = 0;
  for (;;) {
    const int before = acked.load(std::memory_order_acquire);
    Status s = reader_->Refresh();
    ASSERT_TRUE(s.ok()) << s.ToString();
    refreshes++;
    // Every write acknowledged before the refresh started is visible, at its
    // newest generation or a newer one.
    for (int i = std::max(0, before - 1000); i < before; i++) {
      const int key = i % 1000;
      std::string v = Get(reader_.get(), key);
      std::string want_at_least = Value(key, i / 1000);
      ASSERT_NE("NOT_FOUND", v) << "key " << key;
      ASSERT_GE(v.substr(0, v.find('x')), want_at_least.substr(0, want_at_least.find('x')))
          << "key " << key << " refresh " << refreshes;
    }
    std::unique_ptr<Iterator> it(reader_->NewIterator(ReadOptions(), KeyRange()));
    const size_t rows = Scan(it.get()).size();
    ASSERT_GE(rows, static_cast<size_t>(std::min(before, 1000)));
    if (before == kKeys) break;
  }
  writer.join();
  EXPECT_GE(refreshes, 1);
  DBStats st;
  writer_->GetStats(&st);
  EXPECT_GT(st.compactions, 0u);
}

TEST_F(ReadOnlyTest, TornManifestTailIsIgnored) {
  OpenWriter(WriterOptions());
  for (int i = 0; i < 100; i++) Put(i);
  ASSERT_TRUE(writer_->Flush().ok());
  std::string current;
  ASSERT_TRUE(ReadCurrentFile(Env::Default(), dir_, &current).ok());
  // An edit being appended: a header promising more bytes than there are.
  const std::string mname = dir_ + "/" + current;
  FILE* f = std::fopen(mname.c_str(), "ab");
  ASSERT_NE(nullptr, f);
  const char partial[] = {'\x12', '\x34', '\x56', '\x78', '\x00', '\x10', '\x00', '\x00', '\x01', 'a'};
  std::fwrite(partial, 1, sizeof(partial), f);
  std::fclose(f);
  OpenReader();
  for (int i = 0; i < 100; i++) ASSERT_EQ(Value(i), Get(reader_.get(), i));
}

TEST_F(ReadOnlyTest, ReadOnlyOpenOfAWriterFreeDatabaseAndClosedReads) {
  OpenWriter(WriterOptions());
  for (int i = 0; i < 50; i++) Put(i);
  ASSERT_TRUE(writer_->Close().ok());
  writer_.reset();
  OpenReader();
  EXPECT_EQ(Value(49), Get(reader_.get(), 49));
  DBStats st;
  reader_->GetStats(&st);
  EXPECT_EQ(50u, st.last_sequence);
  ASSERT_TRUE(reader_->Close().ok());
  std::string v;
  EXPECT_TRUE(reader_->Get(ReadOptions(), Key(1), &v).IsClosed());
  EXPECT_TRUE(reader_->Refresh().IsClosed());
}

}  // namespace
}  // namespace lsm
