// What the detector costs per series-minute (Google Benchmark), against the cost of
// parsing one post, measured in the same run.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "hashmon/decoder.h"
#include "hashmon/detector.h"
#include "store/state_codec.h"

namespace {

void BM_DetectorQuietMinute(benchmark::State& state) {
  hashmon::DetectorConfig cfg;
  hashmon::SeriesDetector d(&cfg);
  std::mt19937 rng(1);
  std::poisson_distribution<int> p(state.range(0) / 10.0);
  int64_t t = 1'453'000'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(d.Observe(t, p(rng)));
    t += 60'000;
  }
  state.SetLabel("series-minutes, mean " + std::to_string(state.range(0) / 10.0) + "/min");
}
BENCHMARK(BM_DetectorQuietMinute)->Arg(0)->Arg(5)->Arg(30);

// What saving one series' state costs: each series that saw a minute writes its state to
// SQLite once a minute (in the transaction with the counts and the cursor), so its size is
// the history's write volume per active series. The store keeps it compressed
// (StateCodec): state_bytes is the text, stored_bytes what the history writes.
void BM_SaveStateAfterThreeDays(benchmark::State& state) {
  hashmon::DetectorConfig cfg;
  hashmon::SeriesDetector d(&cfg);
  std::mt19937 rng(1);
  std::poisson_distribution<int> p(1.0);
  int64_t t = 1'453'000'000'000;
  for (int m = 0; m < 3 * 1440; ++m, t += 60'000) d.Observe(t, p(rng));
  hashmon::StateCodec codec;
  const bool packed = state.range(0) != 0;
  size_t bytes = 0, stored = 0;
  for (auto _ : state) {
    const std::string saved = d.Serialize();
    bytes = saved.size();
    if (packed) {
      const auto frame = codec.Pack(saved);
      stored = frame->size();
      benchmark::DoNotOptimize(frame->data());
    }
    benchmark::DoNotOptimize(saved.data());
  }
  state.counters["state_bytes"] = static_cast<double>(bytes);
  if (packed) state.counters["stored_bytes"] = static_cast<double>(stored);
  state.SetLabel(packed ? "serialized and compressed" : "serialized");
}
BENCHMARK(BM_SaveStateAfterThreeDays)->Arg(0)->Arg(1);

void BM_DecodeOnePost(benchmark::State& state) {
  hashmon::Decoder decoder;
  const std::string line =
      R"({"created_at":"Tue Jan 19 08:15:00 +0000 2016","id_str":"689000000000000001","text":"Is Twitter down? #twitterdown",)"
      R"("user":{"location":"Recife, PE","time_zone":"Brasilia","followers_count":12},"entities":{"hashtags":[{"text":"twitterdown","indices":[17,29]}]},)"
      R"("lang":"pt","timestamp_ms":"1453191300000"})";
  for (auto _ : state) benchmark::DoNotOptimize(decoder.DecodeCopy(line));
}
BENCHMARK(BM_DecodeOnePost);

}  // namespace

BENCHMARK_MAIN();
