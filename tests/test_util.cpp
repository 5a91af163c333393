#include "test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int PortNobodyListensOn() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) close(fd);
  return port;
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

CommandResult RunHashmonSayingWithFilesUpTo(const std::string& args, int bytes) {
  const std::string limit = std::to_string(bytes);
  return Run("trap '' XFSZ; prlimit --fsize=" + limit + ":" + limit + " " +
             std::string(HASHMON_BINARY) + " " + args + " 2>&1");
}

CommandResult RunHashmonWritingTo(const std::string& args, const std::string& path) {
  return Run(std::string(HASHMON_BINARY) + " " + args + " 2>&1 >'" + path + "'");
}

namespace {

// The cache's name for a generator's outputs (the feed, and the truth when asked for): a
// run's script text and arguments decide them.
std::string GeneratorCacheStem(const std::string& script_path, const std::string& args) {
  const std::string what = ReadFile(script_path) + '\0' + args;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(what));
  return std::string(HASHMON_TEST_CACHE_DIR) + "/" +
         std::filesystem::path(script_path).stem().string() + "-" + hex;
}

bool CopyOver(const std::string& from, const std::string& to) {
  std::error_code ec;
  return std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing,
                                    ec);
}

// Puts a copy of `from` at `to` whole or not at all: tests running side by side may be
// reading the cache while this one fills it.
void PublishToCache(const std::string& from, const std::string& to) {
  const std::string part = to + ".part" + std::to_string(getpid());
  std::error_code ec;
  if (CopyOver(from, part)) std::filesystem::rename(part, to, ec);
  std::filesystem::remove(part, ec);
}

}  // namespace

int RunGenerator(const std::string& script, const std::string& args, const std::string& out,
                 const std::string& truth_out) {
  const std::string script_path = std::string(HASHMON_SOURCE_DIR) + "/scripts/" + script;
  const bool with_truth = !truth_out.empty();
  const std::string stem = GeneratorCacheStem(script_path, args);
  const std::string cached_feed = stem + ".jsonl", cached_truth = stem + ".truth.csv";
  // A run that asked for the truth publishes it before the feed; one that did not leaves
  // none, and the next run that asks for it generates both again.
  if (std::filesystem::exists(cached_feed) && CopyOver(cached_feed, out) &&
      (!with_truth || CopyOver(cached_truth, truth_out))) {
    return 0;
  }
  std::string cmd = "python3 '" + script_path + "' " + args + " --out '" + out + "'";
  if (with_truth) cmd += " --truth '" + truth_out + "'";
  const int status = std::system(cmd.c_str());
  if (status != 0) return status;
  std::error_code ec;
  std::filesystem::create_directories(HASHMON_TEST_CACHE_DIR, ec);
  if (with_truth) PublishToCache(truth_out, cached_truth);
  PublishToCache(out, cached_feed);
  return 0;
}

}  // namespace hashmon::testing
