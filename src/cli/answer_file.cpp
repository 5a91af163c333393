#include "cli/answer_file.h"

#include <fcntl.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/options.h"

namespace hashmon {
namespace {

std::string DirectoryOf(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Where a chain of symbolic links ends (a file that may not exist yet), so that an answer
// replaces the file a link names, not the link.
std::string FollowLinks(const std::string& path) {
  std::filesystem::path p = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(p, ec); ++hops) {
    const std::filesystem::path target = std::filesystem::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p.string();
}

}  // namespace

bool AnswerFile::Open(const std::string& asked, std::string* error) {
  const std::string path = FollowLinks(asked);
  struct stat existing {};
  const bool exists = stat(path.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) {
    *error = path + " is a directory: give --output a file name, such as " +
             (std::filesystem::path(path) / "answer.csv").string();
    return false;
  }
  if (exists && !S_ISREG(existing.st_mode)) {
    // Renaming over a device or a pipe would replace it; leaving it to the shell is right.
    *error = path + " is not a regular file: leave --output out and redirect stdout to it";
    return false;
  }
  const std::string dir = DirectoryOf(path);
  const std::string stem = dir + "/." + std::filesystem::path(path).filename().string() + ".tmp-" +
                           std::to_string(getpid());
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    temp_ = stem + "-" + std::to_string(attempt);
    fd = open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    const int why = errno;
    temp_.clear();
    *error = "cannot write " + path + ": " + std::strerror(why) +
             (why == ENOENT ? " (the directory " + dir + " does not exist)"
                            : " (give --output a file in a directory this user may write)");
    return false;
  }
  // The answer keeps the mode of the file it replaces (a new one gets 0666 less the umask).
  if (exists) fchmod(fd, existing.st_mode & 07777);
  path_ = path;
  if (!FlushStdout() || (saved_stdout_ = dup(STDOUT_FILENO)) < 0 || dup2(fd, STDOUT_FILENO) < 0) {
    *error = "cannot send the answer to " + path + ": " + std::strerror(errno);
    close(fd);
    Abandon();
    return false;
  }
  close(fd);
  return true;
}

bool AnswerFile::Commit(std::string* error) {
  const bool written = FlushStdout() && fsync(STDOUT_FILENO) == 0;
  const int why = errno;
  if (!written || !RestoreStdout() || std::rename(temp_.c_str(), path_.c_str()) != 0) {
    *error = "could not write all of the answer to " + path_ + " (" +
             WriteFailure(written ? errno : why) + "); " + path_ + " is as it was";
    Abandon();
    return false;
  }
  temp_.clear();
  // The rename itself lasts once the directory is on disk too.
  const int dir = open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return true;
}

bool AnswerFile::RestoreStdout() {
  if (saved_stdout_ < 0) return true;
  // What a failed write left in stdout's buffer must not reach the real stdout.
  if (!FlushStdout()) __fpurge(stdout);
  std::clearerr(stdout);
  std::cout.clear();
  const bool restored = dup2(saved_stdout_, STDOUT_FILENO) >= 0;
  close(saved_stdout_);
  saved_stdout_ = -1;
  return restored;
}

void AnswerFile::Abandon() {
  RestoreStdout();
  if (!temp_.empty()) unlink(temp_.c_str());
  temp_.clear();
}

std::string FormatForFileName(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".csv") return "csv";
  if (ext == ".json") return "json";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  if (ext == ".txt") return "table";
  return "";
}

int AnswerInto(const std::string& output, std::string* format, const char* who,
               const std::function<int()>& answer) {
  if (output.empty()) return answer();
  if (format->empty()) *format = FormatForFileName(output);
  AnswerFile file;
  std::string error;
  if (!file.Open(output, &error)) {
    std::fprintf(stderr, "%s: %s\n", who, error.c_str());
    return 1;
  }
  const int status = answer();
  if (status != 0) return status;  // the file is left as it was
  if (!file.Commit(&error)) {
    std::fprintf(stderr, "%s: %s\n", who, error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace hashmon
