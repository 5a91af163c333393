#include "hashmon/terminal_text.h"

#include <cstdio>

namespace hashmon {
namespace {

bool IsC0OrDelete(unsigned char c) { return c < 0x20 || c == 0x7F; }

// U+0080..U+009F in UTF-8: C2 80 .. C2 9F.
bool IsC1At(std::string_view text, size_t i) {
  return static_cast<unsigned char>(text[i]) == 0xC2 && i + 1 < text.size() &&
         static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
         static_cast<unsigned char>(text[i + 1]) <= 0x9F;
}

void AppendEscape(std::string* out, const char* format, unsigned value) {
  char buf[8];
  const int n = std::snprintf(buf, sizeof buf, format, value);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (IsC0OrDelete(c)) {
      AppendEscape(&out, "\\x%02x", c);
    } else if (IsC1At(text, i)) {
      AppendEscape(&out, "\\u%04x", static_cast<unsigned char>(text[++i]));
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace hashmon
