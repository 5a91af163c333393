// libFuzzer target: any bytes as a stream (NDJSON or Server-Sent Events) through the whole
// core, as `replay` and `collect` feed it: framing, decoding, hashtags, country attribution
// from hostile place and profile text, de-duplication, minute counting and outage detection
// on hostile timestamps, then the end of input. One pipeline per input, so that a crash
// reproduces from its input alone.
#include <cstdint>
#include <memory>
#include <string>

#include "feed/sse_framer.h"
#include "hashmon/country_locator.h"
#include "hashmon/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<hashmon::CountryLocator> locator =
      hashmon::CountryLocator::FromEmbeddedData();
  hashmon::PipelineConfig config;
  config.tags = {"twitterdown", "twitter"};
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
