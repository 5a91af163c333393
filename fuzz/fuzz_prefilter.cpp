// libFuzzer target, differential: the pre-filter (which lets `replay` and `collect` skip the
// records that cannot carry a watched tag) changes no count. Any bytes, taken as NDJSON (the
// lines that begin with '{'), go through the core three ways: every line parsed; the lines
// ScanLines picks with the pre-filter; the lines ScanCandidateLines picks from the candidates
// FindPerLine found beforehand, as the replayer's reader thread does. The mentions per country
// must agree, or the input is a bug (libFuzzer saves it). The raw input's candidates must
// also be the same on every search path this CPU runs (scalar, AVX2, AVX-512).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feed/line_scan.h"
#include "hashmon/country_locator.h"
#include "hashmon/pipeline.h"
#include "hashmon/prefilter.h"
#include "hashmon/tag_key.h"

namespace {

using Counts = std::map<std::string, int64_t>;

const hashmon::CountryLocator& Locator() {
  static const std::unique_ptr<hashmon::CountryLocator> locator =
      hashmon::CountryLocator::FromEmbeddedData();
  return *locator;
}

hashmon::PipelineConfig Config() {
  hashmon::PipelineConfig config;
  // Each searchable, so the filter is on; aws_down's needle, "_down", begins with '_'.
  config.tags = {"twitterdown", "instagramdown", "aws_down"};
  config.detect = false;  // counting is what the pre-filter may not change
  return config;
}

Counts MentionsOf(hashmon::Pipeline& pipeline) {
  pipeline.Flush();
  return pipeline.stats().mentions_by_country;
}

template <typename Scan>
Counts ThroughPipeline(std::string text, Scan scan) {
  hashmon::Pipeline pipeline(Config(), &Locator());
  scan(text.data(), text.size(), [&](char* line, size_t n) {
    line[n] = '\0';
    pipeline.OnRecord(line, n);
  });
  return MentionsOf(pipeline);
}

std::vector<int64_t> Candidates(const hashmon::Prefilter& filter, std::string_view text) {
  std::vector<int64_t> out;
  filter.FindPerLine(text.data(), text.size(), 0, &out);
  return out;
}

bool CandidatesDifferByPath(const hashmon::WatchedTags& tags, std::string_view text) {
  using Path = hashmon::Prefilter::Path;
  static const auto filters = [&] {
    std::vector<hashmon::Prefilter> each;
    for (Path path : {Path::kScalar, Path::kAvx2, Path::kAvx512}) {
      if (!hashmon::Prefilter::Supports(path)) continue;
      each.emplace_back(tags);
      each.back().UsePath(path);
    }
    return each;
  }();
  const auto scalar = Candidates(filters[0], text);
  for (size_t i = 1; i < filters.size(); ++i) {
    if (Candidates(filters[i], text) != scalar) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The NDJSON lines of the input, each ending in '\n'.
  std::string ndjson;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t begin = 0; begin < size;) {
    size_t end = input.find('\n', begin);
    if (end == std::string_view::npos) end = size;
    if (input[begin] == '{') ndjson.append(input.substr(begin, end - begin)).push_back('\n');
    begin = end + 1;
  }
  static const hashmon::WatchedTags tags(Config().tags);
  static const hashmon::Prefilter filter(tags);
  if (CandidatesDifferByPath(tags, input)) __builtin_trap();

  const Counts every_line = ThroughPipeline(
      ndjson, [](char* p, size_t n, auto fn) { hashmon::ScanLines(p, n, nullptr, fn); });
  const Counts filtered = ThroughPipeline(
      ndjson, [&](char* p, size_t n, auto fn) { hashmon::ScanLines(p, n, &filter, fn); });
  const Counts from_candidates = ThroughPipeline(ndjson, [&](char* p, size_t n, auto fn) {
    std::vector<int64_t> candidates;
    filter.FindPerLine(p, n, 0, &candidates);
    hashmon::ScanCandidateLines(p, n, candidates, 0, fn);
  });
  if (filtered != every_line || from_candidates != every_line) __builtin_trap();
  return 0;
}
