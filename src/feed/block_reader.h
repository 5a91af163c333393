// Reads a ByteSource on a thread of its own into a small ring of blocks, so that reading
// (and decompressing) overlaps with parsing on the caller's thread. Memory is bounded by
// depth x block size.
#ifndef HASHMON_FEED_BLOCK_READER_H_
#define HASHMON_FEED_BLOCK_READER_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feed/input_file.h"

namespace hashmon {

class BlockReader {
 public:
  struct Block {
    std::vector<char> buf;  // headroom bytes, then data, then one spare byte
    size_t size = 0;        // data bytes
    bool eof = false;
    std::string error;      // set when the source failed
    char* data() { return buf.data() + headroom; }
    size_t headroom = 0;
  };

  // headroom: bytes kept free before each block's data, so the caller can put the end of
  // the previous block's last (partial) line there without copying the block.
  BlockReader(ByteSource* source, size_t block_size, size_t headroom, size_t depth = 4);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The next block in order; the last one has eof set (and maybe data or an error).
  std::unique_ptr<Block> Next();
  // Gives a block back for reuse.
  void Recycle(std::unique_ptr<Block> block);

 private:
  void Run();

  ByteSource* source_;
  size_t block_size_;
  size_t headroom_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Block>> full_, free_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_BLOCK_READER_H_
