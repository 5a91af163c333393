// Opens recorded feeds for replay: plain JSONL, .gz/.bz2/.zst/.xz, tar archives of those
// (the Archive Team layout), directories of those, and "-" for stdin. Each file or tar
// entry is a Member with a stable identity for the replay cursor.
#ifndef HASHMON_FEED_INPUT_FILE_H_
#define HASHMON_FEED_INPUT_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hashmon {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns 0 at the end, -1 on error (see error()).
  virtual ssize_t Read(char* buf, size_t n) = 0;
  // Skips n bytes; returns false if the input ended first.
  virtual bool Skip(uint64_t n);
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

struct Member {
  std::string name;      // path, or "archive.tar:inner/path.json.bz2"
  std::string identity;  // "file:<hash of first 64 KiB>:<entry name>"; empty for stdin
  std::unique_ptr<ByteSource> bytes;
};

class InputFile {
 public:
  static std::unique_ptr<InputFile> Open(const std::string& path, std::string* error);
  virtual ~InputFile() = default;
  // The next member, or null at the end (error set if it ended badly).
  virtual std::unique_ptr<Member> Next(std::string* error) = 0;
};

// Expands directories (recursively, sorted by path) into the regular files they hold (a
// symlink to a directory is not followed, so a link back up makes no loop). False, with the
// directory and the fix in `error`, where one cannot be listed: posts would go missing.
bool ExpandInputPaths(const std::vector<std::string>& paths, std::vector<std::string>* files,
                      std::string* error);

}  // namespace hashmon

#endif  // HASHMON_FEED_INPUT_FILE_H_
