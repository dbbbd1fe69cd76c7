// DB iterators compared with a std::map model: random puts and deletes over a
// small key space with data spread across the active memtable, immutable
// memtables (tiny memtables, slowed flush thread) and L0 tables; random
// bounds, forward and reverse scans, Seek / SeekForPrev, direction changes,
// snapshots, and DeleteRange. Set LSM_ITER_SEED to replay a seed.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/options.h"
#include "util/random.h"

namespace lsm {
namespace {

using Model = std::map<std::string, std::string>;

class DBIterTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lsm-dbiter-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const char* env_seed = std::getenv("LSM_ITER_SEED");
    seed_ = env_seed != nullptr ? std::strtoull(env_seed, nullptr, 10) : 301;
    std::printf("[ seed     ] LSM_ITER_SEED=%llu\n", static_cast<unsigned long long>(seed_));
  }
  void TearDown() override {
    db_.reset();
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cannot remove %s\n", dir_.c_str());
  }

  void Open() {
    Options o;
    // Small enough for several immutable memtables and L0 files per test,
    // large enough that the (linear) merge over L0 files stays quick.
    o.write_buffer_size = 16 << 10;
    o.max_immutable_memtables = 3;
    o.test_flush_delay_ms = 1;
    Status s = DB::Open(o, dir_, &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string RandomKey(Random* r) {
    static const char kAlphabet[] = {'\0', '\x01', 'a', '\x7f', '\x80', '\xff'};
    std::string k;
    const uint32_t len = 1 + r->Uniform(3);
    for (uint32_t i = 0; i < len; i++) k.push_back(kAlphabet[r->Uniform(6)]);
    return k;
  }

  KeyRange RandomRange(Random* r) {
    KeyRange range;
    if (r->OneIn(3) == false) {
      range.has_lower = true;
      range.lower = RandomKey(r);
      range.lower_inclusive = r->OneIn(2);
    }
    if (r->OneIn(3) == false) {
      range.has_upper = true;
      range.upper = RandomKey(r);
      range.upper_inclusive = r->OneIn(2);
    }
    return range;
  }

  static std::vector<std::pair<std::string, std::string>> Expected(const Model& m, const KeyRange& range) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kv : m) {
      if (range.Contains(kv.first)) out.push_back(kv);
    }
    return out;
  }

  std::string dir_;
  uint64_t seed_ = 0;
  std::unique_ptr<DB> db_;
};

std::string Describe(const KeyRange& r) {
  auto hex = [](const std::string& s) {
    std::string out;
    char b[4];
    for (unsigned char c : s) {
      std::snprintf(b, sizeof(b), "%02x", c);
      out += b;
    }
    return out;
  };
  std::string d;
  if (r.has_lower) d += (r.lower_inclusive ? "gte " : "gt ") + hex(r.lower) + " ";
  if (r.has_upper) d += (r.upper_inclusive ? "lte " : "lt ") + hex(r.upper);
  return d.empty() ? "all" : d;
}

// Checks every access pattern of one iterator over `range` against `want`.
void CheckIterator(DB* db, const ReadOptions& ro, const KeyRange& range,
                   const std::vector<std::pair<std::string, std::string>>& want, Random* r,
                   const std::string& what) {
  std::unique_ptr<Iterator> it(db->NewIterator(ro, range));
  const std::string ctx = what + " range " + Describe(range);

  // Full forward and reverse scans.
  size_t i = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), i++) {
    ASSERT_LT(i, want.size()) << ctx;
    ASSERT_EQ(it->key().ToString(), want[i].first) << ctx << " at " << i;
    ASSERT_EQ(it->value().ToString(), want[i].second) << ctx;
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  ASSERT_EQ(i, want.size()) << ctx;
  i = want.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(i, 0u) << ctx;
    i--;
    ASSERT_EQ(it->key().ToString(), want[i].first) << ctx << " reverse at " << i;
    ASSERT_EQ(it->value().ToString(), want[i].second) << ctx;
  }
  ASSERT_EQ(i, 0u) << ctx;

  // Seek / SeekForPrev to random targets, then a few random steps either way.
  for (int probe = 0; probe < 8; probe++) {
    std::string target(1 + r->Uniform(3), '\0');
    for (char& c : target) c = static_cast<char>("\x00\x01\x61\x7f\x80\xff\x30"[r->Uniform(7)]);
    const bool backward = r->OneIn(2);
    // Model position: index into want, or -1 / want.size() when invalid.
    long pos;
    if (!backward) {
      it->Seek(target);
      pos = 0;
      while (pos < static_cast<long>(want.size()) && want[pos].first < target) pos++;
    } else {
      it->SeekForPrev(target);
      pos = static_cast<long>(want.size()) - 1;
      while (pos >= 0 && want[pos].first > target) pos--;
    }
    for (int step = 0; step < 6; step++) {
      const bool valid = pos >= 0 && pos < static_cast<long>(want.size());
      ASSERT_EQ(it->Valid(), valid) << ctx << (backward ? " SeekForPrev" : " Seek") << " step " << step;
      if (!valid) break;
      ASSERT_EQ(it->key().ToString(), want[pos].first) << ctx << " step " << step;
      ASSERT_EQ(it->value().ToString(), want[pos].second) << ctx;
      if (r->OneIn(2)) {
        it->Next();
        pos++;
      } else {
        it->Prev();
        pos--;
      }
    }
  }
}

TEST_F(DBIterTest, MatchesModelAcrossMemtablesAndTables) {
  Open();
  Random r(seed_);
  Model model;
  const Snapshot* snap = nullptr;
  Model snap_model;
  int cases = 0;
  for (int round = 0; round < 40; round++) {
    SCOPED_TRACE("LSM_ITER_SEED=" + std::to_string(seed_));
    const int writes = 20 + static_cast<int>(r.Uniform(200));
    for (int w = 0; w < writes; w++) {
      const std::string k = RandomKey(&r);
      if (r.OneIn(4)) {
        ASSERT_TRUE(db_->Delete(WriteOptions(), k).ok());
        model.erase(k);
      } else {
        std::string v(r.Uniform(100), static_cast<char>('a' + r.Uniform(26)));
        ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
        model[k] = v;
      }
    }
    if (r.OneIn(8)) ASSERT_TRUE(db_->Flush().ok());
    if (r.OneIn(6)) {
      KeyRange range = RandomRange(&r);
      ASSERT_TRUE(db_->DeleteRange(WriteOptions(), range).ok());
      for (auto it = model.begin(); it != model.end();) {
        it = range.Contains(it->first) ? model.erase(it) : std::next(it);
      }
    }
    if (r.OneIn(3)) {
      if (snap != nullptr) db_->ReleaseSnapshot(snap);
      snap = db_->GetSnapshot();
      snap_model = model;
    }
    for (int q = 0; q < 25; q++) {
      KeyRange range = RandomRange(&r);
      if (snap != nullptr && r.OneIn(3)) {
        ReadOptions ro;
        ro.snapshot = snap;
        CheckIterator(db_.get(), ro, range, Expected(snap_model, range), &r,
                      "round " + std::to_string(round) + " snapshot");
      } else {
        CheckIterator(db_.get(), ReadOptions(), range, Expected(model, range), &r,
                      "round " + std::to_string(round));
      }
      if (HasFatalFailure()) return;
      cases++;
    }
  }
  if (snap != nullptr) db_->ReleaseSnapshot(snap);
  EXPECT_EQ(cases, 1000);
  ASSERT_TRUE(db_->Close().ok());
}

TEST_F(DBIterTest, IteratorIgnoresWritesMadeAfterItsCreation) {
  Open();
  for (int i = 0; i < 100; i++) ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), "old").ok());
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
  for (int i = 0; i < 100; i++) {
    ASSERT_TRUE(db_->Put(WriteOptions(), "k" + std::to_string(i), "new").ok());
    ASSERT_TRUE(db_->Put(WriteOptions(), "z" + std::to_string(i), "new").ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), n++) ASSERT_EQ(it->value().ToString(), "old");
  EXPECT_EQ(n, 100);
  it.reset();
  ASSERT_TRUE(db_->Close().ok());
}

TEST_F(DBIterTest, SnapshotReadsOldValuesAcrossFlush) {
  Open();
  ASSERT_TRUE(db_->Put(WriteOptions(), "a", "1").ok());
  ASSERT_TRUE(db_->Put(WriteOptions(), "b", "1").ok());
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_TRUE(db_->Put(WriteOptions(), "a", "2").ok());
  ASSERT_TRUE(db_->Delete(WriteOptions(), "b").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ReadOptions ro;
  ro.snapshot = snap;
  std::string v;
  ASSERT_TRUE(db_->Get(ro, "a", &v).ok());
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(db_->Get(ro, "b", &v).ok());
  EXPECT_TRUE(db_->Get(ReadOptions(), "b", &v).IsNotFound());
  std::unique_ptr<Iterator> it(db_->NewIterator(ro, KeyRange()));
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "b");
  it.reset();
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(db_->Close().ok());
}

TEST_F(DBIterTest, DeleteRangeWithEmptyOrInvertedRangeDeletesNothing) {
  Open();
  for (int i = 0; i < 10; i++) ASSERT_TRUE(db_->Put(WriteOptions(), std::to_string(i), "v").ok());
  KeyRange inverted;
  inverted.has_lower = true;
  inverted.lower = "7";
  inverted.has_upper = true;
  inverted.upper = "3";
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), inverted).ok());
  KeyRange empty;
  empty.has_lower = true;
  empty.lower = "5";
  empty.lower_inclusive = false;
  empty.has_upper = true;
  empty.upper = "5";
  empty.upper_inclusive = true;
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), empty).ok());
  std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions(), KeyRange()));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, 10);
  it.reset();
  ASSERT_TRUE(db_->DeleteRange(WriteOptions(), KeyRange()).ok());
  it.reset(db_->NewIterator(ReadOptions(), KeyRange()));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it.reset();
  ASSERT_TRUE(db_->Close().ok());
}

}  // namespace
}  // namespace lsm
