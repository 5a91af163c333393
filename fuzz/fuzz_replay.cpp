// libFuzzer target: any bytes as a recorded feed file, replayed as `hashmon replay` reads one:
// the format sniffed from its first bytes (plain, gzip, bzip2, zstd, xz, tar and compressed
// tar entries, through libarchive), read block by block on the reader thread, split into
// lines across block edges, pre-filtered, and handed to the pipeline. The first two bytes
// pick tiny blocks (every line crosses block edges) and maybe a short longest line (long lines are
// skipped mid-block); the rest is the file. Nothing is written: there is no store.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "feed/replayer.h"
#include "hashmon/clock.h"
#include "hashmon/country_locator.h"
#include "hashmon/log.h"
#include "hashmon/pipeline.h"

namespace {

// One scratch file for the whole run (a replay reads a path, not memory).
const std::string& ScratchPath() {
  static const std::string path = [] {
    char name[] = "/tmp/hashmon-fuzz-replay-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

bool WriteScratch(const uint8_t* data, size_t size) {
  FILE* f = std::fopen(ScratchPath().c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<hashmon::CountryLocator> locator =
      hashmon::CountryLocator::FromEmbeddedData();
  if (size < 2) return 0;
  const uint8_t knobs = data[0], knobs2 = data[1];
  if (!WriteScratch(data + 2, size - 2)) std::abort();

  hashmon::PipelineConfig config;
  config.tags = {"twitterdown", "twitter"};
  hashmon::Pipeline pipeline(config, locator.get());
  hashmon::FakeClock clock(1453204800000);
  std::ostringstream log_text;
  hashmon::Logger log(&log_text, &clock);
  hashmon::ReplayOptions options;
  options.read_bytes = 64 + (knobs & 0x0f) * 8;   // 64 bytes a block is the least
  options.headroom_bytes = (knobs2 & 0x0f) * 16;  // longer line starts are copied out
  static constexpr size_t kLongestLine[] = {64u << 20, 16, 100, 400};
  options.max_line_bytes = kLongestLine[(knobs >> 4) & 0x3];
  options.prefilter = (knobs & 0x40) == 0;
  options.scan_in_reader_always = (knobs & 0x80) != 0;
  hashmon::Replayer replayer(&pipeline, nullptr, &clock, &log, options);
  std::string error;
  replayer.ReplayPath(ScratchPath(), &error);
  replayer.Finish(&error);
  pipeline.TakeBatch();
  return 0;
}
