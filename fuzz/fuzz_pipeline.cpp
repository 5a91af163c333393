// libFuzzer target: any bytes as a stream (NDJSON or Server-Sent Events) through the whole
// core, as `replay` and `collect` feed it: framing, decoding, hashtags, country attribution
// from hostile place and profile text, de-duplication, minute counting and outage detection
// on hostile timestamps, replayed or live, then the end of input. One pipeline per input,
// so that a crash reproduces from its input alone.
#include <cstdint>
#include <memory>
#include <string>

#include "feed/sse_framer.h"
#include "hashmon/clock.h"
#include "hashmon/country_locator.h"
#include "hashmon/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<hashmon::CountryLocator> locator =
      hashmon::CountryLocator::FromEmbeddedData();
  hashmon::PipelineConfig config;
  config.tags = {"twitterdown", "twitter"};
  // An input whose size is odd is collected live, with the wall clock at 2016-01-19 12:00
  // (posts stamped ahead of it are counted, not judged); an even one is replayed.
  hashmon::FakeClock wall(1453204800000);
  if (size % 2 == 1) config.live_clock = &wall;
  hashmon::Pipeline pipeline(config, locator.get());
  hashmon::SseFramer framer;
  std::string text(reinterpret_cast<const char*>(data), size);
  text.push_back('\0');  // room for the framer's NUL after the last line
  size_t begin = 0;
  while (begin < size) {
    size_t end = text.find('\n', begin);
    const bool unterminated = end == std::string::npos || end >= size;
    if (unterminated) end = size;
    framer.OnLine(&text[begin], end - begin, unterminated, &pipeline);
    pipeline.TakeBatch();
    begin = end + 1;
  }
  pipeline.Flush();
  pipeline.TakeBatch();
  return 0;
}
