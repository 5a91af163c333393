// hashmon: counts hashtag mentions (#twitterdown) per country per minute from social
// post feeds, stores them in SQLite and flags crowd-reported outages.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/options.h"
#include "store/sqlite_store.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"hashmon: watch social feeds for outage hashtags, per country per minute"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hashmon 0.1.0");
  hashmon::ExitCode exit;
  hashmon::RegisterReplay(app, &exit);
  hashmon::RegisterQuery(app, &exit);
  hashmon::RegisterInspect(app, &exit);
  hashmon::RegisterHashtags(app, &exit);
  hashmon::RegisterDetect(app, &exit);
  hashmon::RegisterCollect(app, &exit);
  hashmon::RegisterServe(app, &exit);
  hashmon::RegisterFeedTools(app, &exit);
  hashmon::RegisterSilence(app, &exit);
  hashmon::RegisterBackup(app, &exit);
  hashmon::RegisterPrune(app, &exit);
  CLI11_PARSE(app, argc, argv);
  // A command whose output did not all get written (a full disk) failed, whatever it did.
  if (!hashmon::StdoutWritten() && exit.value == 0) return 1;
  return exit.value;
}

}  // namespace

int main(int argc, char** argv) {
  // Commands report the errors they expect; anything else (out of memory, a library's
  // surprise) still ends with a message and exit status 1 instead of an abort and a core dump.
  try {
    return Run(argc, argv);
  } catch (const hashmon::DamagedHistoryError& e) {
    std::fprintf(stderr, "hashmon: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hashmon: unexpected error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "hashmon: unexpected error\n");
  }
  return 1;
}
