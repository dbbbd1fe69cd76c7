// DB::OpenShared (native/src/db/shared_db.h): handles of one path share one
// engine; each Close() affects only its handle; the last one closes the
// engine and frees the LOCK; options must match; events reach every handle.
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/shared_db.h"
#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/options.h"

namespace lsm {
namespace {

class CountingListener final : public EventListener {
 public:
  void OnFlushCompleted(const FlushInfo&) override { flushes++; }
  std::atomic<int> flushes{0};
};

class SharedDbTest : public testing::Test {
 protected:
  SharedDbTest() {
    char tmpl[] = "/tmp/lsmkv-sharedtest-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    EXPECT_NE(nullptr, made);
    dir_ = made != nullptr ? made : "";
  }
  ~SharedDbTest() override { test::RemoveDirectory(dir_); }

  std::unique_ptr<DB> OpenShared(const Options& o = Options(), const std::string& path = "") {
    std::unique_ptr<DB> db;
    Status s = DB::OpenShared(o, path.empty() ? dir_ : path, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return db;
  }
  static std::string Get(DB* db, const std::string& key) {
    std::string v;
    Status s = db->Get(ReadOptions(), key, &v);
    return s.ok() ? v : s.ToString();
  }

  std::string dir_;
};

TEST_F(SharedDbTest, HandlesShareOneEngineAndTheLastCloseReleasesTheLock) {
  std::unique_ptr<DB> a = OpenShared();
  // Another spelling of the same directory finds the same engine.
  std::unique_ptr<DB> b = OpenShared(Options(), dir_ + "/./");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(1u, SharedEngineCount());
  ASSERT_TRUE(a->Put(WriteOptions(), "from-a", "1").ok());
  ASSERT_TRUE(b->Put(WriteOptions(), "from-b", "2").ok());
  EXPECT_EQ("2", Get(a.get(), "from-b"));
  EXPECT_EQ("1", Get(b.get(), "from-a"));

  // A plain open is refused while shared handles hold the engine.
  std::unique_ptr<DB> plain;
  EXPECT_TRUE(DB::Open(Options(), dir_, &plain).IsLocked());

  ASSERT_TRUE(a->Close().ok());
  std::string v;
  EXPECT_TRUE(a->Get(ReadOptions(), "from-a", &v).IsClosed());
  EXPECT_TRUE(a->Put(WriteOptions(), "x", "y").IsClosed());
  ASSERT_TRUE(a->Close().ok());  // idempotent
  EXPECT_EQ("1", Get(b.get(), "from-a"));  // b is unaffected
  ASSERT_TRUE(b->Put(WriteOptions(), "after", "3").ok());
  EXPECT_TRUE(DB::Open(Options(), dir_, &plain).IsLocked());

  ASSERT_TRUE(b->Close().ok());
  EXPECT_EQ(0u, SharedEngineCount());
  Status s = DB::Open(Options(), dir_, &plain);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("3", Get(plain.get(), "after"));
  EXPECT_EQ("2", Get(plain.get(), "from-b"));
}

TEST_F(SharedDbTest, APlainOpenKeepsSharedOpensOut) {
  std::unique_ptr<DB> plain;
  ASSERT_TRUE(DB::Open(Options(), dir_, &plain).ok());
  std::unique_ptr<DB> shared;
  EXPECT_TRUE(DB::OpenShared(Options(), dir_, &shared).IsLocked());
  EXPECT_EQ(0u, SharedEngineCount());
}

TEST_F(SharedDbTest, DifferentOptionsAreRejectedNamingTheOption) {
  std::unique_ptr<DB> a = OpenShared();
  Options o;
  o.write_buffer_size = 1 << 20;
  std::unique_ptr<DB> b;
  Status s = DB::OpenShared(o, dir_, &b);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("memtableSize")) << s.ToString();
  EXPECT_EQ("", FirstSharedOptionDifference(Options(), Options()));
  Options ro;
  ro.read_only = true;
  EXPECT_NE(std::string::npos, FirstSharedOptionDifference(ro, Options()).find("readOnly"));
  // The env and listener may differ.
  Options with_listener;
  with_listener.listener = std::make_shared<CountingListener>();
  EXPECT_EQ("", FirstSharedOptionDifference(with_listener, Options()));
}

TEST_F(SharedDbTest, EventsReachEveryOpenHandle) {
  Options oa, ob;
  auto la = std::make_shared<CountingListener>();
  auto lb = std::make_shared<CountingListener>();
  oa.listener = la;
  ob.listener = lb;
  std::unique_ptr<DB> a = OpenShared(oa);
  std::unique_ptr<DB> b = OpenShared(ob);
  ASSERT_TRUE(a->Put(WriteOptions(), "k", "v").ok());
  ASSERT_TRUE(a->Flush().ok());
  EXPECT_EQ(1, la->flushes.load());
  EXPECT_EQ(1, lb->flushes.load());
  ASSERT_TRUE(a->Close().ok());
  ASSERT_TRUE(b->Put(WriteOptions(), "k2", "v").ok());
  ASSERT_TRUE(b->Flush().ok());
  EXPECT_EQ(1, la->flushes.load());  // a closed: no more events for it
  EXPECT_EQ(2, lb->flushes.load());
}

TEST_F(SharedDbTest, ConcurrentOpensAndClosesFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; r++) {
        std::unique_ptr<DB> db;
        Status s = DB::OpenShared(Options(), dir_, &db);
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(r);
        if (s.ok()) s = db->Put(WriteOptions(), key, "v");
        std::string v;
        if (s.ok()) s = db->Get(ReadOptions(), key, &v);
        if (s.ok()) s = db->Close();
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(0, failures.load());
  EXPECT_EQ(0u, SharedEngineCount());
  std::unique_ptr<DB> plain;
  ASSERT_TRUE(DB::Open(Options(), dir_, &plain).ok());
  for (int t = 0; t < kThreads; t++) {
    for (int r = 0; r < kRounds; r++) {
      EXPECT_EQ("v", Get(plain.get(), "t" + std::to_string(t) + "-" + std::to_string(r)));
    }
  }
}

TEST_F(SharedDbTest, DestroyingAHandleWithoutCloseReleasesItsReference) {
  std::unique_ptr<DB> a = OpenShared();
  std::unique_ptr<DB> b = OpenShared();
  ASSERT_TRUE(b->Put(WriteOptions(), "k", "v").ok());
  b.reset();
  EXPECT_EQ(1u, SharedEngineCount());
  EXPECT_EQ("v", Get(a.get(), "k"));
  a.reset();
  EXPECT_EQ(0u, SharedEngineCount());
}

}  // namespace
}  // namespace lsm
