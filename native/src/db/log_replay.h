// Log replay shared by recovery (DBImpl, VersionSet) and read-only loads
// (ReadOnlyDB): the write batches of a WAL segment, with its tail rules, and
// the file set and counters the edits of a MANIFEST add up to.
#ifndef LSMKV_NATIVE_SRC_DB_LOG_REPLAY_H_
#define LSMKV_NATIVE_SRC_DB_LOG_REPLAY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "db/version_edit.h"
#include "lsm/env.h"
#include "lsm/slice.h"
#include "lsm/status.h"
#include "lsm/write_batch.h"

namespace lsm {

// What the MANIFEST's edits so far add up to.
struct ManifestSummary {
  std::map<std::pair<int, uint64_t>, FileMetaData> files;  // by (level, number)
  bool have_log = false, have_next = false, have_seq = false;
  uint64_t log_number = 0;
  uint64_t next_file = 0;
  SequenceNumber last_sequence = 0;
};

// Decodes the MANIFEST record found at `offset` of `fname` and applies it to
// *summary. Corruption if it does not parse, NotSupported for a newer
// format, InvalidArgument for another comparator.
Status ApplyManifestRecord(const std::string& fname, const Slice& record, uint64_t offset,
                           ManifestSummary* summary);

// Reads WAL segment `fname` and hands every write batch in it, oldest first,
// to `apply` with its file offset; a non-OK result from `apply` stops the
// replay and is returned. A torn tail ends the replay silently, but only
// in the newest segment (`is_last`) unless it is all zeros: older segments
// were synced before the next one started, so a torn one lost data
// (Corruption). A bad record followed by valid ones is Corruption (R5).
Status ReplayWalSegment(Env* env, const std::string& fname, bool is_last,
                        const std::function<Status(const WriteBatch&, uint64_t)>& apply);

// The numbers of the WAL segments in `dbname` numbered `first` or higher,
// ascending, and in *max_number the highest number any lsmkv file there has
// (0 if none).
Status ListWalSegments(Env* env, const std::string& dbname, uint64_t first,
                       std::vector<uint64_t>* logs, uint64_t* max_number);

}  // namespace lsm

#endif  // LSMKV_NATIVE_SRC_DB_LOG_REPLAY_H_
