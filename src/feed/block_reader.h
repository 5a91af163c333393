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
#include "hashmon/prefilter.h"

namespace hashmon {

class BlockReader {
 public:
  struct Block {
    // Headroom bytes, then data, then one spare byte. Not zeroed: a ring of 4 MiB blocks
    // would otherwise be written once before any is read (10 ms of a replay's start).
    std::unique_ptr<char[]> buf;
    size_t size = 0;  // data bytes
    bool eof = false;
    std::string error;  // set when the source failed
    char* data() { return buf.get() + headroom; }
    const char* data() const { return buf.get() + headroom; }
    size_t headroom = 0;
    // With a scanning pre-filter: one candidate offset per line, relative to data(); an
    // offset below 0 lies in the bytes before the block (the previous block's last line).
    bool scanned = false;
    std::vector<int64_t> candidates;

   private:
    friend class BlockReader;
    enum class Scan { kNo, kRunning, kDone };
    Scan scan = Scan::kNo;  // guarded by the reader's mutex while the block is queued
    std::string before;     // the stream's last bytes before this block (see Scan)
  };

  // headroom: bytes kept free before each block's data, so the caller can put the end of
  // the previous block's last (partial) line there without copying the block.
  // With `scan`, the reader thread also runs the pre-filter over queued blocks whenever it
  // has no free block to read into (the caller is behind), newest first, so that the two
  // threads share the scanning: a block the caller takes unscanned it scans itself. With
  // `scan_always` (for tests) the reader scans every block as soon as it is read.
  BlockReader(ByteSource* source, size_t block_size, size_t headroom,
              const Prefilter* scan = nullptr, bool scan_always = false, size_t depth = 4);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The next block in order; the last one has eof set (and maybe data or an error).
  std::unique_ptr<Block> Next();
  // Gives a block back for reuse.
  void Recycle(std::unique_ptr<Block> block);
  // Waits until the reader has nothing left to do but wait for the caller: every block
  // read and queued, and each of them scanned (tests: what the reader does while the
  // caller is behind).
  void AwaitIdle();

 private:
  void Run();
  // Reads the next block from the source.
  void Fill(Block* b);
  // The newest queued block nobody has scanned yet, or null. Needs mu_.
  Block* Unscanned();
  void Scan(Block* b);

  bool read_all_ = false;  // the source has ended (guarded by mu_)
  bool filling_ = false;   // a block is being read (guarded by mu_)
  ByteSource* source_;
  const Prefilter* scan_;
  bool scan_always_;
  std::string tail_;  // the stream's last bytes before the next block, for matches across blocks
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
