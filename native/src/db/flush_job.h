// BuildTable: writes the contents of an iterator (a memtable) into a new
// SSTable, durably: the table is fdatasync'd and closed, then opened and its
// footer verified, before anything may reference it. The caller fsyncs the
// directory (R3) before the MANIFEST edit that names the table.
#ifndef LSMKV_NATIVE_SRC_DB_FLUSH_JOB_H_
#define LSMKV_NATIVE_SRC_DB_FLUSH_JOB_H_

#include <string>

#include "db/version_edit.h"
#include "lsm/env.h"
#include "lsm/options.h"
#include "table/iterator.h"
#include "table/table.h"

namespace lsm {

// On success `meta` describes the table (meta->number must be set by the
// caller) with meta->table open. An empty iterator produces no file and
// leaves meta->file_size == 0. On failure the partial file is removed.
Status BuildTable(const std::string& dbname, Env* env, const TableOptions& table_options,
                  bool use_mmap, Iterator* iter, FileMetaData* meta);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_FLUSH_JOB_H_
