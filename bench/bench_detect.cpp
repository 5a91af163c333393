// What the detector costs per series-minute (Google Benchmark), against the cost of
// parsing one post, measured in the same run.
#include <benchmark/benchmark.h>
#include <zdict.h>
#include <zstd.h>

#include <random>
#include <string>

#include "feed/jetstream_zstd.h"
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

// A Jetstream v2 message of post `i`, varied as real ones are (ids, times, text).
std::string V2Message(int i) {
  static const char* kTexts[] = {
      "is twitter down for anyone else? #twitterdown", "ar jums veikia twitter? #TwitterDown",
      "twitter down na naman #twitterdown #help", "o twitter caiu de novo kkkk"};
  std::mt19937 rng(i);
  return R"({"$type":"message","payload":{"$type":"network.bsky.jetstream.subscribeEvents#commit","seq":)" +
         std::to_string(81'000'000 + i) + R"(,"did":"did:plc:)" + std::to_string(rng()) +
         std::to_string(rng()) + R"(","time":"2026-07-04T14:38:)" + std::to_string(10 + i % 50) +
         "." + std::to_string(100000 + rng() % 900000) + R"(Z","witnessedAt":"2026-07-04T14:38:)" +
         std::to_string(10 + i % 50) + R"(.085434Z","rev":"3mptb)" +
         std::to_string(rng() % 100000) +
         R"(","operation":"create","collection":"app.bsky.feed.post","rkey":"3mpt)" +
         std::to_string(rng() % 1000000) +
         R"(","record":{"$type":"app.bsky.feed.post","createdAt":"2026-07-04T14:38:08.999Z","langs":["en"],"text":")" +
         kTexts[i % 4] + R"("},"cid":"bafyrei)" + std::to_string(rng()) + std::to_string(rng()) +
         R"("}})";
}

// What Jetstream v2's compression costs per message: decompressing one post's message with
// a dictionary trained on others like it (a stand-in for Bluesky's: its ratio here says
// nothing of the real one), beside BM_DecodeOnePost.
void BM_InflateJetstreamV2Message(benchmark::State& state) {
  std::string samples;
  std::vector<size_t> sizes;
  for (int i = 0; i < 4000; ++i) {
    const std::string m = V2Message(i);
    samples += m;
    sizes.push_back(m.size());
  }
  std::string dict(65536, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return state.SkipWithError(ZDICT_getErrorName(n));
  dict.resize(n);
  std::string error;
  auto decoder = hashmon::ZstdFrameDecoder::WithDictionary(dict, &error);
  if (!decoder) return state.SkipWithError(error.c_str());
  const std::string message = V2Message(99'999);  // not among the samples
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_loadDictionary(c, dict.data(), dict.size());
  std::string frame(ZSTD_compressBound(message.size()), '\0');
  frame.resize(ZSTD_compress2(c, frame.data(), frame.size(), message.data(), message.size()));
  ZSTD_freeCCtx(c);
  std::string out;
  for (auto _ : state)
    benchmark::DoNotOptimize(decoder->Decompress(frame.data(), frame.size(), &out, &error));
  if (out != message) state.SkipWithError("the message did not come back");
  state.counters["json_bytes"] = static_cast<double>(message.size());
  state.counters["wire_bytes"] = static_cast<double>(frame.size());
}
BENCHMARK(BM_InflateJetstreamV2Message);

}  // namespace

BENCHMARK_MAIN();
