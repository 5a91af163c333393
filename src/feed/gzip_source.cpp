#include "feed/gzip_source.h"

#include <algorithm>
#include <string>

namespace hashmon {
namespace {

constexpr size_t kCompressedBlock = 1 << 16;
constexpr int kGzipOnly = 16 + MAX_WBITS;  // a gzip header and trailer, checked

}  // namespace

GzipSource::GzipSource(std::unique_ptr<ByteSource> compressed)
    : compressed_(std::move(compressed)), in_(kCompressedBlock) {
  if (inflateInit2(&z_, kGzipOnly) != Z_OK) done_ = true, error_ = "cannot start zlib";
}

GzipSource::~GzipSource() { inflateEnd(&z_); }

bool GzipSource::Refill() {
  const ssize_t r = compressed_->Read(reinterpret_cast<char*>(in_.data()), in_.size());
  if (r < 0) {
    error_ = compressed_->error();
    return false;
  }
  z_.next_in = in_.data();
  z_.avail_in = static_cast<uInt>(r);
  return r > 0;
}

ssize_t GzipSource::Fail(const std::string& why) {
  done_ = true;
  if (error_.empty()) error_ = why;
  // What was inflated before the damage is handed on first; the error comes with the next
  // read, as it would from a file that ended there.
  const size_t produced = asked_ - z_.avail_out;
  return produced > 0 ? static_cast<ssize_t>(produced) : -1;
}

ssize_t GzipSource::Read(char* buf, size_t n) {
  if (!error_.empty()) return -1;
  if (done_ || n == 0) return 0;
  asked_ = std::min<size_t>(n, 1u << 30);
  z_.next_out = reinterpret_cast<Bytef*>(buf);
  z_.avail_out = static_cast<uInt>(asked_);
  while (z_.avail_out > 0) {
    if (z_.avail_in == 0 && !Refill()) {
      if (!error_.empty()) return Fail(error_);
      if (!member_ended_) return Fail("truncated gzip input (it ends inside a member)");
      done_ = true;  // the end, after a whole member
      break;
    }
    if (member_ended_) {            // more bytes after a member: the next member, or padding
      if (z_.next_in[0] != 0x1f) {  // not a gzip header: ignored, as gzip(1) ignores it
        done_ = true;
        break;
      }
      if (inflateReset(&z_) != Z_OK) return Fail("cannot restart zlib");
      member_ended_ = false;
    }
    const int r = inflate(&z_, Z_NO_FLUSH);
    if (r == Z_STREAM_END) {
      member_ended_ = true;  // its CRC-32 and length matched
      continue;
    }
    if (r == Z_BUF_ERROR && z_.avail_in == 0) continue;  // needs more input
    if (r != Z_OK) {
      return Fail(std::string("damaged gzip data (") + (z_.msg ? z_.msg : "zlib error") + ")");
    }
  }
  return static_cast<ssize_t>(asked_ - z_.avail_out);
}

}  // namespace hashmon
