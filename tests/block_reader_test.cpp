// The reader thread reads ahead into a ring of blocks and, while the caller is behind,
// takes the pre-filter's scanning off its hands; either way the caller gets the same lines.
#include "feed/block_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace hashmon {
namespace {

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string bytes) : bytes_(std::move(bytes)) {}
  ssize_t Read(char* buf, size_t n) override {
    const size_t k = std::min(n, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

// Lines of about 100 bytes; every seventh carries the tag, some of them across the end of
// a 1 KiB block.
std::string Feed(int lines) {
  std::string feed;
  for (int i = 0; i < lines; ++i) {
    feed += R"({"id":)" + std::to_string(i) + R"(,"text":")";
    feed += std::string(40 + i % 53, 'x');
    feed += i % 7 == 0 ? " #TwitterDown\"}\n" : " all fine\"}\n";
  }
  return feed;
}

// The candidates one scan of the whole feed finds in [from, from + n), relative to from
// (the scan of a block also looks at the bytes just before it, whose offsets are negative).
std::vector<int64_t> Expected(const Prefilter& filter, const std::string& feed, size_t from,
                              size_t n) {
  const size_t overlap = std::min(from, filter.max_match_bytes() - 1);
  std::vector<int64_t> all;
  filter.FindPerLine(feed.data() + from - overlap, overlap + n, -static_cast<int64_t>(overlap),
                     &all);
  return all;
}

constexpr size_t kBlock = 1024;
constexpr size_t kHeadroom = 256;
constexpr size_t kDepth = 4;

TEST(BlockReader, ScansQueuedBlocksWhileTheCallerIsBehind) {
  const std::string feed = Feed(200);
  StringSource source(feed);
  Prefilter filter(WatchedTags({"twitterdown"}));
  BlockReader reader(&source, kBlock, kHeadroom, &filter, /*scan_always=*/false, kDepth);

  auto first = reader.Next();  // held: the reader fills the other three and has no more room
  reader.AwaitIdle();
  size_t offset = first->size;
  for (size_t i = 1; i < kDepth; ++i) {
    auto b = reader.Next();
    ASSERT_TRUE(b->scanned) << "block " << i;
    EXPECT_EQ(b->candidates, Expected(filter, feed, offset, b->size)) << "block " << i;
    offset += b->size;
    reader.Recycle(std::move(b));
  }
}

TEST(BlockReader, GivesEveryByteOnceWhetherOrNotItScanned) {
  const std::string feed = Feed(500);
  StringSource source(feed);
  Prefilter filter(WatchedTags({"twitterdown"}));
  BlockReader reader(&source, kBlock, kHeadroom, &filter, /*scan_always=*/false, kDepth);
  std::string seen;
  int scanned = 0;
  for (int i = 0;; ++i) {
    auto b = reader.Next();
    if (i % 3 == 0) reader.AwaitIdle();  // behind now and then: some blocks come scanned
    if (b->scanned) {
      ++scanned;
      EXPECT_EQ(b->candidates, Expected(filter, feed, seen.size(), b->size)) << "block " << i;
    }
    seen.append(b->data(), b->size);
    const bool eof = b->eof;
    reader.Recycle(std::move(b));
    if (eof) break;
  }
  EXPECT_EQ(seen, feed);
  EXPECT_GT(scanned, 0);
}

TEST(BlockReader, ScansNothingWithoutAFilter) {
  const std::string feed = Feed(50);
  StringSource source(feed);
  BlockReader reader(&source, kBlock, kHeadroom, nullptr, false, kDepth);
  auto first = reader.Next();
  reader.AwaitIdle();
  EXPECT_FALSE(first->scanned);
  EXPECT_FALSE(reader.Next()->scanned);
}

}  // namespace
}  // namespace hashmon
