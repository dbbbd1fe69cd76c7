// DB latency metrics (lsm/metrics.h): the engine times WAL fdatasyncs,
// flushes and compactions itself; RecordLatency adds the embedder's samples;
// GetLatencies reports both, and counts match the operations performed.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/metrics.h"

namespace lsm {
namespace {

class DBMetricsTest : public testing::Test {
 protected:
  DBMetricsTest() {
    char tmpl[] = "/tmp/lsmkv-metrics-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    EXPECT_NE(nullptr, made);
    dir_ = made != nullptr ? made : "";
    Options o;
    o.create_if_missing = true;
    o.disable_auto_compactions = true;  // compactions only when the test asks
    Status s = DB::Open(o, dir_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~DBMetricsTest() override {
    db_.reset();
    test::RemoveDirectory(dir_);
  }

  LatencySummary Latency(LatencyKind kind) {
    LatencySummary all[kNumLatencyKinds];
    db_->GetLatencies(all);
    return all[static_cast<int>(kind)];
  }

  std::string dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBMetricsTest, NothingIsRecordedBeforeAnyWork) {
  for (int k = 0; k < kNumLatencyKinds; k++) {
    const LatencySummary s = Latency(static_cast<LatencyKind>(k));
    EXPECT_EQ(s.count, 0u) << k;
    EXPECT_EQ(s.p99, 0) << k;
  }
}

TEST_F(DBMetricsTest, EverySyncedWriteTimesOneWalSync) {
  WriteOptions sync;
  sync.sync = true;
  for (int i = 0; i < 5; i++) ASSERT_TRUE(db_->Put(sync, "k" + std::to_string(i), "v").ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), "unsynced", "v").ok());
  const LatencySummary s = Latency(LatencyKind::kWalSync);
  DBStats st;
  db_->GetStats(&st);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.count, st.wal_syncs);
  EXPECT_GT(s.sum, 0u);
  EXPECT_LE(s.p50, static_cast<double>(s.max));
  EXPECT_GE(s.p50, static_cast<double>(s.min));
  EXPECT_LE(s.p50, s.p999);
}

TEST_F(DBMetricsTest, FlushesAndCompactionsAreTimed) {
  for (int round = 0; round < 2; round++) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "key" + std::to_string(round), "value").ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  ASSERT_TRUE(db_->Flush().ok());  // nothing to flush: not counted
  EXPECT_EQ(Latency(LatencyKind::kFlush).count, 2u);
  EXPECT_EQ(Latency(LatencyKind::kCompaction).count, 0u);
  ASSERT_TRUE(db_->CompactRange(nullptr).ok());
  DBStats st;
  db_->GetStats(&st);
  const LatencySummary c = Latency(LatencyKind::kCompaction);
  EXPECT_GE(c.count, 1u);
  EXPECT_EQ(c.count, st.compactions);
  EXPECT_GT(c.max, 0u);
}

TEST_F(DBMetricsTest, RecordedSamplesAreSummarized) {
  db_->RecordLatency(LatencyKind::kGetSync, 1000, 3);
  db_->RecordLatency(LatencyKind::kGetSync, 5, 1);
  db_->RecordLatency(static_cast<LatencyKind>(kNumLatencyKinds), 1, 1);  // ignored
  const LatencySummary s = Latency(LatencyKind::kGetSync);
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.sum, 3005u);
  EXPECT_EQ(s.min, 5u);
  EXPECT_EQ(s.max, 1000u);
  EXPECT_DOUBLE_EQ(s.p50, 1000);
  EXPECT_DOUBLE_EQ(s.p999, 1000);
  EXPECT_EQ(Latency(LatencyKind::kGet).count, 0u);
}

}  // namespace
}  // namespace lsm
