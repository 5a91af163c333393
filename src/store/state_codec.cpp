#include "store/state_codec.h"

#include <zstd.h>

namespace hashmon {
namespace {

// Level 1: 10.8 kB of state in about 3.4 kB; higher levels gain little on digits and cost
// several times the time.
constexpr int kLevel = 1;
// No saved state comes near this; a frame that claims more is damaged, not read.
constexpr unsigned long long kMaxStateBytes = 16ull << 20;

}  // namespace

struct StateCodec::Contexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

StateCodec::StateCodec() : contexts_(std::make_unique<Contexts>()) {}
StateCodec::~StateCodec() = default;

std::optional<std::string> StateCodec::Pack(std::string_view text) {
  std::string frame(ZSTD_compressBound(text.size()), '\0');
  const size_t n = ZSTD_compressCCtx(contexts_->compress, frame.data(), frame.size(), text.data(),
                                     text.size(), kLevel);
  if (ZSTD_isError(n)) return std::nullopt;
  frame.resize(n);
  return frame;
}

std::optional<std::string> StateCodec::Unpack(std::string_view frame) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxStateBytes)
    return std::nullopt;
  std::string text(size, '\0');
  const size_t n = ZSTD_decompressDCtx(contexts_->decompress, text.data(), text.size(),
                                       frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) return std::nullopt;
  return text;
}

}  // namespace hashmon
