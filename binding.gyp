# Builds the Node addon with node-gyp (used by `npm install` when no prebuild
# matches, and by prebuildify). The source lists are explicit and must match
# CMakeLists.txt (test/build-files.test.js checks this).
# The addon links with -z nodelete: Node unloads an addon when the only worker
# that loaded it exits, and a detached close/open thread may still be running
# its last instructions then.
{
  "targets": [
    {
      "target_name": "lsm_engine",
      "type": "static_library",
      "sources": [
        "native/src/util/status.cc",
        "native/src/util/crc32c.cc",
        "native/src/util/lz.cc",
        "native/src/util/arena.cc",
        "native/src/util/bloom.cc",
        "native/src/util/comparator.cc",
        "native/src/util/thread.cc",
        "native/src/util/helper_thread.cc",
        "native/src/util/histogram.cc",
        "native/src/env/env.cc",
        "native/src/env/posix_env.cc",
        "native/src/log/log_writer.cc",
        "native/src/log/log_reader.cc",
        "native/src/table/iterator.cc",
        "native/src/table/format.cc",
        "native/src/table/block_builder.cc",
        "native/src/table/block.cc",
        "native/src/table/prefix_index.cc",
        "native/src/table/filter_block.cc",
        "native/src/table/table_builder.cc",
        "native/src/table/table.cc",
        "native/src/table/merger.cc",
        "native/src/db/dbformat.cc",
        "native/src/db/filename.cc",
        "native/src/db/write_batch.cc",
        "native/src/db/memtable.cc",
        "native/src/db/version_edit.cc",
        "native/src/db/version_set.cc",
        "native/src/db/flush_job.cc",
        "native/src/db/compaction.cc",
        "native/src/db/compaction_job.cc",
        "native/src/db/db_iter.cc",
        "native/src/db/level_iterator.cc",
        "native/src/db/db_impl.cc",
        "native/src/db/checkpoint.cc",
        "native/src/db/verify.cc",
        "native/src/db/log_replay.cc",
        "native/src/db/read_sources.cc",
        "native/src/db/read_only_db.cc",
        "native/src/db/shared_db.cc"
      ],
      "include_dirs": [
        "native/include",
        "native/src"
      ],
      "direct_dependent_settings": {
        "include_dirs": [
          "native/include"
        ]
      },
      "cflags!": [
        "-fno-exceptions",
        "-fno-rtti"
      ],
      "cflags_cc!": [
        "-fno-exceptions",
        "-fno-rtti",
        "-std=gnu++17",
        "-std=gnu++20"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fno-exceptions",
        "-O2",
        "-fvisibility=hidden",
        "-fPIC"
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      }
    },
    {
      "target_name": "lsmkv",
      "dependencies": [
        "lsm_engine"
      ],
      "sources": [
        "native/binding/addon.cc",
        "native/binding/database.cc",
        "native/binding/errors.cc",
        "native/binding/iterator.cc",
        "native/binding/verify.cc",
        "native/binding/metrics.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/include"
      ],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a worker being terminated
      # cannot run JS; a throw there (or a failed call into JS while
      # delivering completions) is dropped instead of aborting the process.
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": [
        "-fno-exceptions",
        "-fno-rtti"
      ],
      "cflags_cc!": [
        "-fno-exceptions",
        "-fno-rtti",
        "-std=gnu++17",
        "-std=gnu++20"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fno-exceptions",
        "-O2",
        "-fvisibility=hidden"
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      },
      "ldflags": [
        "-Wl,-z,nodelete"
      ]
    }
  ]
}
