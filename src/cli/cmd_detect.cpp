// hashmon detect: the detector on a user's own count export (NAB's CSV layout).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

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

struct Row {
  std::string stamp;
  int64_t t;
  double value;
};

// One "timestamp,value" line; nullopt with `error` set for a bad one (a header is skipped,
// with neither set).
std::optional<Row> ParseRow(const std::string& line, size_t line_no, std::string* error) {
  const size_t comma = line.find(',');
  Row row{line.substr(0, comma), 0, 0};
  const auto t = ParseIsoTime(row.stamp);
  if (!t) {
    if (line_no > 1) {
      *error =
          "expected 'timestamp,value' with a time such as 2015-02-26 21:42:53 (UTC, years "
          "1970-2999), got: " +
          line.substr(0, 80);
    }
    return std::nullopt;
  }
  row.t = *t;
  try {
    row.value = comma == std::string::npos ? 0 : std::stod(line.substr(comma + 1));
  } catch (const std::exception&) {
    row.value = NAN;
  }
  if (!std::isfinite(row.value) || row.value < 0) {
    *error = "not a count (a number, 0 or more): " + line.substr(0, 80);
    return std::nullopt;
  }
  return row;
}

// Reads the series row by row and writes each row's score as soon as it is known: a long
// export needs no more memory than a short one. The step is the first two rows' distance.
class DetectRun {
 public:
  DetectRun(const DetectArgs& args, std::ostream* out) : args_(args), out_(out) {}

  // False (with the message printed) when the row cannot be scored.
  bool Add(Row row, size_t line_no) {
    if (!previous_stamp_.empty() && row.t <= previous_t_) {
      std::fprintf(stderr,
                   "hashmon detect: line %zu: %s is not after the row before it (%s); the rows "
                   "must be in time order, one per step: sort the file first, e.g. "
                   "sort -t, -k1,1 -u\n",
                   line_no, row.stamp.c_str(), previous_stamp_.c_str());
      return false;
    }
    previous_t_ = row.t;
    previous_stamp_ = row.stamp;
    if (detector_) {
      Score(row);
      return true;
    }
    pending_.push_back(std::move(row));
    return pending_.size() < 2 || StartAndScorePending();
  }

  // Scores a series too short to have started (one row, or none).
  bool Finish() { return detector_ || StartAndScorePending(); }

 private:
  bool StartAndScorePending() {
    config_ = CountExportConfig(pending_.size() >= 2
                                    ? std::max<int64_t>(1000, pending_[1].t - pending_[0].t)
                                    : DetectorConfig{}.step_ms);
    std::string error;
    if (!ApplyDetectorSettings(args_.settings, &config_, &error)) {
      std::fprintf(stderr, "hashmon detect: %s\n", error.c_str());
      return false;
    }
    detector_ = std::make_unique<SeriesDetector>(&config_);
    *out_ << "timestamp,value,anomaly_score"
          << (args_.explain ? ",expected,log10_p,state,recent_peak" : "") << "\n";
    for (const Row& r : pending_) Score(r);
    pending_.clear();
    return true;
  }

  void Score(const Row& row) {
    const Assessment r = detector_->Observe(row.t, row.value);
    char score[32];
    std::snprintf(score, sizeof score, "%.6f", r.score);
    std::ostringstream value;
    value << row.value;
    *out_ << row.stamp << ',' << value.str() << ',' << score;
    if (args_.explain) {
      static const char* kStates[] = {"quiet", "pending", "firing"};
      *out_ << ',' << r.expected << ',' << r.log10_p << ',' << kStates[static_cast<int>(r.state)]
            << ',';
      if (r.recent_peak >= 0) *out_ << r.recent_peak;
    }
    *out_ << '\n';
  }

  const DetectArgs& args_;
  std::ostream* out_;
  DetectorConfig config_;
  std::unique_ptr<SeriesDetector> detector_;
  std::vector<Row> pending_;  // before the detector starts (it needs the step)
  int64_t previous_t_ = 0;
  std::string previous_stamp_;
};

int RunDetect(const DetectArgs& a) {
  std::ifstream in(a.series);
  if (!in) {
    std::fprintf(stderr, "hashmon detect: cannot read %s\n", a.series.c_str());
    return 1;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (a.out != "-") {
    file.open(a.out);
    if (!file) {
      std::fprintf(stderr, "hashmon detect: cannot write %s\n", a.out.c_str());
      return 1;
    }
    out = &file;
  }
  DetectRun run(a, out);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string error;
    std::optional<Row> row = ParseRow(line, line_no, &error);
    if (!row && !error.empty()) {
      std::fprintf(stderr, "hashmon detect: line %zu: %s\n", line_no, error.c_str());
      return 2;
    }
    if (row && !run.Add(std::move(*row), line_no)) return 2;
  }
  if (!run.Finish()) return 2;
  if (out != &file) return 0;  // stdout: checked as every command's is (StdoutWritten)
  file.close();                // the last block is written here, and may not fit
  if (file) return 0;
  std::fprintf(stderr, "hashmon detect: could not write all of %s (is the disk full?)\n",
               a.out.c_str());
  return 1;
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
