#include "cli/options.h"

#include <unistd.h>

#include <cctype>

namespace hashmon {

std::optional<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) n = n * 10 + (text[i++] - '0');
  if (i == 0) return std::nullopt;
  const std::string unit = text.substr(i);
  if (unit == "ms") return n;
  if (unit == "s" || unit.empty()) return n * 1000;
  if (unit == "m" || unit == "min") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "d") return n * 86'400'000;
  return std::nullopt;
}

const std::vector<std::string>& DefaultCountries() {
  static const std::vector<std::string> kCountries = {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"};
  return kCountries;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }
bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace hashmon
