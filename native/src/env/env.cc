// Env helpers shared by every Env implementation.
#include "lsm/env.h"

namespace lsm {

Status Env::ReadFileToString(const std::string& fname, std::string* data) {
  data->clear();
  std::unique_ptr<RandomAccessFile> file;
  Status s = NewRandomAccessFile(fname, /*use_mmap=*/false, &file);
  if (!s.ok()) return s;
  const uint64_t size = file->Size();
  data->resize(size);
  uint64_t done = 0;
  while (done < size) {
    Slice chunk;
    s = file->Read(done, size - done, &chunk, &(*data)[done]);
    if (!s.ok()) return s;
    if (chunk.empty()) break;  // shrank while reading
    if (chunk.data() != &(*data)[done]) memcpy(&(*data)[done], chunk.data(), chunk.size());
    done += chunk.size();
  }
  data->resize(done);
  return Status::OK();
}

Status Env::WriteStringToFile(const Slice& data, const std::string& fname, bool sync) {
  std::unique_ptr<WritableFile> file;
  Status s = NewWritableFile(fname, &file);
  if (!s.ok()) return s;
  s = file->Append(data);
  if (s.ok() && sync) s = file->Sync();
  Status c = file->Close();
  if (s.ok()) s = c;
  if (!s.ok()) RemoveFile(fname).ok();  // best effort: a partial file must not look valid
  return s;
}

}  // namespace lsm
