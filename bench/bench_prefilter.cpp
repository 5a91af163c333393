// What the replay pre-filter costs on each vector path this CPU has, against counting the
// same bytes' newlines with memchr (what `wc -l` does), measured in the same run on the same
// 64 MB of a feed held in memory. Replay reads a file once and scans each byte once, so the
// AVX2 path is what a CPU without AVX-512 replays at.
//
//   build/bench_prefilter FEED.jsonl [benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "hashmon/prefilter.h"

namespace {

using hashmon::Prefilter;

void NewlinesWithMemchr(benchmark::State& state, const std::string& feed) {
  for (auto _ : state) {
    size_t lines = 0;
    const char* p = feed.data();
    const char* end = p + feed.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * feed.size()));
}

void PrefilterPerLine(benchmark::State& state, const std::string& feed, Prefilter::Path path) {
  Prefilter filter(hashmon::WatchedTags({"twitterdown"}));
  filter.UsePath(path);
  std::vector<int64_t> candidates;
  for (auto _ : state) {
    candidates.clear();
    filter.FindPerLine(feed.data(), feed.size(), 0, &candidates);
    benchmark::DoNotOptimize(candidates.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * feed.size()));
  state.SetLabel(std::to_string(candidates.size()) + " candidate lines");
}

std::string ReadStart(const char* file, size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::string feed(bytes, '\0');
  in.read(feed.data(), static_cast<std::streamsize>(feed.size()));
  feed.resize(static_cast<size_t>(in.gcount()));
  return feed;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_prefilter FEED.jsonl [benchmark flags]\n");
    return 2;
  }
  const std::string feed = ReadStart(argv[1], 64u << 20);
  if (feed.empty()) {
    std::fprintf(stderr, "bench_prefilter: cannot read %s\n", argv[1]);
    return 1;
  }
  benchmark::RegisterBenchmark("BM_NewlinesWithMemchr", NewlinesWithMemchr, feed);
  const std::pair<const char*, Prefilter::Path> paths[] = {{"scalar", Prefilter::Path::kScalar},
                                                           {"avx2", Prefilter::Path::kAvx2},
                                                           {"avx512", Prefilter::Path::kAvx512}};
  for (const auto& [name, path] : paths) {
    if (!Prefilter::Supports(path)) continue;  // a path this CPU does not have
    benchmark::RegisterBenchmark((std::string("BM_Prefilter/") + name).c_str(), PrefilterPerLine,
                                 feed, path);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
