// The detectors' saved state as the history keeps it: the text SeriesDetector::Serialize
// writes (about 9 kB of digits for a series with days behind it), compressed with zstd to
// about a third. Every series that saw a minute rewrites its row at each commit, so this is
// most of what a collector writes to its history.
#ifndef HASHMON_STORE_STATE_CODEC_H_
#define HASHMON_STORE_STATE_CODEC_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hashmon {

class StateCodec {
 public:
  StateCodec();
  ~StateCodec();
  StateCodec(const StateCodec&) = delete;
  StateCodec& operator=(const StateCodec&) = delete;

  // A zstd frame of `text`; nullopt if zstd fails (out of memory), when the text is kept.
  std::optional<std::string> Pack(std::string_view text);
  // The text of a frame Pack made; nullopt for anything else (a damaged row). A history
  // written before states were compressed keeps them as text, which the caller reads as
  // it is.
  std::optional<std::string> Unpack(std::string_view frame);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace hashmon

#endif  // HASHMON_STORE_STATE_CODEC_H_
