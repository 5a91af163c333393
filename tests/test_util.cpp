#include "test_util.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hashmon::testing {

std::string TestDataPath(const std::string& relative) {
  return std::string(HASHMON_TEST_DATA) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hashmon-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

CommandResult Run(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

CommandResult RunHashmon(const std::string& args, const std::string& stdin_path) {
  std::string cmd = std::string(HASHMON_BINARY) + " " + args + " 2>/dev/null";
  if (!stdin_path.empty()) cmd += " < '" + stdin_path + "'";
  return Run(cmd);
}

CommandResult RunHashmonSaying(const std::string& args) {
  return Run(std::string(HASHMON_BINARY) + " " + args + " 2>&1");
}

CommandResult RunHashmonWritingTo(const std::string& args, const std::string& path) {
  return Run(std::string(HASHMON_BINARY) + " " + args + " 2>&1 >'" + path + "'");
}

int RunGenerator(const std::string& script, const std::string& args, const std::string& out) {
  const std::string cmd = "python3 '" + std::string(HASHMON_SOURCE_DIR) + "/scripts/" + script +
                          "' " + args + " --out '" + out + "'";
  return std::system(cmd.c_str());
}

}  // namespace hashmon::testing
