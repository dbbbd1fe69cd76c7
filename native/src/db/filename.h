// Names of the files in a database directory. Every file except CURRENT and
// LOCK carries a number from one counter (VersionSet::NewFileNumber), so
// names never repeat within a database's life.
//
//   NNNNNN.log      WAL segment (one per memtable)
//   NNNNNN.sst      SSTable
//   MANIFEST-NNNNNN version-edit log; CURRENT names the live one
//   NNNNNN.dbtmp    temporary file (CURRENT being replaced)
//   CURRENT, LOCK
#ifndef LSMKV_NATIVE_SRC_DB_FILENAME_H_
#define LSMKV_NATIVE_SRC_DB_FILENAME_H_

#include <cstdint>
#include <string>

#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"

namespace lsm {

enum class FileType { kLogFile, kTableFile, kManifestFile, kCurrentFile, kLockFile, kTempFile };

std::string LogFileName(const std::string& dbname, uint64_t number);
std::string TableFileName(const std::string& dbname, uint64_t number);
std::string ManifestFileName(const std::string& dbname, uint64_t number);
std::string CurrentFileName(const std::string& dbname);
std::string LockFileName(const std::string& dbname);
std::string TempFileName(const std::string& dbname, uint64_t number);

// Parses a bare file name (no directory). False for names lsmkv does not own.
bool ParseFileName(const std::string& filename, uint64_t* number, FileType* type);

// Points CURRENT at MANIFEST-`manifest_number` durably (R3):
// write temp -> fdatasync -> rename over CURRENT -> fsync(dir).
//   CURRENT := "MANIFEST-NNNNNN" SP crc32c-hex(8) LF
// The checksum covers the manifest name (R5).
Status SetCurrentFile(Env* env, const std::string& dbname, uint64_t manifest_number);

// Reads and verifies CURRENT; returns the manifest file name (no directory).
Status ReadCurrentFile(Env* env, const std::string& dbname, std::string* manifest);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_FILENAME_H_
