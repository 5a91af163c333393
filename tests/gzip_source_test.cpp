#include "feed/gzip_source.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <string>

namespace hashmon {
namespace {

std::string Gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Serves a string a few bytes at a time, as a slow pipe would.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  ssize_t Read(char* buf, size_t n) override {
    const size_t k = std::min({n, piece_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, k, buf);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string data_;
  size_t piece_, pos_ = 0;
};

struct Inflated {
  std::string text;
  std::string error;  // empty: it ended cleanly
};

Inflated ReadAll(const std::string& gz, size_t piece = 7, size_t read_size = 1000) {
  GzipSource source(std::make_unique<TrickleSource>(gz, piece));
  Inflated out;
  std::string buf(read_size, '\0');
  for (;;) {
    const ssize_t r = source.Read(buf.data(), buf.size());
    if (r < 0) {
      out.error = source.error();
      break;
    }
    if (r == 0) break;
    out.text.append(buf, 0, static_cast<size_t>(r));
  }
  return out;
}

std::string Lines(int n) {
  std::string text;
  for (int i = 0; i < n; ++i)
    text += "{\"id_str\":\"" + std::to_string(i) + "\",\"text\":\"#twitterdown\"}\n";
  return text;
}

TEST(GzipSourceTest, AFileIsReadWholeWhateverTheSizesOfReadsAndPieces) {
  const std::string text = Lines(5000);
  for (const auto& [piece, read_size] : {std::pair{7, 1000}, {1 << 16, 3}, {1, 1 << 20}}) {
    const Inflated got = ReadAll(Gzip(text), piece, read_size);
    EXPECT_EQ(got.error, "") << piece << " " << read_size;
    EXPECT_EQ(got.text, text) << piece << " " << read_size;
  }
}

TEST(GzipSourceTest, MembersOneAfterAnotherReadAsOneAndPaddingAfterThemIsIgnored) {
  const std::string a = Lines(100), b = "{\"id_str\":\"x\"}\n";
  const Inflated got = ReadAll(Gzip(a) + Gzip(b) + std::string(512, '\0'));
  EXPECT_EQ(got.error, "");
  EXPECT_EQ(got.text, a + b);
}

// libarchive, which read .gz files before, leaves the trailer unread: this file gave its
// text as if nothing were wrong.
TEST(GzipSourceTest, AChecksumThatDoesNotMatchIsAnErrorAfterTheTextItCovers) {
  const std::string text = Lines(2000);
  std::string gz = Gzip(text);
  gz[gz.size() - 6] ^= 0x40;  // a byte of the CRC-32
  const Inflated got = ReadAll(gz);
  EXPECT_EQ(got.text, text);
  EXPECT_EQ(got.error, "damaged gzip data (incorrect data check)");
}

TEST(GzipSourceTest, ADamagedByteInsideTheDataIsAnError) {
  std::string gz = Gzip(Lines(2000));
  gz[gz.size() / 2] ^= 0xff;
  EXPECT_NE(ReadAll(gz).error.find("damaged gzip data"), std::string::npos);
}

TEST(GzipSourceTest, AFileCutShortSaysItEndsInsideAMember) {
  const std::string text = Lines(2000);
  const std::string gz = Gzip(text);
  const Inflated got = ReadAll(gz.substr(0, gz.size() / 2));
  EXPECT_EQ(got.error, "truncated gzip input (it ends inside a member)");
  EXPECT_GT(got.text.size(), 0u);
  EXPECT_EQ(text.compare(0, got.text.size(), got.text), 0);  // what came is the file's start
}

}  // namespace
}  // namespace hashmon
