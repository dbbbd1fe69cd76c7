// Sample file builders for the fuzz corpus (see sample_files.h).
#include "sample_files.h"

#include <cstdio>
#include <memory>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/version_edit.h"
#include "log/log_writer.h"
#include "lsm/write_batch.h"
#include "mem_env.h"
#include "table/block_builder.h"
#include "table/table_builder.h"

namespace lsm {
namespace fuzz {

namespace {

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%05d", i);
  return buf;
}

std::string Value(int i) {
  // Varied lengths so value lengths take one- and two-byte varints.
  return std::string(static_cast<size_t>(i * 37 % 150), static_cast<char>('a' + i % 26));
}

std::string IKey(int i, SequenceNumber seq, ValueType t) {
  std::string k;
  AppendInternalKey(&k, Key(i), seq, t);
  return k;
}

FileMetaData Meta(uint64_t number, int lo, int hi, SequenceNumber seq) {
  FileMetaData f;
  f.number = number;
  f.file_size = 1000 + number;
  f.smallest = IKey(lo, seq, kTypeValue);
  f.largest = IKey(hi, seq, kTypeValue);
  f.smallest_seq = seq;
  f.largest_seq = seq + static_cast<SequenceNumber>(hi - lo);
  f.num_entries = static_cast<uint64_t>(hi - lo + 1);
  f.num_deletions = 1;
  return f;
}

}  // namespace

std::string SampleBatch(uint64_t seq, int first, int n, bool with_deletes) {
  WriteBatch b;
  for (int i = first; i < first + n; i++) {
    if (with_deletes && i % 3 == 0) b.Delete(Key(i));
    else b.Put(Key(i), Value(i));
  }
  b.SetSequence(seq);
  return b.rep();
}

std::string SampleLog(const std::vector<std::string>& payloads) {
  std::string out;
  for (const std::string& p : payloads) log::Writer::EncodeRecord(p, &out);
  return out;
}

std::string SampleTable(bool internal_keys, int entries, size_t block_size,
                        int bloom_bits_per_key) {
  TableOptions o;
  o.block_size = block_size;
  o.block_restart_interval = 4;
  o.bloom_bits_per_key = bloom_bits_per_key;
  if (internal_keys) {
    o.comparator = GetInternalKeyComparator();
    o.filter_key_suffix_strip = kInternalKeyTrailer;
  }
  MemEnv env;
  std::unique_ptr<WritableFile> file;
  env.NewWritableFile("t.sst", &file).ok();
  TableBuilder builder(o, file.get());
  uint64_t deletions = 0;
  for (int i = 0; i < entries; i++) {
    const bool del = i % 7 == 3;
    deletions += del ? 1 : 0;
    const ValueType t = del ? kTypeDeletion : kTypeValue;
    const SequenceNumber seq = 100 + static_cast<SequenceNumber>(i);
    builder.Add(internal_keys ? Slice(IKey(i, seq, t)) : Slice(Key(i)),
                del ? Slice() : Slice(Value(i)));
  }
  builder.mutable_properties()->num_deletions = deletions;
  builder.mutable_properties()->smallest_seq = 100;
  builder.mutable_properties()->largest_seq = 100 + static_cast<uint64_t>(entries);
  builder.Finish().ok();
  return env.Contents("t.sst");
}

std::string SampleBlock(int entries, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (int i = 0; i < entries; i++) b.Add(Key(i * 3), Value(i));
  return b.Finish().ToString();
}

std::vector<std::string> SampleEdits() {
  std::vector<std::string> out;
  VersionEdit e;
  // The snapshot a fresh MANIFEST starts with.
  e.SetFormatVersion(kManifestFormatVersion);
  e.SetComparatorName(GetInternalKeyComparator()->Name());
  e.SetLogNumber(4);
  e.SetNextFile(9);
  e.SetLastSequence(300);
  e.AddFile(0, Meta(5, 0, 40, 200));
  e.AddFile(1, Meta(7, 10, 90, 1));
  out.emplace_back();
  e.EncodeTo(&out.back());
  // A flush: a new L0 table and the WAL it replaces.
  e.Clear();
  e.SetLogNumber(10);
  e.SetNextFile(12);
  e.SetLastSequence(420);
  e.AddFile(0, Meta(11, 5, 60, 301));
  out.emplace_back();
  e.EncodeTo(&out.back());
  // A compaction of L0 into L1.
  e.Clear();
  e.RemoveFile(0, 5);
  e.RemoveFile(0, 11);
  e.RemoveFile(1, 7);
  e.AddFile(1, Meta(13, 0, 50, 1));
  e.AddFile(1, Meta(14, 51, 90, 1));
  e.SetNextFile(15);
  e.SetLastSequence(420);
  e.SetLogNumber(10);
  out.emplace_back();
  e.EncodeTo(&out.back());
  // A trivial move to L2.
  e.Clear();
  e.RemoveFile(1, 14);
  e.AddFile(2, Meta(14, 51, 90, 1));
  e.SetNextFile(15);
  e.SetLastSequence(420);
  e.SetLogNumber(10);
  out.emplace_back();
  e.EncodeTo(&out.back());
  return out;
}

std::string SampleCurrent(uint64_t manifest_number) {
  MemEnv env;
  SetCurrentFile(&env, "db", manifest_number).ok();
  std::string data;
  env.ReadFileToString(CurrentFileName("db"), &data).ok();
  return data;
}

}  // namespace fuzz
}  // namespace lsm
