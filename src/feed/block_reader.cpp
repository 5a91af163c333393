#include "feed/block_reader.h"

#include <cstring>

namespace hashmon {

BlockReader::BlockReader(ByteSource* source, size_t block_size, size_t headroom,
                         const Prefilter* scan, bool scan_always, size_t depth)
    : source_(source),
      scan_(scan && scan->enabled() ? scan : nullptr),
      scan_always_(scan_always),
      block_size_(block_size),
      headroom_(headroom) {
  for (size_t i = 0; i < depth; ++i) {
    auto b = std::make_unique<Block>();
    b->headroom = headroom_;
    b->buf.reset(new char[headroom_ + block_size_ + 1]);
    free_.push_back(std::move(b));
  }
  thread_ = std::thread([this] { Run(); });
}

BlockReader::~BlockReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BlockReader::Run() {
  while (true) {
    std::unique_ptr<Block> b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
      if (stop_) return;
      b = std::move(free_.front());
      free_.pop_front();
    }
    b->size = 0;
    b->scanned = false;
    b->eof = false;
    b->error.clear();
    // Fill the block (short reads are normal for pipes and decompressors).
    while (b->size < block_size_) {
      const ssize_t r = source_->Read(b->data() + b->size, block_size_ - b->size);
      if (r < 0) {
        b->error = source_->error().empty() ? "read error" : source_->error();
        b->eof = true;
        break;
      }
      if (r == 0) {
        b->eof = true;
        break;
      }
      b->size += static_cast<size_t>(r);
    }
    if (scan_) {
      // Scan here only while the caller is behind (blocks are waiting for it): then the
      // two threads share the scanning, and when it is idle it gets blocks at once.
      bool behind = scan_always_;
      if (!behind) {
        std::lock_guard<std::mutex> lock(mu_);
        behind = !full_.empty();
      }
      if (behind) Scan(b.get());
      const size_t keep = scan_->max_match_bytes() - 1;
      tail_.append(b->data() + b->size - std::min(b->size, keep), std::min(b->size, keep));
      if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
    }
    const bool last = b->eof;
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(std::move(b));
    }
    cv_.notify_all();
    if (last) return;
  }
}

void BlockReader::Scan(Block* b) {
  // The previous bytes go into the headroom (the caller overwrites it later), so that a
  // match across the boundary is seen whole.
  const size_t overlap = std::min(tail_.size(), b->headroom);
  char* begin = b->data() - overlap;
  std::memcpy(begin, tail_.data() + tail_.size() - overlap, overlap);
  b->candidates.clear();
  scan_->FindPerLine(begin, overlap + b->size, -static_cast<int64_t>(overlap), &b->candidates);
  b->scanned = true;
}

std::unique_ptr<BlockReader::Block> BlockReader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !full_.empty(); });
  auto b = std::move(full_.front());
  full_.pop_front();
  return b;
}

void BlockReader::Recycle(std::unique_ptr<Block> block) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(block));
  }
  cv_.notify_all();
}

}  // namespace hashmon
