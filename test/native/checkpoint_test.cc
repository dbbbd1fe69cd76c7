// DB::Checkpoint (db/checkpoint.cc): a checkpoint taken while a writer,
// flushes and compactions run opens to exactly the state at one sequence
// number inside the call; tables are hard-linked (copied by an Env that
// cannot link); a non-empty target is refused.
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/filename.h"
#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/verify.h"

namespace lsm {
namespace {

std::string Key(int i) { return "key" + std::to_string(100000 + i); }

class CheckpointTest : public testing::Test {
 protected:
  ~CheckpointTest() override {
    for (const std::string& d : dirs_) test::RemoveDirectory(d);
  }
  std::string NewTempDir() {
    char buf[] = "/tmp/lsmkv-ckpttest-XXXXXX";
    const char* made = ::mkdtemp(buf);
    EXPECT_NE(nullptr, made);
    dirs_.push_back(made != nullptr ? made : "");
    return dirs_.back();
  }
  static Options SmallOptions(Env* env = nullptr) {
    Options o;
    o.create_if_missing = true;
    o.env = env;
    o.write_buffer_size = 16 * 1024;  // flushes and compactions all the time
    o.block_size = 512;
    o.l0_compaction_trigger = 2;
    o.target_file_size = 16 * 1024;
    o.level_base = 64 * 1024;
    return o;
  }
  static std::map<std::string, std::string> Contents(DB* db) {
    std::map<std::string, std::string> out;
    std::unique_ptr<Iterator> it(db->NewIterator(ReadOptions(), KeyRange()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }
  std::vector<std::string> dirs_;
};

TEST_F(CheckpointTest, CheckpointWhileAWriterRunsOpensToTheStateAtOneSequence) {
  const std::string src = NewTempDir();
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(SmallOptions(), src, &db).ok());
  // One writer, one op per sequence number: the state at sequence n is the
  // first n - base ops of `ops`.
  for (int i = 0; i < 500; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i % 300), "v0-" + std::to_string(i)).ok());
  DBStats st;
  db->GetStats(&st);
  const uint64_t base = st.last_sequence;

  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> ops;  // value "" = delete
  std::atomic<uint64_t> acked{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); i++) {
      const std::string k = Key((i * 7919) % 300);
      const bool del = i % 5 == 4;
      const std::string v = del ? "" : std::string(40 + i % 60, static_cast<char>('a' + i % 26));
      {
        std::lock_guard<std::mutex> l(mu);
        ops.emplace_back(k, v);
      }
      Status s = del ? db->Delete(WriteOptions(), k) : db->Put(WriteOptions(), k, v);
      ASSERT_TRUE(s.ok()) << s.ToString();
      acked.fetch_add(1);
    }
  });

  int checked = 0;
  for (int round = 0; round < 4; round++) {
    while (acked.load() < static_cast<uint64_t>(1500 * (round + 1))) std::this_thread::yield();
    const std::string dir = NewTempDir() + "/ckpt";  // created by Checkpoint
    const uint64_t before = acked.load();
    Status s = db->Checkpoint(dir);
    ASSERT_TRUE(s.ok()) << s.ToString();
    const uint64_t after = acked.load() + 1;  // one write may be mid-commit

    std::unique_ptr<DB> copy;
    s = DB::Open(SmallOptions(), dir, &copy);
    ASSERT_TRUE(s.ok()) << s.ToString();
    DBStats cs;
    copy->GetStats(&cs);
    const uint64_t n = cs.last_sequence - base;  // ops in the checkpoint
    EXPECT_GE(n, before);
    EXPECT_LE(n, after);
    std::map<std::string, std::string> model;
    for (int i = 0; i < 500; i++) model[Key(i % 300)] = "v0-" + std::to_string(i);
    {
      std::lock_guard<std::mutex> l(mu);
      ASSERT_LE(n, ops.size());
      for (uint64_t i = 0; i < n; i++) {
        if (ops[i].second.empty()) model.erase(ops[i].first);
        else model[ops[i].first] = ops[i].second;
      }
    }
    EXPECT_EQ(model, Contents(copy.get()));
    ASSERT_TRUE(copy->Close().ok());
    VerifyReport report;
    ASSERT_TRUE(VerifyDB(nullptr, dir, &report).ok());
    EXPECT_TRUE(report.ok());
    checked++;
  }
  stop.store(true);
  writer.join();
  EXPECT_EQ(4, checked);
  db->GetStats(&st);
  EXPECT_GT(st.compactions, 0u);  // the tree changed under the checkpoints
  ASSERT_TRUE(db->Close().ok());
}

// Link count of every table in `dir`.
std::vector<nlink_t> TableLinks(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  std::vector<nlink_t> out;
  for (const std::string& name : names) {
    uint64_t number;
    FileType type;
    struct stat st;
    if (ParseFileName(name, &number, &type) && type == FileType::kTableFile &&
        ::stat((dir + "/" + name).c_str(), &st) == 0) {
      out.push_back(st.st_nlink);
    }
  }
  return out;
}

TEST_F(CheckpointTest, TablesAreLinkedOrCopiedWhenTheEnvCannotLink) {
  for (bool can_link : {true, false}) {
    test::FaultInjectionEnv fault_env;  // no LinkFile: Checkpoint copies
    Env* env = can_link ? Env::Default() : &fault_env;
    const std::string src = NewTempDir();
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(SmallOptions(env), src, &db).ok());
    for (int i = 0; i < 2000; i++) ASSERT_TRUE(db->Put(WriteOptions(), Key(i), std::string(50, 'x')).ok());
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Put(WriteOptions(), "unflushed", "yes").ok());
    const std::string dir = NewTempDir();  // exists and is empty
    ASSERT_TRUE(db->Checkpoint(dir).ok());
    const std::vector<nlink_t> links = TableLinks(dir);
    ASSERT_GE(links.size(), 2u);  // flushed tables + the memtable's
    size_t linked = 0;
    for (nlink_t n : links) linked += n > 1 ? 1 : 0;
    if (can_link) EXPECT_EQ(links.size() - 1, linked);  // all but the memtable's
    else EXPECT_EQ(0u, linked);
    const std::map<std::string, std::string> expected = Contents(db.get());
    ASSERT_TRUE(db->Close().ok());
    std::unique_ptr<DB> copy;
    ASSERT_TRUE(DB::Open(SmallOptions(), dir, &copy).ok());
    EXPECT_EQ(expected, Contents(copy.get()));
    EXPECT_EQ(2001u, expected.size());
    ASSERT_TRUE(copy->Close().ok());
  }
}

TEST_F(CheckpointTest, NonEmptyTargetIsRefusedAndNothingIsWritten) {
  const std::string src = NewTempDir();
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(SmallOptions(), src, &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "a", "1").ok());
  const std::string dir = NewTempDir();
  ASSERT_TRUE(Env::Default()->WriteStringToFile("x", dir + "/keep", false).ok());
  Status s = db->Checkpoint(dir);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
  EXPECT_EQ(std::vector<std::string>{"keep"}, names);
  // Checkpointing into its own directory is refused the same way.
  EXPECT_TRUE(db->Checkpoint(src).IsInvalidArgument());
  ASSERT_TRUE(db->Close().ok());
  EXPECT_TRUE(db->Checkpoint(NewTempDir()).IsClosed());
}

}  // namespace
}  // namespace lsm
