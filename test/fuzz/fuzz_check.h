// FUZZ_CHECK: an invariant a fuzz target asserts about the code under test.
// A violation prints the condition and aborts, which libFuzzer reports as a
// crash and saves the input for (unlike assert, it stays on under NDEBUG).
#ifndef LSMKV_TEST_FUZZ_FUZZ_CHECK_H_
#define LSMKV_TEST_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                      \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

#endif  // LSMKV_TEST_FUZZ_FUZZ_CHECK_H_
