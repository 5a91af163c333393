// libFuzzer target: any bytes as one feed record, with and without an SSE event name.
#include <cstdint>
#include <string>

#include "hashmon/decoder.h"
#include "hashmon/html_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static hashmon::Decoder decoder;
  std::string buf(reinterpret_cast<const char*>(data), size);
  decoder.Decode(buf.data(), buf.size());
  buf.assign(reinterpret_cast<const char*>(data), size);
  decoder.Decode(buf.data(), buf.size(), "update");
  hashmon::HtmlToText(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
