#include "feed/jetstream_zstd.h"

#include <zstd.h>

#include <cstring>

namespace hashmon {
namespace {

constexpr std::string_view kSubscribeMethod = kJetstreamV2Method;
constexpr std::string_view kDictionaryMethod = "/xrpc/network.bsky.jetstream.getZstdDictionary";

std::string_view PathOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const size_t path = url.find('/', scheme + 3);
  if (path == std::string_view::npos) return {};
  return url.substr(path, url.find_first_of("?#", path) - path);
}

}  // namespace

bool IsJetstreamV2Url(const std::string& url) {
  const std::string_view path = PathOf(url);
  return path.size() >= kSubscribeMethod.size() &&
         path.substr(path.size() - kSubscribeMethod.size()) == kSubscribeMethod;
}

std::string JetstreamDictionaryUrl(const std::string& stream_url) {
  const size_t scheme = stream_url.find("://");
  if (scheme == std::string::npos) return {};
  const std::string_view s(stream_url);
  const std::string_view path = PathOf(stream_url);
  // Everything before the method's name stays: a server behind a path prefix keeps it.
  const size_t prefix_end = path.empty() ? s.find_first_of("?#", scheme + 3)
                                         : static_cast<size_t>(path.data() - s.data()) +
                                               path.size() - kSubscribeMethod.size();
  std::string head(s.substr(0, prefix_end));
  if (head.rfind("wss://", 0) == 0) {
    head.replace(0, 3, "https");
  } else if (head.rfind("ws://", 0) == 0) {
    head.replace(0, 2, "http");
  }
  return head + std::string(kDictionaryMethod);
}

bool IsZstdFrame(const char* data, size_t len) {
  static constexpr unsigned char kMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return len >= 4 && std::memcmp(data, kMagic, 4) == 0;
}

struct ZstdFrameDecoder::Impl {
  ZSTD_DCtx* dctx = nullptr;
  ZSTD_DDict* ddict = nullptr;
  ~Impl() {
    ZSTD_freeDCtx(dctx);
    ZSTD_freeDDict(ddict);
  }
};

ZstdFrameDecoder::ZstdFrameDecoder(std::unique_ptr<Impl> impl, uint32_t id)
    : impl_(std::move(impl)), id_(id) {}
ZstdFrameDecoder::~ZstdFrameDecoder() = default;

std::unique_ptr<ZstdFrameDecoder> ZstdFrameDecoder::WithDictionary(std::string_view dictionary,
                                                                   std::string* error) {
  // A raw-content dictionary (any bytes) has id 0; the scheme names dictionaries by id.
  const unsigned id = ZSTD_getDictID_fromDict(dictionary.data(), dictionary.size());
  if (id == 0) {
    *error = "not a zstd dictionary (" + std::to_string(dictionary.size()) +
             " bytes without the dictionary header)";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->dctx = ZSTD_createDCtx();
  impl->ddict = ZSTD_createDDict(dictionary.data(), dictionary.size());
  if (!impl->dctx || !impl->ddict || ZSTD_isError(ZSTD_DCtx_refDDict(impl->dctx, impl->ddict))) {
    *error = "zstd could not load the dictionary";
    return nullptr;
  }
  return std::unique_ptr<ZstdFrameDecoder>(new ZstdFrameDecoder(std::move(impl), id));
}

namespace {
std::string TooLarge() {
  return "larger than " + std::to_string(ZstdFrameDecoder::kMaxMessageBytes >> 20) +
         " MiB once decompressed";
}
}  // namespace

bool ZstdFrameDecoder::Decompress(const char* data, size_t len, std::string* out,
                                  std::string* error) {
  ZSTD_DCtx_reset(impl_->dctx, ZSTD_reset_session_only);
  const unsigned frame_dict = ZSTD_getDictID_fromFrame(data, len);
  if (frame_dict != 0 && frame_dict != id_) {
    *error = "made with dictionary " + std::to_string(frame_dict) + ", not " + std::to_string(id_);
    return false;
  }
  // Sized from the frame's header when it says (and says no more than the limit), with a
  // byte to spare: a frame that fills it is larger than it said.
  const unsigned long long declared = ZSTD_getFrameContentSize(data, len);
  size_t capacity = 4096;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
    if (declared > kMaxMessageBytes) {
      *error = TooLarge();
      return false;
    }
    capacity = static_cast<size_t>(declared) + 1;
  }
  out->resize(capacity);
  ZSTD_inBuffer in{data, len, 0};
  ZSTD_outBuffer o{out->data(), out->size(), 0};
  size_t left = 1;  // zstd's hint: 0 once the frame is complete
  while (in.pos < in.size || (left != 0 && o.pos == o.size)) {
    if (o.pos == o.size) {  // grows up to one byte past the limit, which is then refused
      if (o.size > kMaxMessageBytes) break;
      out->resize(std::min(kMaxMessageBytes + 1, o.size * 2));
      o.dst = out->data();
      o.size = out->size();
    }
    left = ZSTD_decompressStream(impl_->dctx, &o, &in);
    if (ZSTD_isError(left)) {
      *error = std::string("damaged: zstd says \"") + ZSTD_getErrorName(left) + "\"";
      return false;
    }
    if (left != 0 && in.pos == in.size && o.pos < o.size) break;  // needs more than there is
  }
  if (o.pos > kMaxMessageBytes) {
    *error = TooLarge();
    return false;
  }
  if (left != 0) {
    *error = "cut short";
    return false;
  }
  out->resize(o.pos);  // std::string keeps a NUL after its last byte
  return true;
}

}  // namespace hashmon
