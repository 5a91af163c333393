#include "feed/url_text.h"

#include <cctype>

namespace hashmon {

std::string PercentEncoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string WithParam(const std::string& url, const std::string& name, const std::string& value) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + name + "=" + value;
}

}  // namespace hashmon
