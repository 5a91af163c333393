// Gzip decompression that checks what libarchive does not: each member's CRC-32 and length.
// libarchive's gzip filter skips the trailer unread, so a .gz with a damaged byte inflated to
// different text without a word (a changed digit in a timestamp counts a post in another
// minute). Here that is a read error, which replay reports as damage, as it does for bzip2
// and zstd. Files of several gzip members one after another (cat a.gz b.gz) read as one.
#ifndef HASHMON_FEED_GZIP_SOURCE_H_
#define HASHMON_FEED_GZIP_SOURCE_H_

#include <zlib.h>

#include <memory>
#include <vector>

#include "feed/input_file.h"

namespace hashmon {

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> compressed);
  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  ssize_t Read(char* buf, size_t n) override;

 private:
  // Fills the input buffer from the compressed source; false at its end or on its error.
  bool Refill();
  ssize_t Fail(const std::string& why);

  std::unique_ptr<ByteSource> compressed_;
  std::vector<unsigned char> in_;
  z_stream z_{};
  size_t asked_ = 0;           // the size of the read in progress
  bool member_ended_ = false;  // the last member's trailer was read and checked
  bool done_ = false;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_GZIP_SOURCE_H_
