// libFuzzer target: any bytes as a stream (NDJSON or Server-Sent Events) through the whole
// core, as `replay` and `collect` feed it: framing, decoding, hashtags, country attribution
// from hostile place and profile text, de-duplication, minute counting and outage detection
// on hostile timestamps, replayed or live, then the end of input. One pipeline per input,
// so that a crash reproduces from its input alone. Besides memory errors and undefined
// behaviour, it stops where a count is lost or made up: the buckets handed to the store
// must add up to the mentions counted, in every country; and where an outage's countries
// do not span their waves (an outage that came back).
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "feed/sse_framer.h"
#include "hashmon/clock.h"
#include "hashmon/country_locator.h"
#include "hashmon/pipeline.h"

namespace {

// Whether each country of the outage is its waves: in time order, its onset and detection
// the first one's, its end the last one's, each wave ended and resolved before the next
// began, and its mentions and sample posts theirs summed (a wave may leave for an incident
// of its own with them).
bool CountriesSpanTheirWaves(const hashmon::Outage& o) {
  for (const auto& [cc, c] : o.countries) {
    const auto& w = c.waves;
    if (w.empty() || w.front().started != c.started || w.front().detected_at != c.detected_at ||
        w.back().ended != c.ended || w.back().resolved_at != c.resolved_at)
      return false;
    int64_t mentions = 0;
    int evidence = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      mentions += w[i].mentions;
      evidence += w[i].evidence;
      if (i + 1 < w.size() &&
          (w[i].ended == 0 || w[i].resolved_at == 0 || w[i + 1].started < w[i].resolved_at))
        return false;
    }
    if (mentions != c.mentions || evidence != c.evidence) return false;
  }
  return true;
}

}  // namespace

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
  text.push_back('\0');                   // room for the framer's NUL after the last line
  std::map<std::string, int64_t> stored;  // bucket counts by country
  auto take = [&] {
    const hashmon::Batch batch = pipeline.TakeBatch();
    for (const auto& d : batch.deltas) stored[d.country] += d.count;
    for (const auto& changes : batch.detection) {
      for (const auto& o : changes.outages) {
        if (!CountriesSpanTheirWaves(o)) __builtin_trap();
      }
    }
  };
  size_t begin = 0;
  while (begin < size) {
    size_t end = text.find('\n', begin);
    const bool unterminated = end == std::string::npos || end >= size;
    if (unterminated) end = size;
    framer.OnLine(&text[begin], end - begin, unterminated, &pipeline);
    take();
    begin = end + 1;
  }
  pipeline.Flush();
  take();
  std::map<std::string, int64_t> counted = pipeline.stats().mentions_by_country;
  int64_t total = 0;
  for (auto it = stored.begin(); it != stored.end();) {
    total += it->second;
    it = it->second == 0 ? stored.erase(it) : std::next(it);
  }
  for (auto it = counted.begin(); it != counted.end();)
    it = it->second == 0 ? counted.erase(it) : std::next(it);
  if (total != pipeline.stats().mentions || stored != counted) __builtin_trap();
  return 0;
}
