// libFuzzer target: Jetstream v2's compressed messages. The first byte chooses:
//   even: the rest is a message; it is compressed with the dictionary, and must come back
//         as it was (then the decoder reads it, as the collector would);
//   odd:  the rest is a frame from a hostile server; it is decompressed, at most 16 MiB.
// Besides memory errors and undefined behaviour, it stops where a round trip changes a
// message or a refusal comes without a reason.
#include <zdict.h>
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>

#include "feed/jetstream_zstd.h"
#include "hashmon/decoder.h"

namespace {

// A dictionary with an id, built from a few messages shaped like Jetstream's.
std::string MakeDictionary() {
  std::string content;
  std::vector<size_t> sizes;
  for (int i = 0; i < 64; ++i) {
    const std::string m =
        R"({"$type":"message","payload":{"$type":"network.bsky.jetstream.subscribeEvents#commit","seq":)" +
        std::to_string(i) + R"(,"did":"did:plc:)" + std::to_string(i * 7919) +
        R"(","time":"2026-07-04T14:38:08.085434Z","operation":"create","collection":"app.bsky.feed.post","rkey":"3k)" +
        std::to_string(i) + R"(","record":{"text":"#twitterdown"}}})";
    content += m;
    sizes.push_back(m.size());
  }
  std::string dict(4096, '\0');
  ZDICT_params_t params{};
  params.dictID = 20260811;
  const size_t n =
      ZDICT_finalizeDictionary(dict.data(), dict.size(), content.data(), 2048, content.data(),
                               sizes.data(), static_cast<unsigned>(sizes.size()), params);
  if (ZDICT_isError(n)) __builtin_trap();
  dict.resize(n);
  return dict;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dict = MakeDictionary();
  static std::unique_ptr<hashmon::ZstdFrameDecoder> decoder = [] {
    std::string error;
    return hashmon::ZstdFrameDecoder::WithDictionary(dict, &error);
  }();
  static ZSTD_CCtx* cctx = [] {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_loadDictionary(c, dict.data(), dict.size());
    return c;
  }();
  static hashmon::Decoder json;
  if (size == 0 || !decoder) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string out, error;
  if (data[0] % 2 == 0) {
    std::string frame(ZSTD_compressBound(rest.size()), '\0');
    const size_t n = ZSTD_compress2(cctx, frame.data(), frame.size(), rest.data(), rest.size());
    if (ZSTD_isError(n)) __builtin_trap();
    if (!decoder->Decompress(frame.data(), n, &out, &error) || out != rest) __builtin_trap();
    json.Decode(out.data(), out.size());
  } else if (!decoder->Decompress(rest.data(), rest.size(), &out, &error)) {
    if (error.empty()) __builtin_trap();
  } else if (out.size() > hashmon::ZstdFrameDecoder::kMaxMessageBytes) {
    __builtin_trap();
  }
  return 0;
}
