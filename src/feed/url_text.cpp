#include "feed/url_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <vector>

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

namespace {

// The words of a parameter name, lower case: "X-Amz-Signature" and "apiKey" are two each.
std::vector<std::string> WordsOf(std::string_view name) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1])))
      words.emplace_back();
    words.back() += static_cast<char>(std::tolower(c));
  }
  return words;
}

// A word such as token, accesstoken or apikey says credential; keyword or tag does not.
bool NamesACredential(std::string_view name) {
  static constexpr std::array<std::string_view, 13> kEndings = {
      "token", "key",       "secret",  "password",  "passwd",     "pwd",        "auth",
      "sig",   "signature", "session", "sessionid", "credential", "credentials"};
  for (const std::string& word : WordsOf(name)) {
    for (std::string_view ending : kEndings) {
      if (word.size() >= ending.size() &&
          word.compare(word.size() - ending.size(), ending.size(), ending) == 0)
        return true;
    }
  }
  return false;
}

std::string RedactedQuery(std::string_view query) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    const std::string_view param = query.substr(start, end - start);
    const size_t eq = param.find('=');
    if (start > 0) out += '&';
    if (eq != std::string_view::npos && NamesACredential(param.substr(0, eq)))
      out.append(param.substr(0, eq + 1)).append("REDACTED");
    else
      out.append(param);
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string UrlWithoutSecrets(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t host_start = scheme_end + 3;
  const size_t authority_end = std::min(url.find_first_of("/?#", host_start), url.size());
  const size_t at = url.rfind('@', authority_end);
  const size_t host = at != std::string::npos && at >= host_start ? at + 1 : host_start;
  const size_t fragment = std::min(url.find('#', authority_end), url.size());
  const size_t query = std::min(url.find('?', authority_end), fragment);
  std::string out = url.substr(0, host_start) + url.substr(host, query - host);
  if (query < fragment)
    out += "?" + RedactedQuery(std::string_view(url).substr(query + 1, fragment - query - 1));
  return out;
}

}  // namespace hashmon
