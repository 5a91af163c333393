#include "feed/url_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
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

// Where a URL's authority is: [begin, end) after "://", its host from `host` on (after any
// "user:password@").
struct Authority {
  size_t begin, host, end;
};

std::optional<Authority> AuthorityOf(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  Authority a;
  a.begin = scheme_end + 3;
  a.end = std::min(url.find_first_of("/?#", a.begin), url.size());
  const size_t at = url.rfind('@', a.end);
  a.host = at != std::string::npos && at >= a.begin ? at + 1 : a.begin;
  return a;
}

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
  const auto a = AuthorityOf(url);
  if (!a) return url;
  const size_t fragment = std::min(url.find('#', a->end), url.size());
  const size_t query = std::min(url.find('?', a->end), fragment);
  std::string out = url.substr(0, a->begin) + url.substr(a->host, query - a->host);
  if (query < fragment)
    out += "?" + RedactedQuery(std::string_view(url).substr(query + 1, fragment - query - 1));
  return out;
}

std::string HostOf(const std::string& url) {
  const auto a = AuthorityOf(url);
  if (!a) return "";
  const std::string_view host_port = std::string_view(url).substr(a->host, a->end - a->host);
  if (!host_port.empty() && host_port.front() == '[')
    return AsciiLower(std::string(host_port.substr(1, host_port.find(']') - 1)));
  return AsciiLower(std::string(host_port.substr(0, host_port.find(':'))));
}

std::string AsciiLower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace hashmon
