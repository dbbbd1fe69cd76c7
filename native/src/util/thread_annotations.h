// Clang thread-safety annotations (no-ops elsewhere). Members protected by a
// mutex say so with GUARDED_BY; the C++ tests also run under TSan.
#ifndef LSMKV_NATIVE_SRC_UTIL_THREAD_ANNOTATIONS_H_
#define LSMKV_NATIVE_SRC_UTIL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define LSM_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LSM_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) LSM_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) LSM_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) LSM_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LSM_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

#endif  // LSMKV_NATIVE_SRC_UTIL_THREAD_ANNOTATIONS_H_
