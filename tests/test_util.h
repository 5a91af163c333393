// Helpers shared by the tests: fixture paths, temporary directories, running the binary.
#ifndef HASHMON_TESTS_TEST_UTIL_H_
#define HASHMON_TESTS_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hashmon/time_util.h"

namespace hashmon::testing {

// A minute in milliseconds, the unit of the tests' event times.
inline constexpr int64_t kMin = kMillisPerMinute;
// 2016-01-18T00:00:00Z, the Monday before the outage day, where week-long histories begin.
inline constexpr int64_t kMonday = 1'453'075'200'000;
// 2016-01-19T00:00:00Z, the day Twitter was down.
inline constexpr int64_t kOutageDay = kMonday + kMillisPerDay;

std::string TestDataPath(const std::string& relative);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);
// The file's lines, without their newlines.
std::vector<std::string> ReadLines(const std::string& path);

// A port on 127.0.0.1 that was free a moment ago and is again: where nothing answers.
int PortNobodyListensOn();

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code;
  std::string out;
};

// Runs the hashmon binary with a shell-quoted argument string; captures stdout.
CommandResult RunHashmon(const std::string& args, const std::string& stdin_path = "");
// The same, capturing what it says on stderr too (after stdout's lines, interleaved).
CommandResult RunHashmonSaying(const std::string& args);
// The same with its stdout written to `path`: `out` is what it says on stderr.
CommandResult RunHashmonWritingTo(const std::string& args, const std::string& path);
// RunHashmonSaying where no file may grow beyond `bytes` (a disk that fills up): a write
// past it fails with EFBIG instead of ending the process.
CommandResult RunHashmonSayingWithFilesUpTo(const std::string& args, int bytes);

// Runs one of the project's feed generators (scripts/gen-sample.py, gen-independent.py)
// with `args`, writing its feed to `out` and, when `truth_out` is given, the counts it meant
// to generate there (`--truth`); returns its exit code.
// The generators are deterministic, so their outputs are kept in the build directory's
// test-cache/, under the script's text and the arguments: ctest starts one process per
// test, and a fixture's feed (up to 48 MB, 2 s of Python) is then generated once per build,
// not once per test. A test gets a copy of its own, free to change.
int RunGenerator(const std::string& script, const std::string& args, const std::string& out,
                 const std::string& truth_out = "");

}  // namespace hashmon::testing

#endif  // HASHMON_TESTS_TEST_UTIL_H_
