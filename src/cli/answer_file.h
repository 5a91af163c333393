// `query ... --output FILE`: an answer that replaces FILE only once it is all written.
// A cron job that refreshes a CSV for a spreadsheet or a web page must never leave half a
// file where the last whole one was, nor an empty one when the query failed.
#ifndef HASHMON_CLI_ANSWER_FILE_H_
#define HASHMON_CLI_ANSWER_FILE_H_

#include <functional>
#include <string>

namespace hashmon {

// Sends stdout to a new file beside `path` (so the rename is atomic) until Commit renames
// it over `path`. Whatever is not committed (a failed query, a full disk) is removed, and
// `path` is left as it was.
class AnswerFile {
 public:
  AnswerFile() = default;
  AnswerFile(const AnswerFile&) = delete;
  AnswerFile& operator=(const AnswerFile&) = delete;
  ~AnswerFile() { Abandon(); }

  // False, with *error naming the path and what to give instead, when no file can be
  // written there, or `path` is a directory or a device. A symbolic link's target is
  // replaced, and the link kept.
  bool Open(const std::string& path, std::string* error);
  // Flushes and syncs the answer, gives stdout back, and puts the answer at `path`.
  bool Commit(std::string* error);

 private:
  void Abandon();
  bool RestoreStdout();

  std::string path_;
  std::string temp_;
  int saved_stdout_ = -1;
};

// The --format a file name asks for: csv for .csv, json for .json, jsonl for .jsonl and
// .ndjson, table for .txt; "" for any other name (the command's own default then).
std::string FormatForFileName(const std::string& path);

// Runs `answer`, which prints to stdout in *format, into `output` when one is given (with
// *format, if empty, from its name). Returns `answer`'s exit status, or 1 when the file
// could not be written, said on stderr after `who` ("hashmon query").
int AnswerInto(const std::string& output, std::string* format, const char* who,
               const std::function<int()>& answer);

}  // namespace hashmon

#endif  // HASHMON_CLI_ANSWER_FILE_H_
