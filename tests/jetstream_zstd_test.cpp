// Jetstream v2's compressed messages: zstd frames made with the server's dictionary. A
// frame that is damaged, made with another dictionary or too large once decompressed is
// refused with a reason, never a crash or an unbounded allocation.
#include "feed/jetstream_zstd.h"

#include <gtest/gtest.h>
#include <zdict.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "feed/collector.h"

namespace hashmon {
namespace {

// Messages shaped like Jetstream's, to build a dictionary from and to compress.
std::vector<std::string> SampleMessages(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(
        R"({"$type":"message","payload":{"$type":"network.bsky.jetstream.subscribeEvents#commit","seq":)" +
        std::to_string(1000 + i) + R"(,"did":"did:plc:u)" + std::to_string(i * 7919) +
        R"(","time":"2026-07-04T14:38:)" + std::to_string(10 + i % 50) +
        R"(.085434Z","operation":"create","collection":"app.bsky.feed.post","rkey":"3m)" +
        std::to_string(i) + R"(","record":{"text":"twitter is down again #twitterdown )" +
        std::to_string(i * i) + R"(","langs":["en"]}}})");
  }
  return out;
}

// A zstd dictionary with id `id`, from SampleMessages.
std::string Dictionary(unsigned id) {
  const auto samples = SampleMessages(400);
  std::string content;
  std::vector<size_t> sizes;
  for (const auto& s : samples) {
    content += s;
    sizes.push_back(s.size());
  }
  std::string dict(8192, '\0');
  ZDICT_params_t params{};
  params.dictID = id;
  const size_t n =
      ZDICT_finalizeDictionary(dict.data(), dict.size(), content.data(), 4096, content.data(),
                               sizes.data(), static_cast<unsigned>(sizes.size()), params);
  EXPECT_FALSE(ZDICT_isError(n)) << ZDICT_getErrorName(n);
  dict.resize(ZDICT_isError(n) ? 0 : n);
  return dict;
}

// `text` compressed as one frame with `dict` (none if empty); `content_size`: whether the
// frame header says how large it is.
std::string Compress(const std::string& text, const std::string& dict, bool content_size = true) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size ? 1 : 0);
  if (!dict.empty()) ZSTD_CCtx_loadDictionary(c, dict.data(), dict.size());
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n;
  if (content_size) {
    n = ZSTD_compress2(c, out.data(), out.size(), text.data(), text.size());
  } else {  // streamed: the size is not known when the header is written
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    n = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
    n = ZSTD_isError(n) ? n : o.pos;
  }
  ZSTD_freeCCtx(c);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(ZstdFrameDecoder, AMessageComesBackAsItWasSentAndSmaller) {
  const std::string dict = Dictionary(20260811);
  std::string error;
  auto decoder = ZstdFrameDecoder::WithDictionary(dict, &error);
  ASSERT_TRUE(decoder) << error;
  EXPECT_EQ(decoder->dictionary_id(), 20260811u);
  std::string out;
  for (const std::string& message : SampleMessages(20)) {
    const std::string frame = Compress(message, dict);
    ASSERT_TRUE(IsZstdFrame(frame.data(), frame.size()));
    EXPECT_LT(frame.size() * 2, message.size());  // what the dictionary is for
    ASSERT_TRUE(decoder->Decompress(frame.data(), frame.size(), &out, &error)) << error;
    EXPECT_EQ(out, message);
    EXPECT_EQ(out.c_str()[out.size()], '\0');  // parsed in place by the decoder
  }
  const std::string streamed = Compress(SampleMessages(1)[0], dict, /*content_size=*/false);
  ASSERT_TRUE(decoder->Decompress(streamed.data(), streamed.size(), &out, &error)) << error;
  EXPECT_EQ(out, SampleMessages(1)[0]);
  EXPECT_FALSE(IsZstdFrame("{\"$type\":\"message\"}", 19));
}

TEST(ZstdFrameDecoder, BytesThatAreNoDictionaryAreRefused) {
  std::string error;
  EXPECT_FALSE(ZstdFrameDecoder::WithDictionary("just some bytes, no header", &error));
  EXPECT_NE(error.find("not a zstd dictionary"), std::string::npos) << error;
  EXPECT_FALSE(ZstdFrameDecoder::WithDictionary("", &error));
}

TEST(ZstdFrameDecoder, DamagedCutOrForeignFramesAreRefused) {
  const std::string dict = Dictionary(7);
  std::string error, out;
  auto decoder = ZstdFrameDecoder::WithDictionary(dict, &error);
  ASSERT_TRUE(decoder) << error;
  const std::string message = SampleMessages(3)[2];
  const std::string frame = Compress(message, dict);
  EXPECT_FALSE(decoder->Decompress(frame.data(), frame.size() / 2, &out, &error));
  EXPECT_FALSE(decoder->Decompress(frame.data(), 3, &out, &error));
  const std::string foreign = Compress(message, Dictionary(8));
  EXPECT_FALSE(decoder->Decompress(foreign.data(), foreign.size(), &out, &error));
  EXPECT_NE(error.find("made with dictionary 8, not 7"), std::string::npos) << error;
  // Every single flipped byte: refused, or some bytes (which the JSON parser then judges).
  for (size_t i = 0; i < frame.size(); ++i) {
    std::string bad = frame;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    if (!decoder->Decompress(bad.data(), bad.size(), &out, &error)) {
      EXPECT_FALSE(error.empty());
    }
  }
  // And the decoder still works after all that.
  ASSERT_TRUE(decoder->Decompress(frame.data(), frame.size(), &out, &error)) << error;
  EXPECT_EQ(out, message);
}

TEST(ZstdFrameDecoder, AMessageLargerThanTheLimitIsRefusedWhateverItsHeaderSays) {
  const std::string dict = Dictionary(9);
  std::string error, out;
  auto decoder = ZstdFrameDecoder::WithDictionary(dict, &error);
  ASSERT_TRUE(decoder) << error;
  const std::string huge(ZstdFrameDecoder::kMaxMessageBytes + 1, 'a');
  for (bool content_size : {true, false}) {
    const std::string bomb = Compress(huge, dict, content_size);
    EXPECT_LT(bomb.size(), 4096u);
    EXPECT_FALSE(decoder->Decompress(bomb.data(), bomb.size(), &out, &error)) << content_size;
    EXPECT_NE(error.find("larger than 16 MiB"), std::string::npos) << error;
  }
  const std::string largest(ZstdFrameDecoder::kMaxMessageBytes, 'a');
  const std::string frame = Compress(largest, dict, /*content_size=*/false);
  EXPECT_TRUE(decoder->Decompress(frame.data(), frame.size(), &out, &error)) << error;
  EXPECT_EQ(out.size(), largest.size());
}

TEST(JetstreamV2Url, TheDictionaryIsAskedOfTheStreamsOwnServer) {
  EXPECT_TRUE(IsJetstreamV2Url(
      "wss://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.subscribeEvents"));
  EXPECT_TRUE(IsJetstreamV2Url(
      "ws://127.0.0.1:9/js/xrpc/network.bsky.jetstream.subscribeEvents?collections=a.b.c"));
  EXPECT_FALSE(IsJetstreamV2Url("wss://jetstream2.us-east.bsky.network/subscribe"));
  EXPECT_FALSE(
      IsJetstreamV2Url("wss://h/subscribe?x=/xrpc/network.bsky.jetstream.subscribeEvents"));
  EXPECT_EQ(JetstreamDictionaryUrl(
                "wss://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.subscribeEvents"),
            "https://jetstream.us-east.bsky.network/xrpc/network.bsky.jetstream.getZstdDictionary");
  EXPECT_EQ(JetstreamDictionaryUrl(
                "ws://127.0.0.1:9/js/xrpc/network.bsky.jetstream.subscribeEvents?cursor=5"),
            "http://127.0.0.1:9/js/xrpc/network.bsky.jetstream.getZstdDictionary");
}

TEST(JetstreamV2Url, TheStreamIsAskedForPostsWithV2sNamesAndATimeCursor) {
  const std::string v2 = "wss://h/xrpc/network.bsky.jetstream.subscribeEvents";
  EXPECT_EQ(JetstreamSubscribeUrl(v2, 0, 5'000'000),
            v2 + "?collections=app.bsky.feed.post&kinds=commit");
  EXPECT_EQ(JetstreamSubscribeUrl(v2, 1'783'175'888'085'000, 5'000'000, 20260811),
            v2 + "?collections=app.bsky.feed.post&kinds=commit&zstdDictionary=20260811&cursor=" +
                "1783175883085000");
  // Filters the user gave stay as given.
  EXPECT_EQ(JetstreamSubscribeUrl(v2 + "?collections=app.bsky.feed.*", 0, 0),
            v2 + "?collections=app.bsky.feed.*");
  EXPECT_EQ(JetstreamSubscribeUrl("wss://h/subscribe", 0, 0, 20260811),
            "wss://h/subscribe?wantedCollections=app.bsky.feed.post");
}

}  // namespace
}  // namespace hashmon
