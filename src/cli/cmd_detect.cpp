// hashmon detect: the detector on a user's own count export (NAB's CSV layout).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "hashmon/detector.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

struct DetectArgs {
  std::string series;
  std::string out = "-";
  std::vector<std::string> settings;
  bool explain = false;
};

int RunDetect(const DetectArgs& a) {
  std::ifstream in(a.series);
  if (!in) {
    std::fprintf(stderr, "hashmon detect: cannot read %s\n", a.series.c_str());
    return 1;
  }
  std::vector<std::string> stamps;
  std::vector<int64_t> times;
  std::vector<double> values;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t comma = line.find(',');
    const std::string stamp = line.substr(0, comma);
    auto t = ParseIsoTime(stamp);
    if (!t) {
      if (line_no == 1) continue;  // header
      std::fprintf(stderr, "hashmon detect: line %zu: expected 'timestamp,value', got: %.80s\n",
                   line_no, line.c_str());
      return 2;
    }
    double v = 0;
    try {
      v = comma == std::string::npos ? 0 : std::stod(line.substr(comma + 1));
    } catch (const std::exception&) {
      std::fprintf(stderr, "hashmon detect: line %zu: not a number: %.80s\n", line_no,
                   line.c_str());
      return 2;
    }
    stamps.push_back(stamp);
    times.push_back(*t);
    values.push_back(v);
  }
  DetectorConfig config = CountExportConfig(
      times.size() >= 2 ? std::max<int64_t>(1000, times[1] - times[0]) : DetectorConfig{}.step_ms);
  std::string error;
  if (!ApplyDetectorSettings(a.settings, &config, &error)) {
    std::fprintf(stderr, "hashmon detect: %s\n", error.c_str());
    return 2;
  }
  SeriesDetector detector(&config);
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (a.out != "-") {
    file.open(a.out);
    out = &file;
  }
  *out << "timestamp,value,anomaly_score"
       << (a.explain ? ",expected,log10_p,state,recent_peak" : "") << "\n";
  char buf[64];
  for (size_t i = 0; i < times.size(); ++i) {
    const Assessment r = detector.Observe(times[i], values[i]);
    std::snprintf(buf, sizeof buf, "%.6f", r.score);
    std::ostringstream v;
    v << values[i];
    *out << stamps[i] << ',' << v.str() << ',' << buf;
    if (a.explain) {
      static const char* kStates[] = {"quiet", "pending", "firing"};
      *out << ',' << r.expected << ',' << r.log10_p << ',' << kStates[static_cast<int>(r.state)]
           << ',';
      if (r.recent_peak >= 0) *out << r.recent_peak;
    }
    *out << '\n';
  }
  return out->good() ? 0 : 1;
}

}  // namespace

void RegisterDetect(CLI::App& app, ExitCode* exit) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "detect",
      "Score a count series (timestamp,value rows, any fixed step) with the outage detector");
  cmd->add_option("--series", args->series, "CSV of timestamp,value rows")->required();
  cmd->add_option("--out", args->out, "Output CSV (timestamp,value,anomaly_score); - for stdout")
      ->capture_default_str();
  cmd->add_flag("--explain", args->explain,
                "Add the baseline, log10 p-value, alert state and the busiest step of the volume "
                "rule's hours (count_novelty_hours) to each row");
  cmd->add_option("--set", args->settings,
                  "Override a detector setting, e.g. --set alert_p=1e-6 (repeatable)");
  cmd->callback([args, exit] { exit->value = RunDetect(*args); });
}

}  // namespace hashmon
