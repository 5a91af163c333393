// hashmon backup: a consistent copy of a history, safe while the collector writes it.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/clock.h"
#include "store/backup.h"

namespace hashmon {
namespace {

struct BackupArgs {
  std::string db = DatabaseByDefault();
  std::string out;
};

int RunBackup(const BackupArgs& a) {
  SystemClock clock;
  const int64_t start = clock.MonotonicMs();
  std::string error;
  const auto done = BackUpHistory(a.db, a.out, &error);
  if (!done) {
    std::fprintf(stderr, "hashmon backup: %s\n", error.c_str());
    return 1;
  }
  std::printf("backed up %s to %s: %.1f MB, schema %d, checked, in %.1f s\n", a.db.c_str(),
              a.out.c_str(), static_cast<double>(done->bytes) / 1e6, done->schema_version,
              static_cast<double>(clock.MonotonicMs() - start) / 1000.0);
  return 0;
}

}  // namespace

void RegisterBackup(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<BackupArgs>();
  CLI::App* cmd = app.add_subcommand(
      "backup", "Copy the history consistently, while the collector writes it (one checked file)");
  cmd->add_option("--db", args->db, "The history to copy (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("out", args->out, "The copy (replaced only once the new one is whole)")
      ->required();
  cmd->callback([args, exit] { exit->value = RunBackup(*args); });
}

}  // namespace hashmon
