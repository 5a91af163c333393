// Option parsing shared by subcommands: durations, times, tags and countries.
#ifndef HASHMON_CLI_OPTIONS_H_
#define HASHMON_CLI_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashmon {

// "90s", "2m", "1h", "1d" -> milliseconds.
std::optional<int64_t> ParseDuration(const std::string& text);

// The default watched countries.
const std::vector<std::string>& DefaultCountries();

bool StderrIsTerminal();
bool StdoutIsTerminal();

}  // namespace hashmon

#endif  // HASHMON_CLI_OPTIONS_H_
