#include "feed/block_reader.h"

#include <algorithm>
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
    std::unique_ptr<Block> empty;
    Block* unscanned = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Reading comes first; with nothing to read into, the caller is behind, and the
      // reader takes scanning off its hands.
      cv_.wait(lock,
               [&] { return stop_ || (!read_all_ && !free_.empty()) || Unscanned() != nullptr; });
      if (stop_) return;
      if (!read_all_ && !free_.empty()) {
        empty = std::move(free_.front());
        free_.pop_front();
        filling_ = true;
      } else {
        unscanned = Unscanned();
        unscanned->scan = Block::Scan::kRunning;
      }
    }
    if (empty == nullptr) {
      Scan(unscanned);
      {
        std::lock_guard<std::mutex> lock(mu_);
        unscanned->scan = Block::Scan::kDone;
      }
      cv_.notify_all();
      continue;
    }
    Fill(empty.get());
    if (scan_always_ && scan_) {
      Scan(empty.get());
      empty->scan = Block::Scan::kDone;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_all_ = empty->eof;
      filling_ = false;
      full_.push_back(std::move(empty));
    }
    cv_.notify_all();
  }
}

void BlockReader::Fill(Block* b) {
  b->size = 0;
  b->scanned = false;
  b->scan = Block::Scan::kNo;
  b->eof = false;
  b->error.clear();
  // Short reads are normal for pipes and decompressors.
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
  if (!scan_) return;
  b->before = tail_;
  const size_t keep = scan_->max_match_bytes() - 1;
  tail_.append(b->data() + b->size - std::min(b->size, keep), std::min(b->size, keep));
  if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
}

BlockReader::Block* BlockReader::Unscanned() {
  if (!scan_) return nullptr;
  // Newest first: the caller takes the oldest next, and scans it itself if need be.
  for (auto it = full_.rbegin(); it != full_.rend(); ++it) {
    if ((*it)->scan == Block::Scan::kNo) return it->get();
  }
  return nullptr;
}

void BlockReader::Scan(Block* b) {
  // The previous bytes go into the headroom (the caller overwrites it later), so that a
  // match across the boundary is seen whole.
  const size_t overlap = std::min(b->before.size(), b->headroom);
  char* begin = b->data() - overlap;
  std::memcpy(begin, b->before.data() + b->before.size() - overlap, overlap);
  b->candidates.clear();
  scan_->FindPerLine(begin, overlap + b->size, -static_cast<int64_t>(overlap), &b->candidates);
  b->scanned = true;
}

std::unique_ptr<BlockReader::Block> BlockReader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  // A block the reader is scanning is waited for; one it has not begun is the caller's
  // to scan (Block::scanned stays false).
  cv_.wait(lock, [&] { return !full_.empty() && full_.front()->scan != Block::Scan::kRunning; });
  auto b = std::move(full_.front());
  full_.pop_front();
  return b;
}

void BlockReader::AwaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] {
    const bool scanning = std::any_of(
        full_.begin(), full_.end(), [](const auto& b) { return b->scan == Block::Scan::kRunning; });
    return (read_all_ || free_.empty()) && !filling_ && Unscanned() == nullptr && !scanning;
  });
}

void BlockReader::Recycle(std::unique_ptr<Block> block) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(block));
  }
  cv_.notify_all();
}

}  // namespace hashmon
