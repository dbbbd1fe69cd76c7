// HelperThread (util/helper_thread.h): a task sees what its owner wrote before
// Run(), the owner sees what the task wrote once Wait() returns, and tasks
// run one at a time in order. TSan checks the hand-over in CI.
#include "util/helper_thread.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace lsm {
namespace {

TEST(HelperThreadTest, TasksSeeTheOwnersWritesAndTheOwnerSeesTheirs) {
  HelperThread helper;
  ASSERT_TRUE(helper.Start("test-helper"));
  std::vector<int> data;  // plain memory: ordered only by Run() and Wait()
  for (int round = 0; round < 1000; round++) {
    data.push_back(round);
    helper.Run([&data, round] {
      ASSERT_EQ(static_cast<size_t>(round + 1), data.size());
      data.back() = -data.back();
    });
    helper.Wait();
    ASSERT_EQ(-round, data.back());
  }
}

TEST(HelperThreadTest, WaitBlocksUntilASlowTaskReturns) {
  HelperThread helper;
  ASSERT_TRUE(helper.Start("test-helper"));
  bool done = false;
  helper.Run([&done] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    done = true;
  });
  helper.Wait();
  EXPECT_TRUE(done);
}

TEST(HelperThreadTest, DestroyingJoinsWithOrWithoutAStartedThread) {
  { HelperThread never_started; }
  {
    HelperThread idle;
    ASSERT_TRUE(idle.Start("test-helper"));
  }
  int runs = 0;
  {
    HelperThread busy;
    ASSERT_TRUE(busy.Start("test-helper"));
    busy.Run([&runs] { runs++; });
    busy.Wait();
  }
  EXPECT_EQ(1, runs);
}

}  // namespace
}  // namespace lsm
