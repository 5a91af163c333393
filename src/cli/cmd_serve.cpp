// hashmon serve: the HTTP API, /metrics and the dashboard over a database, read-only.
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "ops/api_server.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

struct ServeArgs {
  std::string db = DatabaseByDefault();
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> countries;
};

int RunServe(const ServeArgs& a) {
  StopOnSignals();  // before it says it is serving: a stop from then on is a clean one
  SystemClock clock;
  Logger log(&std::cerr, &clock);
  ApiOptions o;
  if (!ParseListen(a.listen, &o.host, &o.port)) {
    log.Error("--listen: expected HOST:PORT such as 127.0.0.1:8080");
    return 2;
  }
  o.db_path = a.db;
  o.clock = &clock;
  o.watched_countries = DefaultCountries();
  if (!a.countries.empty()) {
    o.watched_countries.clear();
    for (const auto& c : a.countries) {
      std::string error;
      const auto country = CountryOption(c, &error);
      if (!country) {
        log.Error(error);
        return 2;
      }
      if (!country->empty()) o.watched_countries.push_back(*country);
    }
  }
  ApiServer server(o);
  std::string error;
  const int port = server.Start(&error);
  if (port < 0) {
    log.Error(error);
    return 1;
  }
  std::printf("serving %s on %s (dashboard), /api/v1/..., /metrics\n", a.db.c_str(),
              ListenUrl(o.host, port).c_str());
  if (const std::string warning = server.ExposureWarning(); !warning.empty()) log.Warn(warning);
  std::fflush(stdout);
  // Serving before the collector has made the database is fine (each request opens it
  // anew), but a wrong --db should be said at once, not found on the dashboard later.
  if (!SqliteStore::OpenReadOnly(a.db, &error)) {
    log.Warn(error + "; serving anyway: the API answers 503 until it can read " + a.db);
  }
  WaitForStopSignal();
  server.Stop();
  return 0;
}

}  // namespace

void RegisterServe(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the JSON API, Prometheus /metrics and the dashboard (read-only)");
  cmd->add_option("--db", args->db,
                  "SQLite database to read (default: $HASHMON_DB, else hashmon.db)");
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to bind (0.0.0.0 exposes it beyond this machine)")
      ->capture_default_str();
  AddListOption(cmd, "--country", &args->countries,
                "Watched countries shown first (repeatable, or comma-separated; default the "
                "seven)");
  cmd->callback([args, exit] { exit->value = RunServe(*args); });
}

}  // namespace hashmon
