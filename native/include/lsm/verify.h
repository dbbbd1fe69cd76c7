// VerifyDB: checks every checksum of every file of a database directory and
// reports what is damaged, without changing anything.
//
// It takes no LOCK and writes nothing, so it can run on a database that is
// open elsewhere; files the owner deletes meanwhile (obsolete WALs and
// tables) are then skipped, and a table or WAL still being written may show
// up as a note. For a definitive answer verify a closed database or a
// checkpoint (DB::Checkpoint).
//
// Thread-safety: VerifyDB may be called from any thread.
#ifndef LSMKV_NATIVE_INCLUDE_LSM_VERIFY_H_
#define LSMKV_NATIVE_INCLUDE_LSM_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lsm/env.h"
#include "lsm/status.h"

namespace lsm {

// One finding. `damage` is true for damage (open fails with CORRUPTION or
// data is lost); false for a note that is not damage: a torn tail that
// recovery drops by design, or a problem in a file the current state does
// not reference (the next open deletes it, R9).
struct VerifyIssue {
  std::string file;  // name inside the directory, e.g. "000012.sst"
  uint64_t offset = 0;
  std::string what;
  bool damage = true;
};

struct VerifyFile {
  std::string file;   // name inside the directory
  std::string type;   // "current", "manifest", "wal", "table"
  uint64_t size = 0;
  // MANIFEST: edits; WAL: write batches; table: data blocks.
  uint64_t records = 0;
  // WAL: operations in the batches; table: entries. 0 otherwise.
  uint64_t entries = 0;
  // Referenced by the state CURRENT describes (for CURRENT itself: true).
  bool live = false;
  bool ok = true;  // no issue with damage in this file
};

struct VerifyReport {
  std::vector<VerifyFile> files;
  std::vector<VerifyIssue> issues;
  // True when no issue is damage.
  bool ok() const;
};

// Checks CURRENT (its checksum and the MANIFEST it names), every record of
// every MANIFEST (checksum and parse; the live one also for missing or
// wrongly sized tables), every record of every WAL segment (checksum and
// write-batch parse), and every table: footer, properties, filter, index and
// each data block (checksum and parse, key order, entry count). Returns OK
// with the findings in *report; InvalidArgument if `dbname` does not exist
// or holds no lsmkv files; IOError if it cannot be read at all.
Status VerifyDB(Env* env, const std::string& dbname, VerifyReport* report);

}  // namespace lsm

#endif  // LSMKV_NATIVE_INCLUDE_LSM_VERIFY_H_
