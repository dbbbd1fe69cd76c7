// Crash, power-loss, corruption, truncation and I/O-error tests (issue 5,
// DESIGN.md R1-R9). Each test prints its figures on a line starting with
// "[reliability]" and fails on any violation.
//
//   KillPointTest      every named kill point (util/kill_point.h) at its 1st,
//                      2nd and 5th hit: in a forked child that _exit()s there
//                      (process crash), and in-process with the fault Env's
//                      file system stopped there (power loss).
//   PowerLossTest      random crash images of a DB under load, every
//                      CrashVariant, undurable directory operations undone.
//   BitFlipTest        one flipped bit in every file type.
//   TruncationTest     every file type cut at and around record boundaries.
//   IoErrorTest        failures on paths db_test.cc's FaultMatrixTest does
//                      not cover (compaction, rename, MANIFEST after a failed
//                      sync).
//
// Counts: the CI defaults keep the whole file well under a minute; set
// LSM_CRASH_FULL=1 (npm run test:crash) for the full counts, or
// LSM_CRASH_IMAGES / LSM_CRASH_FLIPS to choose them.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/db_impl.h"
#include "db/filename.h"
#include "fault_env.h"
#include "log/log_reader.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "table/format.h"
#include "util/kill_point.h"
#include "util/random.h"

namespace lsm {
namespace {

using test::CrashImageStats;
using test::CrashVariant;
using test::FaultInjectionEnv;
using test::FaultKind;
using test::FaultOp;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

bool FullRun() {
  const char* v = getenv("LSM_CRASH_FULL");
  return v != nullptr && v[0] == '1';
}

// A count: the env var if set, else the full or the CI default (a quarter
// of it under a sanitizer).
int Count(const char* env_var, int ci, int full) {
  const char* v = getenv(env_var);
  if (v != nullptr && atoi(v) > 0) return atoi(v);
  if (FullRun()) return full;
  return kSanitized ? std::max(1, ci / 4) : ci;
}

// tmpfs when there is one: thousands of opens, each with several fsyncs.
std::string NewTempDir(const std::string& what) {
  struct stat st;
  const std::string root = (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                            ::access("/dev/shm", W_OK) == 0)
                               ? "/dev/shm"
                               : "/tmp";
  std::string tmpl = root + "/lsmkv-crash-" + what + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const char* made = ::mkdtemp(buf.data());
  EXPECT_NE(nullptr, made);
  return made != nullptr ? made : "";
}

// Small memtables, blocks and levels: flushes and compactions every few
// hundred writes.
Options SmallOptions(Env* env) {
  Options o;
  o.env = env;
  o.write_buffer_size = 16 << 10;
  o.block_size = 512;
  o.l0_compaction_trigger = 2;
  o.level_base = 64 << 10;
  o.target_file_size = 16 << 10;
  return o;
}

// ---------------------------------------------------------------------------
// A deterministic workload and its model

struct Op {
  bool sync = false;
  // Applied in order; no value = delete.
  std::vector<std::pair<std::string, std::optional<std::string>>> writes;
};

class Workload {
 public:
  // `sync_one_in`: 1 = every op syncs, 0 = none.
  Workload(uint64_t seed, size_t n, int sync_one_in) {
    ops_.reserve(n);
    for (size_t i = 0; i < n; i++) {
      Random rnd(seed * 1000003 + i);
      Op op;
      op.sync = sync_one_in > 0 && rnd.OneIn(static_cast<uint32_t>(sync_one_in));
      const uint32_t kind = rnd.Uniform(20);
      const int writes = kind < 15 ? 1 : 2 + static_cast<int>(rnd.Uniform(4));
      for (int w = 0; w < writes; w++) {
        char key[16];
        std::snprintf(key, sizeof(key), "k%05u", rnd.Uniform(400));
        if (kind >= 12 && kind < 15) {
          op.writes.emplace_back(key, std::nullopt);
          continue;
        }
        std::string v = "v" + std::to_string(i) + "." + std::to_string(w) + "-";
        const size_t len = 20 + rnd.Uniform(200);
        while (v.size() < len) v.push_back(static_cast<char>('a' + rnd.Uniform(26)));
        op.writes.emplace_back(key, std::move(v));
      }
      ops_.push_back(std::move(op));
    }
  }

  size_t size() const { return ops_.size(); }
  const Op& op(size_t i) const { return ops_[i]; }

  WriteBatch Batch(size_t i) const {
    WriteBatch b;
    for (const auto& [k, v] : ops_[i].writes) {
      if (v) b.Put(k, *v);
      else b.Delete(k);
    }
    return b;
  }

  std::map<std::string, std::string> StateAfter(size_t n) const {
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < n; i++) Apply(i, &m);
    return m;
  }

  void Apply(size_t i, std::map<std::string, std::string>* m) const {
    for (const auto& [k, v] : ops_[i].writes) {
      if (v) (*m)[k] = *v;
      else m->erase(k);
    }
  }

  // The smallest n in [lo, hi] such that `actual` is the state after the
  // first n ops, or -1. *any_below_lo: some n < lo matches (acknowledged
  // writes lost rather than a hole).
  int64_t FindPrefix(const std::map<std::string, std::string>& actual, size_t lo, size_t hi,
                     bool* any_below_lo) const {
    *any_below_lo = false;
    std::map<std::string, std::string> m;
    auto same = [&](const std::string& k) {
      auto a = actual.find(k);
      auto b = m.find(k);
      if (a == actual.end()) return b == m.end();
      return b != m.end() && a->second == b->second;
    };
    int64_t mismatched = static_cast<int64_t>(actual.size());
    hi = std::min(hi, ops_.size());
    for (size_t n = 0;; n++) {
      if (mismatched == 0) {
        if (n >= lo) return static_cast<int64_t>(n);
        *any_below_lo = true;
      }
      if (n == hi) return -1;
      for (const auto& [k, v] : ops_[n].writes) {
        const bool before = same(k);
        if (v) m[k] = *v;
        else m.erase(k);
        const bool after = same(k);
        mismatched += (before ? 1 : 0) - (after ? 1 : 0);
      }
    }
  }

 private:
  std::vector<Op> ops_;
};

// Everything the DB holds, by a full scan; also Get()s every key seen.
Status ReadAll(DB* db, std::map<std::string, std::string>* out) {
  out->clear();
  std::unique_ptr<Iterator> it(db->NewIterator(ReadOptions(), KeyRange()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    (*out)[it->key().ToString()] = it->value().ToString();
  }
  Status s = it->status();
  if (!s.ok()) return s;
  for (const auto& [k, v] : *out) {
    std::string got;
    s = db->Get(ReadOptions(), k, &got);
    if (!s.ok()) return s;
    if (got != v) return Status::Corruption("get and scan disagree on " + k);
  }
  return Status::OK();
}

// Opens `dir` with the default Env and reads everything.
Status OpenAndRead(const std::string& dir, std::map<std::string, std::string>* out) {
  std::unique_ptr<DB> db;
  Status s = DB::Open(SmallOptions(nullptr), dir, &db);
  if (!s.ok()) return s;
  s = ReadAll(db.get(), out);
  Status c = db->Close();
  return s.ok() ? c : s;
}

// Outcome tally of recovered images.
struct Verdicts {
  uint64_t images = 0;
  uint64_t lost = 0;        // acknowledged writes missing
  uint64_t holes = 0;       // not a prefix of the issued writes
  uint64_t unopenable = 0;
  uint64_t corruption = 0;  // of the unopenable: reported as corruption
  std::string first_problem;

  void Problem(const std::string& what) {
    if (first_problem.empty()) first_problem = what;
  }

  // `dir` must recover a prefix n of `w` with lo <= n <= hi, twice.
  void Check(const std::string& dir, const Workload& w, size_t lo, size_t hi,
             const std::string& label) {
    images++;
    std::map<std::string, std::string> state;
    Status s = OpenAndRead(dir, &state);
    if (!s.ok()) {
      unopenable++;
      if (s.IsCorruption()) corruption++;
      Problem(label + ": " + s.ToString());
      return;
    }
    bool below = false;
    if (w.FindPrefix(state, lo, hi, &below) < 0) {
      if (below) lost++;
      else holes++;
      Problem(label + (below ? ": acknowledged writes lost" : ": not a prefix") + " (lo=" +
              std::to_string(lo) + " hi=" + std::to_string(hi) + ")");
      return;
    }
    // Recovery made the state durable: a second open sees the same.
    std::map<std::string, std::string> again;
    s = OpenAndRead(dir, &again);
    if (!s.ok() || again != state) {
      unopenable++;
      Problem(label + ": second open differs: " + s.ToString());
    }
  }

  bool ok() const { return lost == 0 && holes == 0 && unopenable == 0; }
};

// ---------------------------------------------------------------------------
// 1. Kill points

struct KillPoint {
  const char* name;
  bool on_open;  // hit while opening (recovery / new MANIFEST), not by writes
};

const KillPoint kKillPoints[] = {
    {"wal.after_append", false},
    {"wal.before_sync", false},
    {"wal.after_sync", false},
    {"wal.before_new_segment_dir_sync", false},
    {"table.mid_build", false},
    {"table.before_sync", false},
    {"flush.before_edit", false},
    {"manifest.before_sync", false},
    {"manifest.after_sync", false},
    {"flush.before_wal_delete", false},
    {"compaction.table_before_sync", false},
    {"compaction.before_edit", false},
    {"compaction.after_edit", false},
    {"recovery.after_table", true},
    {"manifest.new.before_sync", true},
    {"current.before_rename", true},
    {"current.after_rename", true},
    {"recovery.before_sweep", true},
};

constexpr size_t kKillWorkloadOps = 6000;

// Child process: opens `dir`, writes ops [0, w.size()) reporting each
// acknowledgement on `ack_fd`, flushing every 250. Never returns.
[[noreturn]] void RunChild(const std::string& dir, const Workload& w, int ack_fd,
                           const char* point, int nth, bool write) {
  if (point != nullptr) kill_point::Arm(point, static_cast<uint64_t>(nth));
  std::unique_ptr<DB> db;
  if (!DB::Open(SmallOptions(nullptr), dir, &db).ok()) ::_exit(3);
  for (size_t i = 0; write && i < w.size(); i++) {
    WriteBatch b = w.Batch(i);
    WriteOptions wo;
    wo.sync = w.op(i).sync;
    if (!db->Write(wo, &b).ok()) ::_exit(4);
    const uint32_t acked = static_cast<uint32_t>(i);
    if (::write(ack_fd, &acked, sizeof(acked)) != sizeof(acked)) ::_exit(5);
    if ((i + 1) % 250 == 0 && !db->Flush().ok()) ::_exit(6);
  }
  if (!db->Close().ok()) ::_exit(7);
  db.reset();
  ::_exit(0);
}

// Forks a child running RunChild; returns its exit status (or -1) and adds
// the acknowledged ops it reported to *acked.
int Fork(const std::string& dir, const Workload& w, const char* point, int nth, bool write,
         size_t* acked) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  fflush(stdout);
  fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::close(fds[0]);
    RunChild(dir, w, fds[1], point, nth, write);
  }
  ::close(fds[1]);
  uint32_t v;
  for (;;) {
    const ssize_t n = ::read(fds[0], &v, sizeof(v));
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof(v)) break;
    *acked = v + 1;
  }
  ::close(fds[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(KillPointTest, ProcessCrashAtEveryPointLosesNoAcknowledgedWrite) {
  const Workload w(7, kKillWorkloadOps, 4);
  const int nths[] = {1, 2, 5};
  Verdicts v;
  uint64_t cases = 0, killed = 0;
  std::string missed;
  for (const KillPoint& p : kKillPoints) {
    for (int nth : nths) {
      cases++;
      const std::string dir = NewTempDir("kill");
      size_t acked = 0;
      bool all_killed = true;
      if (p.on_open) {
        // Leave WAL data to recover, then crash at the point on `nth`
        // consecutive opens.
        const int prep = Fork(dir, w, "wal.after_append", 150, true, &acked);
        all_killed = prep == kill_point::kExitCode;
        for (int i = 0; i < nth && all_killed; i++) {
          size_t none = 0;
          all_killed = Fork(dir, w, p.name, 1, false, &none) == kill_point::kExitCode;
        }
      } else {
        all_killed = Fork(dir, w, p.name, nth, true, &acked) == kill_point::kExitCode;
      }
      if (all_killed) {
        killed++;
      } else if (missed.size() < 400) {
        missed += std::string(" ") + p.name + "#" + std::to_string(nth);
      }
      v.Check(dir, w, acked, acked + 1, std::string(p.name) + "#" + std::to_string(nth));
      test::RemoveDirectory(dir);
    }
  }
  std::printf("[reliability] kill-points process-crash points=%zu cases=%llu killed=%llu "
              "recovered=%llu lost=%llu holes=%llu unopenable=%llu\n",
              sizeof(kKillPoints) / sizeof(kKillPoints[0]), (unsigned long long)cases,
              (unsigned long long)killed, (unsigned long long)(v.images - v.unopenable),
              (unsigned long long)v.lost, (unsigned long long)v.holes,
              (unsigned long long)v.unopenable);
  EXPECT_EQ(cases, killed) << "points never reached:" << missed;
  EXPECT_TRUE(v.ok()) << v.first_problem;
}

// Power loss at a kill point: the handler stops the fault Env's file system
// (nothing more reaches the disk), then a crash image drops what was not
// synced and undoes undurable directory operations.
TEST(KillPointTest, PowerLossAtEveryPointLosesNoSyncedWrite) {
  const Workload w(11, kKillWorkloadOps, 3);
  const int nths[] = {1, 2, 5};
  const CrashVariant variants[] = {CrashVariant::kDropUnsynced,
                                   CrashVariant::kKeepUnsyncedPrefix,
                                   CrashVariant::kGarbleUnsyncedTail};
  Verdicts v;
  uint64_t cases = 0, fired = 0;
  std::string missed;
  for (const KillPoint& p : kKillPoints) {
    if (p.on_open) continue;  // covered by the process-crash test
    for (int i = 0; i < 3; i++) {
      cases++;
      const std::string dir = NewTempDir("pl");
      FaultInjectionEnv env;
      std::atomic<bool> crashed{false};
      kill_point::Arm(p.name, static_cast<uint64_t>(nths[i]), [&](const char*) {
        env.SetFilesystemActive(false);
        crashed.store(true);
      });
      size_t durable = 0, issued = 0;
      {
        std::unique_ptr<DB> db;
        Status s = DB::Open(SmallOptions(&env), dir, &db);
        ASSERT_TRUE(s.ok()) << s.ToString();
        for (size_t op = 0; op < w.size() && !crashed.load(); op++) {
          WriteBatch b = w.Batch(op);
          WriteOptions wo;
          wo.sync = w.op(op).sync;
          issued = op + 1;
          s = db->Write(wo, &b);
          if (!s.ok()) break;
          // A synced write makes every earlier one durable too.
          if (wo.sync && !crashed.load()) durable = op + 1;
          if ((op + 1) % 250 == 0 && !db->Flush().ok()) break;
        }
        kill_point::Disarm();
        if (crashed.load()) fired++;
        else if (missed.size() < 400) missed += std::string(" ") + p.name;
        env.SetFilesystemActive(false);  // the "crash" for points never reached
      }
      const std::string image = dir + "-image";
      ASSERT_TRUE(env.CrashImage(dir, image, variants[i], 1000 + cases).ok());
      v.Check(image, w, durable, issued,
              std::string(p.name) + "#" + std::to_string(nths[i]) + "/" +
                  test::CrashVariantName(variants[i]));
      test::RemoveDirectory(image);
      test::RemoveDirectory(dir);
    }
  }
  std::printf("[reliability] kill-points power-loss cases=%llu fired=%llu lost=%llu "
              "holes=%llu unopenable=%llu\n",
              (unsigned long long)cases, (unsigned long long)fired, (unsigned long long)v.lost,
              (unsigned long long)v.holes, (unsigned long long)v.unopenable);
  EXPECT_EQ(cases, fired) << "points never reached:" << missed;
  EXPECT_TRUE(v.ok()) << v.first_problem;
}

// ---------------------------------------------------------------------------
// 2. Simulated power loss under load

TEST(PowerLossTest, RandomCrashImagesRecoverAPrefixWithEverySyncedWrite) {
  const int total = Count("LSM_CRASH_IMAGES", 400, 5000);
  constexpr int kImagesPerRound = 50;
  Verdicts v;
  uint64_t per_variant[test::kNumCrashVariants] = {};
  uint64_t dir_ops_reverted = 0, files_cut = 0, flushes = 0, compactions = 0;
  for (int round = 0; v.images < static_cast<uint64_t>(total); round++) {
    const Workload w(100 + round, 20000, 3);
    const std::string dir = NewTempDir("power");
    FaultInjectionEnv env;
    std::unique_ptr<DB> db;
    Status s = DB::Open(SmallOptions(&env), dir, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::atomic<size_t> issued{0}, acked{0}, durable{0};
    std::atomic<bool> stop{false};
    std::atomic<int> write_errors{0};
    std::thread writer([&] {
      for (size_t op = 0; op < w.size() && !stop.load(); op++) {
        WriteBatch b = w.Batch(op);
        WriteOptions wo;
        wo.sync = w.op(op).sync;
        issued.store(op + 1);
        if (!db->Write(wo, &b).ok()) {
          write_errors++;
          break;
        }
        acked.store(op + 1);
        if (wo.sync) durable.store(op + 1);
      }
    });
    Random rnd(round);
    for (int i = 0; i < kImagesPerRound && v.images < static_cast<uint64_t>(total); i++) {
      std::this_thread::sleep_for(std::chrono::microseconds(200 + rnd.Uniform(3000)));
      const auto variant = static_cast<CrashVariant>(v.images % test::kNumCrashVariants);
      // Kill -9 keeps everything acknowledged; a power loss what was synced.
      const size_t lo = variant == CrashVariant::kKill9 ? acked.load() : durable.load();
      const std::string image = dir + "-img";
      CrashImageStats st;
      s = env.CrashImage(dir, image, variant, rnd.Next64(), &st);
      const size_t hi = issued.load();
      ASSERT_TRUE(s.ok()) << s.ToString();
      per_variant[static_cast<int>(variant)]++;
      dir_ops_reverted += st.dir_ops_reverted;
      files_cut += st.files_cut;
      v.Check(image, w, lo, hi,
              "round " + std::to_string(round) + " image " + std::to_string(i) + " " +
                  test::CrashVariantName(variant));
      test::RemoveDirectory(image);
    }
    stop.store(true);
    writer.join();
    DBStats stats;
    db->GetStats(&stats);
    flushes += stats.flushes;
    compactions += stats.compactions;
    EXPECT_EQ(0, write_errors.load());
    ASSERT_TRUE(db->Close().ok());
    db.reset();
    test::RemoveDirectory(dir);
  }
  std::printf("[reliability] power-loss images=%llu (kill9=%llu drop-unsynced=%llu "
              "keep-prefix=%llu garble-tail=%llu) files-cut=%llu dir-ops-reverted=%llu "
              "flushes=%llu compactions=%llu lost=%llu holes=%llu unopenable=%llu "
              "torn-tail-reported-as-corruption=%llu\n",
              (unsigned long long)v.images, (unsigned long long)per_variant[0],
              (unsigned long long)per_variant[1], (unsigned long long)per_variant[2],
              (unsigned long long)per_variant[3], (unsigned long long)files_cut,
              (unsigned long long)dir_ops_reverted, (unsigned long long)flushes,
              (unsigned long long)compactions, (unsigned long long)v.lost,
              (unsigned long long)v.holes, (unsigned long long)v.unopenable,
              (unsigned long long)v.corruption);
  EXPECT_GT(flushes, 0u);
  EXPECT_GT(compactions, 0u);
  EXPECT_GT(dir_ops_reverted, 0u);
  EXPECT_TRUE(v.ok()) << v.first_problem;
}

// ---------------------------------------------------------------------------
// 3. Bit flips and 4. truncation: damage to a kill -9 image of a DB with
// tables at two levels, a MANIFEST of several edits and a WAL of unflushed
// records.

constexpr size_t kFixtureTableOps = 1800;
constexpr size_t kFixtureWalOps = 30;

class DamageTest : public testing::Test {
 protected:
  DamageTest() : w_(21, kFixtureTableOps + kFixtureWalOps, 0) {}

  void SetUp() override {
    dir_ = NewTempDir("fixture");
    pristine_ = dir_ + "-pristine";
    FaultInjectionEnv env;
    Options o = SmallOptions(&env);
    o.disable_auto_compactions = true;  // idle when the image is taken
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(o, dir_, &db).ok());
    auto write = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; i++) {
        WriteBatch b = w_.Batch(i);
        ASSERT_TRUE(db->Write(WriteOptions(), &b).ok());
      }
    };
    write(0, 1200);
    ASSERT_TRUE(db->CompactRange(nullptr).ok());  // level 1
    write(1200, kFixtureTableOps);
    ASSERT_TRUE(db->Flush().ok());  // level 0
    write(kFixtureTableOps, kFixtureTableOps + kFixtureWalOps);
    ASSERT_TRUE(env.CopyImage(dir_, pristine_, /*drop_unsynced=*/false).ok());
    ASSERT_TRUE(db->Close().ok());
    db.reset();
    test::RemoveDirectory(dir_);
    expected_ = w_.StateAfter(w_.size());
    expected_without_last_ = w_.StateAfter(w_.size() - 1);

    std::vector<std::string> names;
    ASSERT_TRUE(Env::Default()->GetChildren(pristine_, &names).ok());
    uint64_t newest_log = 0;
    for (const std::string& name : names) {
      uint64_t number;
      FileType type;
      if (!ParseFileName(name, &number, &type)) continue;
      if (type == FileType::kTableFile) tables_.push_back(name);
      if (type == FileType::kLogFile && number > newest_log) newest_log = number;
    }
    std::sort(tables_.begin(), tables_.end());
    ASSERT_GE(tables_.size(), 2u);
    wal_ = LogFileName("", newest_log).substr(1);
    std::string current;
    ASSERT_TRUE(ReadCurrentFile(Env::Default(), pristine_, &current).ok());
    manifest_ = current;
    // Record boundaries of the WAL and the MANIFEST.
    for (const auto& [name, offsets] : {std::make_pair(wal_, &wal_records_),
                                        std::make_pair(manifest_, &manifest_records_)}) {
      const std::string data = Contents(name);
      log::Reader reader(name, data);
      Slice record;
      uint64_t offset;
      while (reader.ReadRecord(&record, &offset)) offsets->push_back(offset);
      ASSERT_EQ(data.size(), reader.valid_length()) << name;
      offsets->push_back(data.size());
    }
    ASSERT_EQ(kFixtureWalOps + 1, wal_records_.size());
    ASSERT_GE(manifest_records_.size(), 4u);
  }

  void TearDown() override { test::RemoveDirectory(pristine_); }

  std::string Contents(const std::string& name) {
    std::string data;
    EXPECT_TRUE(Env::Default()->ReadFileToString(pristine_ + "/" + name, &data).ok());
    return data;
  }

  // Regions of a table: data, filter, properties, index, footer.
  struct Region {
    uint64_t begin, end;
  };
  std::map<std::string, Region> TableRegions(const std::string& name) {
    const std::string data = Contents(name);
    Footer footer;
    EXPECT_TRUE(footer
                    .DecodeFrom(Slice(data.data() + data.size() - Footer::kEncodedLength,
                                      Footer::kEncodedLength),
                                name)
                    .ok());
    auto block = [](const BlockHandle& h) {
      return Region{h.offset(), h.offset() + h.size() + kBlockTrailerSize};
    };
    std::map<std::string, Region> r;
    const uint64_t meta_start = footer.filter_handle().size() > 0
                                    ? footer.filter_handle().offset()
                                    : footer.properties_handle().offset();
    r["sst-data"] = Region{0, meta_start};
    if (footer.filter_handle().size() > 0) r["sst-filter"] = block(footer.filter_handle());
    r["sst-properties"] = block(footer.properties_handle());
    r["sst-index"] = block(footer.index_handle());
    r["sst-footer"] = Region{data.size() - Footer::kEncodedLength, data.size()};
    return r;
  }

  enum class Outcome {
    kDetected,        // Corruption naming the damaged file
    kOtherError,      // refused, but not as Corruption naming the file
    kHarmless,        // every result correct
    kLastWalRecord,   // the damaged last WAL record was dropped (= torn write)
    kSilentlyWrong,
  };

  // Copies the image, lets `damage` change file `name` in the copy, then
  // opens and reads everything.
  Outcome Try(const std::string& name, const std::function<void(std::string*)>& damage,
              std::string* detail) {
    const std::string work = dir_ + "-work";
    test::RemoveDirectory(work);
    EXPECT_TRUE(test::CopyDirectory(pristine_, work).ok());
    std::string data;
    EXPECT_TRUE(Env::Default()->ReadFileToString(work + "/" + name, &data).ok());
    damage(&data);
    EXPECT_TRUE(Env::Default()->WriteStringToFile(data, work + "/" + name, false).ok());
    std::map<std::string, std::string> state;
    Status s = OpenAndRead(work, &state);
    Outcome out;
    if (!s.ok()) {
      *detail = s.ToString();
      out = s.IsCorruption() && s.message().find(name) != std::string::npos ? Outcome::kDetected
                                                                              : Outcome::kOtherError;
    } else if (state == expected_) {
      out = Outcome::kHarmless;
    } else if (name == wal_ && state == expected_without_last_) {
      out = Outcome::kLastWalRecord;
    } else {
      out = Outcome::kSilentlyWrong;
    }
    if (out == Outcome::kHarmless || out == Outcome::kLastWalRecord) {
      // The repaired state is durable: a second open agrees.
      std::map<std::string, std::string> again;
      s = OpenAndRead(work, &again);
      if (!s.ok() || again != state) {
        *detail = "second open differs: " + s.ToString();
        out = Outcome::kSilentlyWrong;
      }
    }
    test::RemoveDirectory(work);
    return out;
  }

  Workload w_;
  std::string dir_, pristine_, wal_, manifest_;
  std::vector<std::string> tables_;
  std::vector<uint64_t> wal_records_, manifest_records_;  // offsets + file size
  std::map<std::string, std::string> expected_, expected_without_last_;
};

struct Tally {
  uint64_t n = 0, detected = 0, other_error = 0, harmless = 0, last_wal_record = 0, silent = 0;
  std::string first_other, first_silent;
  void Add(int outcome, const std::string& what) {
    n++;
    switch (outcome) {
      case 0: detected++; break;
      case 1:
        other_error++;
        if (first_other.empty()) first_other = what;
        break;
      case 2: harmless++; break;
      case 3: last_wal_record++; break;
      default:
        silent++;
        if (first_silent.empty()) first_silent = what;
    }
  }
};

TEST_F(DamageTest, BitFlipsInEveryFileTypeAreDetectedNeverSilent) {
  const int flips = Count("LSM_CRASH_FLIPS", 200, 1000);
  Random rnd(99);
  std::map<std::string, Tally> tallies;
  auto flip_in = [&](const std::string& type, const std::string& name, uint64_t begin,
                     uint64_t end) {
    const uint64_t offset = begin + rnd.Uniform(static_cast<uint32_t>(end - begin));
    const int bit = static_cast<int>(rnd.Uniform(8));
    std::string detail;
    const Outcome o = Try(name, [&](std::string* d) { (*d)[offset] ^= static_cast<char>(1 << bit); },
                          &detail);
    tallies[type].Add(static_cast<int>(o), name + " offset " + std::to_string(offset) + " bit " +
                                               std::to_string(bit) + ": " + detail);
  };
  for (int i = 0; i < flips; i++) {
    flip_in("wal", wal_, 0, wal_records_.back());
    // The last record on its own: a flip there looks like a torn write.
    flip_in("wal-last-record", wal_, wal_records_[wal_records_.size() - 2], wal_records_.back());
    flip_in("manifest", manifest_, 0, manifest_records_.back());
    flip_in("current", "CURRENT", 0, Contents("CURRENT").size());
    const std::string table = tables_[rnd.Uniform(static_cast<uint32_t>(tables_.size()))];
    for (const auto& [type, region] : TableRegions(table)) {
      flip_in(type, table, region.begin, region.end);
    }
  }
  bool ok = true;
  for (const auto& [type, t] : tallies) {
    std::printf("[reliability] bit-flips %s flips=%llu detected=%llu harmless=%llu "
                "last-wal-record-dropped=%llu other-error=%llu silently-wrong=%llu crashes=0\n",
                type.c_str(), (unsigned long long)t.n, (unsigned long long)t.detected,
                (unsigned long long)t.harmless, (unsigned long long)t.last_wal_record,
                (unsigned long long)t.other_error, (unsigned long long)t.silent);
    EXPECT_EQ(0u, t.silent) << type << ": " << t.first_silent;
    EXPECT_EQ(0u, t.other_error) << type << ": " << t.first_other;
    // Every byte of the others is covered by a checksum (the filter too).
    // CURRENT's checksum is hex text: a flip of a letter's case (bit 5) is
    // the same number, so those flips are harmless by construction.
    if (type != "current") EXPECT_EQ(0u, t.harmless) << type;
    EXPECT_GE(t.n, static_cast<uint64_t>(flips));
    ok = ok && t.silent == 0;
  }
  EXPECT_TRUE(ok);
}

TEST_F(DamageTest, TruncationAtAndAroundRecordBoundaries) {
  std::map<std::string, Tally> tallies;
  uint64_t wal_cuts = 0, wal_exact = 0;
  // WAL: exactly the records wholly before the cut survive.
  const size_t base = kFixtureTableOps;
  for (size_t r = 0; r + 1 < wal_records_.size(); r++) {
    const uint64_t b = wal_records_[r];
    for (const int64_t delta : {0, 1, 5, 9, 10}) {
      const uint64_t cut = b + static_cast<uint64_t>(delta);
      if (cut >= wal_records_.back()) continue;
      const size_t records = static_cast<size_t>(
          std::upper_bound(wal_records_.begin(), wal_records_.end(), cut) - wal_records_.begin() -
          1);
      const std::string work = dir_ + "-work";
      test::RemoveDirectory(work);
      ASSERT_TRUE(test::CopyDirectory(pristine_, work).ok());
      ASSERT_EQ(0, ::truncate((work + "/" + wal_).c_str(), static_cast<off_t>(cut)));
      std::map<std::string, std::string> state, again;
      Status s = OpenAndRead(work, &state);
      ASSERT_TRUE(s.ok()) << "cut " << cut << ": " << s.ToString();
      ASSERT_TRUE(OpenAndRead(work, &again).ok());
      wal_cuts++;
      if (state == w_.StateAfter(base + records) && again == state) wal_exact++;
      else ADD_FAILURE() << "WAL cut at " << cut << " did not recover exactly " << records
                         << " records";
      test::RemoveDirectory(work);
    }
  }
  // Others: every cut at, just before and just after a record/block boundary.
  auto cut_around = [&](const std::string& type, const std::string& name,
                        const std::vector<uint64_t>& boundaries, uint64_t size) {
    for (uint64_t b : boundaries) {
      for (const int64_t delta : {-1, 0, 1}) {
        const int64_t cut = static_cast<int64_t>(b) + delta;
        if (cut < 0 || static_cast<uint64_t>(cut) >= size) continue;
        std::string detail;
        const Outcome o =
            Try(name, [&](std::string* d) { d->resize(static_cast<size_t>(cut)); }, &detail);
        tallies[type].Add(static_cast<int>(o),
                          name + " cut at " + std::to_string(cut) + ": " + detail);
      }
    }
  };
  std::vector<uint64_t> manifest_cuts(manifest_records_.begin(), manifest_records_.end() - 1);
  cut_around("manifest", manifest_, manifest_cuts, manifest_records_.back());
  const std::string current = Contents("CURRENT");
  cut_around("current", "CURRENT", {0, current.size() / 2, current.size() - 1}, current.size());
  for (const std::string& table : tables_) {
    std::vector<uint64_t> bounds;
    for (const auto& [type, region] : TableRegions(table)) bounds.push_back(region.begin);
    bounds.push_back(Contents(table).size() - 1);
    cut_around("sst", table, bounds, Contents(table).size());
  }
  std::printf("[reliability] truncation wal cuts=%llu exact-acknowledged-prefix=%llu "
              "reopened-twice-identical=%llu\n",
              (unsigned long long)wal_cuts, (unsigned long long)wal_exact,
              (unsigned long long)wal_exact);
  for (const auto& [type, t] : tallies) {
    std::printf("[reliability] truncation %s cuts=%llu clear-error=%llu harmless=%llu "
                "other-error=%llu silently-wrong=%llu\n",
                type.c_str(), (unsigned long long)t.n, (unsigned long long)t.detected,
                (unsigned long long)t.harmless, (unsigned long long)t.other_error,
                (unsigned long long)t.silent);
    EXPECT_EQ(0u, t.silent) << type << ": " << t.first_silent;
    EXPECT_EQ(0u, t.other_error) << type << ": " << t.first_other;
  }
}

// ---------------------------------------------------------------------------
// 5. I/O errors on paths FaultMatrixTest (db_test.cc) does not reach

class CountingListener final : public EventListener {
 public:
  void OnBackgroundError(const Status&) override { errors++; }
  std::atomic<int> errors{0};
};

class IoErrorTest : public testing::Test {
 protected:
  IoErrorTest() : dir_(NewTempDir("io")) {}
  ~IoErrorTest() override {
    db_.reset();
    test::RemoveDirectory(dir_);
  }

  Options Opts() {
    Options o = SmallOptions(&env_);
    o.listener = listener_;
    return o;
  }

  // Writes op `i` of the workload; on success it joins the acknowledged set.
  Status Write(size_t i, bool sync = false) {
    WriteBatch b = w_.Batch(i);
    WriteOptions wo;
    wo.sync = sync;
    Status s = db_->Write(wo, &b);
    if (s.ok()) acked_ = i + 1;
    return s;
  }

  // Sticky: writes rejected, reads work, one event; then reopening without
  // faults recovers exactly what was acknowledged (or the one in flight).
  void ExpectStickyAndRecoverable(size_t in_flight) {
    ASSERT_TRUE(db_->BackgroundError().code() == Status::kIOError ||
                db_->BackgroundError().code() == Status::kNoSpace)
        << db_->BackgroundError().ToString();
    for (size_t i = 0; i < 20; i++) {
      Status s = Write(acked_ + 1 + i);
      EXPECT_TRUE(s.IsReadOnly()) << s.ToString();
    }
    std::map<std::string, std::string> state;
    EXPECT_TRUE(ReadAll(db_.get(), &state).ok());
    bool below;
    EXPECT_GE(w_.FindPrefix(state, acked_, in_flight, &below), 0);
    EXPECT_EQ(1, listener_->errors.load());
    EXPECT_FALSE(db_->Close().ok());
    db_.reset();
    env_.ClearFaults();
    ASSERT_TRUE(OpenAndRead(dir_, &state).ok());
    EXPECT_GE(w_.FindPrefix(state, acked_, in_flight, &below), 0) << "acked " << acked_;
  }

  FaultInjectionEnv env_;
  std::shared_ptr<CountingListener> listener_ = std::make_shared<CountingListener>();
  Workload w_{31, 20000, 0};
  std::string dir_;
  std::unique_ptr<DB> db_;
  size_t acked_ = 0;
};

// R2, "never retry an fsync and trust it": after a failed MANIFEST fsync, a
// compaction that was already running must not append to and fsync the same
// MANIFEST (the failed edit's bytes may be gone from the page cache, and a
// later successful fsync would make a file with a hole in it durable).
TEST_F(IoErrorTest, NoManifestWriteAfterAFailedManifestSync) {
  Options o = Opts();
  o.test_compaction_delay_ms = 300;
  ASSERT_TRUE(DB::Open(o, dir_, &db_).ok());
  size_t i = 0;
  // Two flushes: a compaction starts and sleeps before merging.
  for (int f = 0; f < 2; f++) {
    for (int k = 0; k < 50; k++) ASSERT_TRUE(Write(i++).ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  for (int k = 0; k < 50; k++) ASSERT_TRUE(Write(i++).ok());
  env_.FailNth(FaultOp::kSync, 1, FaultKind::kIOError, "MANIFEST-");
  EXPECT_FALSE(db_->Flush().ok());
  const uint64_t appends = env_.Count(FaultOp::kAppend, "MANIFEST-");
  const uint64_t syncs = env_.Count(FaultOp::kSync, "MANIFEST-");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the compaction ends
  const uint64_t late_appends = env_.Count(FaultOp::kAppend, "MANIFEST-") - appends;
  const uint64_t late_syncs = env_.Count(FaultOp::kSync, "MANIFEST-") - syncs;
  std::printf("[reliability] io-error manifest-writes-after-failed-sync appends=%llu syncs=%llu\n",
              (unsigned long long)late_appends, (unsigned long long)late_syncs);
  EXPECT_EQ(0u, late_appends);
  EXPECT_EQ(0u, late_syncs);
  ExpectStickyAndRecoverable(acked_);
}

TEST_F(IoErrorTest, CompactionFailuresAreSticky) {
  struct Case {
    FaultOp op;
    const char* pattern;
    FaultKind kind;
  };
  const Case cases[] = {{FaultOp::kAppend, ".sst", FaultKind::kNoSpace},
                        {FaultOp::kSync, ".sst", FaultKind::kIOError},
                        {FaultOp::kClose, ".sst", FaultKind::kIOError},
                        {FaultOp::kSync, "MANIFEST-", FaultKind::kIOError},
                        {FaultOp::kAppend, "MANIFEST-", FaultKind::kNoSpace},
                        {FaultOp::kSyncDir, "", FaultKind::kIOError}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(static_cast<int>(c.op)) + c.pattern);
    listener_->errors = 0;
    acked_ = 0;
    test::RemoveDirectory(dir_);
    Options o = Opts();
    o.disable_auto_compactions = true;
    ASSERT_TRUE(DB::Open(o, dir_, &db_).ok());
    for (size_t i = 0; i < 600; i++) ASSERT_TRUE(Write(i).ok());
    ASSERT_TRUE(db_->Flush().ok());
    env_.FailNth(c.op, 1, c.kind, c.pattern);
    KeyRange all;
    Status s = static_cast<DBImpl*>(db_.get())->TEST_CompactRange(0, &all);
    EXPECT_FALSE(s.ok());
    ExpectStickyAndRecoverable(acked_);
  }
}

TEST_F(IoErrorTest, FailuresWhileOpeningLeaveTheDbOpenable) {
  struct Case {
    FaultOp op;
    const char* pattern;
  };
  const Case cases[] = {{FaultOp::kRename, "CURRENT"},     {FaultOp::kSync, ".dbtmp"},
                        {FaultOp::kNewFile, "MANIFEST-"},  {FaultOp::kSync, "MANIFEST-"},
                        {FaultOp::kSyncDir, ""},           {FaultOp::kNewFile, ".log"},
                        {FaultOp::kAppend, ".sst"},        {FaultOp::kClose, ".dbtmp"}};
  uint64_t failed_opens = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(static_cast<int>(c.op)) + c.pattern);
    test::RemoveDirectory(dir_);
    ASSERT_TRUE(DB::Open(Opts(), dir_, &db_).ok());
    // Unflushed WAL data: the next open replays it into a table.
    acked_ = 0;
    for (size_t i = 0; i < 40; i++) ASSERT_TRUE(Write(i, true).ok());
    // A kill -9 image keeps the WAL (Close would flush it).
    const std::string image = dir_ + "-k9";
    ASSERT_TRUE(env_.CrashImage(dir_, image, CrashVariant::kKill9, 1).ok());
    db_.reset();
    test::RemoveDirectory(dir_);
    ASSERT_TRUE(test::CopyDirectory(image, dir_).ok());
    test::RemoveDirectory(image);
    env_.FailNth(c.op, 1, FaultKind::kIOError, c.pattern);
    std::unique_ptr<DB> db;
    Status s = DB::Open(Opts(), dir_, &db);
    if (!s.ok()) failed_opens++;
    EXPECT_TRUE(s.ok() || s.IsIOError()) << s.ToString();
    db.reset();
    env_.ClearFaults();
    std::map<std::string, std::string> state;
    ASSERT_TRUE(OpenAndRead(dir_, &state).ok());
    bool below;
    EXPECT_GE(w_.FindPrefix(state, acked_, acked_, &below), 0);
  }
  std::printf("[reliability] io-error open-path cases=%zu failed-opens=%llu lost=0\n",
              sizeof(cases) / sizeof(cases[0]), (unsigned long long)failed_opens);
}

// Many writers: once the first failure has been returned, no write that
// starts later is accepted; every acknowledged write survives a reopen.
TEST_F(IoErrorTest, NoWriteIsAcceptedAfterTheFirstError) {
  struct Case {
    FaultOp op;
    const char* pattern;
    FaultKind kind;
    int nth;
  };
  const Case cases[] = {{FaultOp::kSync, ".log", FaultKind::kIOError, 30},
                        {FaultOp::kAppend, ".log", FaultKind::kNoSpace, 200},
                        {FaultOp::kSync, ".sst", FaultKind::kIOError, 2},
                        {FaultOp::kSync, "MANIFEST-", FaultKind::kIOError, 3},
                        {FaultOp::kSyncDir, "", FaultKind::kIOError, 3},
                        {FaultOp::kClose, ".log", FaultKind::kIOError, 2}};
  uint64_t accepted_after = 0, acked_total = 0, lost = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(static_cast<int>(c.op)) + c.pattern);
    listener_->errors = 0;
    test::RemoveDirectory(dir_);
    ASSERT_TRUE(DB::Open(Opts(), dir_, &db_).ok());
    env_.FailNth(c.op, c.nth, c.kind, c.pattern);
    std::atomic<uint64_t> clock{0};
    std::atomic<uint64_t> first_failure_end{UINT64_MAX};
    constexpr int kThreads = 4;
    std::vector<std::vector<std::pair<std::string, uint64_t>>> acked(kThreads);  // key, start
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&, t] {
        Random rnd(t);
        for (int n = 0; n < 3000; n++) {
          const std::string key = "t" + std::to_string(t) + "-" + std::to_string(n);
          WriteOptions wo;
          wo.sync = rnd.OneIn(4);
          const uint64_t start = clock.fetch_add(1);
          Status s = db_->Put(wo, key, std::string(100, static_cast<char>('a' + t)));
          const uint64_t end = clock.fetch_add(1);
          if (s.ok()) {
            acked[t].emplace_back(key, start);
            continue;
          }
          uint64_t cur = first_failure_end.load();
          while (end < cur && !first_failure_end.compare_exchange_weak(cur, end)) {
          }
          if (n > 0 && rnd.OneIn(8)) break;  // some threads give up, others keep trying
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_NE(UINT64_MAX, first_failure_end.load()) << "the failure never surfaced";
    EXPECT_EQ(1, listener_->errors.load());
    std::string v;
    EXPECT_TRUE(db_->Put(WriteOptions(), "late", "x").IsReadOnly());
    // Reads keep working.
    for (const auto& list : acked) {
      for (const auto& [key, start] : list) {
        if (start > first_failure_end.load()) accepted_after++;
        EXPECT_TRUE(db_->Get(ReadOptions(), key, &v).ok()) << key;
      }
    }
    EXPECT_FALSE(db_->Close().ok());
    db_.reset();
    env_.ClearFaults();
    ASSERT_TRUE(DB::Open(Opts(), dir_, &db_).ok());
    for (const auto& list : acked) {
      for (const auto& [key, start] : list) {
        acked_total++;
        if (!db_->Get(ReadOptions(), key, &v).ok()) lost++;
      }
    }
    ASSERT_TRUE(db_->Close().ok());
    db_.reset();
  }
  std::printf("[reliability] io-error concurrent-writers cases=%zu acknowledged=%llu "
              "accepted-after-first-error=%llu lost-after-reopen=%llu\n",
              sizeof(cases) / sizeof(cases[0]), (unsigned long long)acked_total,
              (unsigned long long)accepted_after, (unsigned long long)lost);
  EXPECT_EQ(0u, accepted_after);
  EXPECT_EQ(0u, lost);
}

}  // namespace
}  // namespace lsm
