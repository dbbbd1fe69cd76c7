// VerifyDB (lsm/verify.h): a clean database verifies ok and every file is
// read; damage to a table's data block, the MANIFEST or CURRENT is reported
// with the file and offset, and verify changes nothing.
#include <stdlib.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "db/filename.h"
#include "fault_env.h"
#include "lsm/db.h"
#include "lsm/env.h"
#include "lsm/verify.h"

namespace lsm {
namespace {

class VerifyTest : public testing::Test {
 protected:
  VerifyTest() {
    char buf[] = "/tmp/lsmkv-verifytest-XXXXXX";
    const char* made = ::mkdtemp(buf);
    EXPECT_NE(nullptr, made);
    dir_ = made != nullptr ? made : "";
  }
  ~VerifyTest() override { test::RemoveDirectory(dir_); }

  // Two tables and a MANIFEST; closed (so no WAL).
  void Build() {
    Options o;
    o.create_if_missing = true;
    o.block_size = 256;
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(o, dir_, &db).ok());
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 300; i++) {
        ASSERT_TRUE(db->Put(WriteOptions(), "k" + std::to_string(round * 1000 + i), std::string(30, 'v')).ok());
      }
      ASSERT_TRUE(db->Flush().ok());
    }
    ASSERT_TRUE(db->Close().ok());
  }
  std::string FileOf(FileType want) {
    std::vector<std::string> names;
    EXPECT_TRUE(Env::Default()->GetChildren(dir_, &names).ok());
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(n, &number, &type) && type == want) return n;
    }
    return "";
  }
  void Rewrite(const std::string& name, const std::function<void(std::string*)>& change) {
    std::string data;
    ASSERT_TRUE(Env::Default()->ReadFileToString(dir_ + "/" + name, &data).ok());
    change(&data);
    ASSERT_TRUE(Env::Default()->WriteStringToFile(data, dir_ + "/" + name, false).ok());
  }
  VerifyReport Verify() {
    VerifyReport r;
    Status s = VerifyDB(nullptr, dir_, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  std::string dir_;
};

TEST_F(VerifyTest, CleanDatabaseIsOkAndEveryFileIsRead) {
  Build();
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.issues.empty());
  uint64_t entries = 0, tables = 0;
  for (const VerifyFile& f : r.files) {
    if (f.type == "table") {
      tables++;
      entries += f.entries;
      EXPECT_GT(f.records, 1u);  // several data blocks
    }
  }
  EXPECT_EQ(2u, tables);
  EXPECT_EQ(600u, entries);
}

TEST_F(VerifyTest, FlippedDataByteIsReportedAtItsBlockAndNothingChanges) {
  Build();
  const std::string table = FileOf(FileType::kTableFile);
  Rewrite(table, [](std::string* d) { (*d)[10] ^= 0x40; });  // inside the first data block
  std::string before;
  ASSERT_TRUE(Env::Default()->ReadFileToString(dir_ + "/" + table, &before).ok());
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(1u, r.issues.size());
  EXPECT_EQ(table, r.issues[0].file);
  EXPECT_EQ(0u, r.issues[0].offset);
  EXPECT_NE(std::string::npos, r.issues[0].what.find("data block")) << r.issues[0].what;
  std::string after;
  ASSERT_TRUE(Env::Default()->ReadFileToString(dir_ + "/" + table, &after).ok());
  EXPECT_EQ(before, after);
}

TEST_F(VerifyTest, TruncatedManifestAndBadCurrentAreReported) {
  Build();
  const std::string manifest = FileOf(FileType::kManifestFile);
  Rewrite(manifest, [](std::string* d) { d->resize(d->size() / 2); });
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok());
  bool manifest_damage = false;
  for (const VerifyIssue& i : r.issues) manifest_damage |= i.file == manifest && i.damage;
  EXPECT_TRUE(manifest_damage);

  Rewrite("CURRENT", [](std::string* d) { (*d)[3] ^= 1; });
  r = Verify();
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ("CURRENT", r.issues[0].file);
  EXPECT_TRUE(r.issues[0].damage);
}

TEST_F(VerifyTest, MissingDirectoryIsAnError) {
  VerifyReport r;
  EXPECT_TRUE(VerifyDB(nullptr, dir_ + "/nope", &r).IsInvalidArgument());
  EXPECT_TRUE(VerifyDB(nullptr, dir_, &r).IsInvalidArgument());  // empty: not a database
}

}  // namespace
}  // namespace lsm
