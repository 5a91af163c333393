// Jetstream v2's compression (`network.bsky.jetstream.subscribeEvents?zstdDictionary=ID`):
// each message is a binary WebSocket frame holding one zstd frame, made with a dictionary
// the server publishes at `network.bsky.jetstream.getZstdDictionary`, whose bytes are the
// JSON text frame. (v1's `/subscribe?compress=true` uses a dictionary that is only
// compiled into Jetstream, so hashmon does not ask for it.)
#ifndef HASHMON_FEED_JETSTREAM_ZSTD_H_
#define HASHMON_FEED_JETSTREAM_ZSTD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hashmon {

// The path of Jetstream v2's stream.
inline constexpr const char* kJetstreamV2Method = "/xrpc/network.bsky.jetstream.subscribeEvents";

// Whether `url` is Jetstream v2's stream (its path ends in the XRPC method's name).
bool IsJetstreamV2Url(const std::string& url);

// Where the server of a v2 stream publishes its dictionary: wss://HOST/xrpc/... becomes
// https://HOST/xrpc/network.bsky.jetstream.getZstdDictionary (ws:// becomes http://).
std::string JetstreamDictionaryUrl(const std::string& stream_url);

// Whether a message starts as a zstd frame does (its magic number); JSON starts with '{'.
bool IsZstdFrame(const char* data, size_t len);

class ZstdFrameDecoder {
 public:
  // A message larger than this once decompressed is refused: the socket's own limit
  // bounds the compressed bytes only, so this is the guard against a decompression bomb.
  static constexpr size_t kMaxMessageBytes = 16u << 20;

  // A decoder for frames made with `dictionary` (a zstd dictionary, RFC 8878 section 5),
  // or null with *error when it is not one.
  static std::unique_ptr<ZstdFrameDecoder> WithDictionary(std::string_view dictionary,
                                                          std::string* error);
  ~ZstdFrameDecoder();
  ZstdFrameDecoder(const ZstdFrameDecoder&) = delete;
  ZstdFrameDecoder& operator=(const ZstdFrameDecoder&) = delete;

  // The dictionary's id, which the stream's URL names.
  uint32_t dictionary_id() const { return id_; }

  // Decompresses one message into *out (followed by a NUL, for in-place parsing). False
  // with *error for a message that is damaged, cut short, made with another dictionary,
  // or larger than kMaxMessageBytes.
  bool Decompress(const char* data, size_t len, std::string* out, std::string* error);

 private:
  struct Impl;
  ZstdFrameDecoder(std::unique_ptr<Impl> impl, uint32_t id);
  std::unique_ptr<Impl> impl_;
  uint32_t id_;
};

}  // namespace hashmon

#endif  // HASHMON_FEED_JETSTREAM_ZSTD_H_
