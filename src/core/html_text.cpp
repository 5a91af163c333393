#include "hashmon/html_text.h"

#include <cstdint>
#include <cstring>

namespace hashmon {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the reference starting at html[i] == '&'; returns its length or 0.
size_t DecodeReference(std::string_view html, size_t i, std::string* out) {
  // A reference is short: look for its ';' that far only. (Searching the rest of the text
  // for each '&' made a status of a few million "&#" take hours.)
  constexpr size_t kLongest = 10;  // from '&' to ';', as in "&#x010FFFF;"
  const size_t semi = html.substr(0, i + kLongest + 1).find(';', i);
  if (semi == std::string_view::npos) return 0;
  std::string_view name = html.substr(i + 1, semi - i - 1);
  static const struct {
    const char* name;
    const char* text;
  } kNamed[] = {{"amp", "&"},   {"lt", "<"},   {"gt", ">"},
                {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
  for (const auto& n : kNamed) {
    if (name == n.name) {
      out->append(n.text);
      return semi - i + 1;
    }
  }
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    uint32_t cp = 0;
    size_t digits = 0;
    for (size_t k = hex ? 2 : 1; k < name.size(); ++k, ++digits) {
      const char c = name[k];
      int d = c >= '0' && c <= '9'          ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
      if (d < 0 || cp > 0x10FFFF) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
    }
    if (digits == 0) return 0;
    AppendUtf8(cp, out);
    return semi - i + 1;
  }
  return 0;
}

bool TagIs(std::string_view tag, const char* name) {
  size_t n = std::strlen(name);
  if (tag.size() < n) return false;
  for (size_t k = 0; k < n; ++k) {
    char c = tag[k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[k]) return false;
  }
  return tag.size() == n || tag[n] == ' ' || tag[n] == '/' || tag[n] == '>' || tag[n] == '\t';
}

std::string Escaped(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += quotes ? "&quot;" : "\"";
        break;
      case '\'':
        out += quotes ? "&#39;" : "'";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;
      std::string_view tag = html.substr(i + 1, close - i - 1);
      if (TagIs(tag, "br") || TagIs(tag, "/p")) out.push_back('\n');
      i = close + 1;
    } else if (c == '&') {
      const size_t used = DecodeReference(html, i, &out);
      if (used == 0) out.push_back('&');
      i += used == 0 ? 1 : used;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string HtmlEscape(std::string_view text) { return Escaped(text, /*quotes=*/true); }

std::string EscapeAmpLtGt(std::string_view text) { return Escaped(text, /*quotes=*/false); }

}  // namespace hashmon
