// The hashmon subcommands. Each Register* adds one subcommand (and its options) to the
// CLI11 app; the callback runs it and sets the process exit code.
#ifndef HASHMON_CLI_COMMANDS_H_
#define HASHMON_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hashmon {

class SqliteStore;

struct ExitCode {
  int value = 0;
};

void RegisterReplay(CLI::App& app, ExitCode* exit);
void RegisterQuery(CLI::App& app, ExitCode* exit);
void RegisterInspect(CLI::App& app, ExitCode* exit);
void RegisterHashtags(CLI::App& app, ExitCode* exit);
void RegisterDetect(CLI::App& app, ExitCode* exit);
void RegisterOutageQueries(CLI::App* query, ExitCode* exit);
void RegisterCollect(CLI::App& app, ExitCode* exit);
void RegisterServe(CLI::App& app, ExitCode* exit);
void RegisterFeedTools(CLI::App& app, ExitCode* exit);
void RegisterSilence(CLI::App& app, ExitCode* exit);
void RegisterBackup(CLI::App& app, ExitCode* exit);
void RegisterPrune(CLI::App& app, ExitCode* exit);

// --speed: 0 (as fast as possible) or a positive factor. (CLI11's own check names its upper
// bound, a number of 309 digits.)
CLI::Validator SpeedFactor();

// -o/--output FILE for a query (see AnswerInto in answer_file.h).
void AddOutputOption(CLI::App* cmd, std::string* output);

// A repeatable option that also takes a comma-separated list, as HASHMON_TAGS is written:
// "--tag a,b" and "--tag 'a, b'" are "--tag a --tag b" (each item without its spaces).
CLI::Option* AddListOption(CLI::App* cmd, const std::string& name, std::vector<std::string>* items,
                           const std::string& help);

// --tag: the hashtags to watch (replay, collect, inspect).
void AddWatchedTagsOption(CLI::App* cmd, std::vector<std::string>* tags);

// After a query's answer: where --tag names a tag the history has never counted (a typo, or
// a tag watched only elsewhere), says so on stderr with the tags it has, so that an empty
// answer is not read as "no mentions".
void NoteATagNeverCounted(SqliteStore& store, const std::string& tag, const std::string& db);

}  // namespace hashmon

#endif  // HASHMON_CLI_COMMANDS_H_
