// hashmon detect: the detector on a count export (NAB's CSV layout, or hashmon's own counts).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
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
  std::string step;
  std::vector<std::string> settings;
  bool explain = false;
};

// A row's cells, as RFC 4180 writes them: a cell may be quoted ("2015-02-26 21:42:53", as
// R's write.csv and many spreadsheets write every text), with "" for a quote inside.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// A header cell as a name: "Timestamp" and "timestamp" name one column.
std::string ColumnName(std::string cell) {
  for (char& c : cell) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return WithoutSurroundingSpaces(cell);
}

// Where a row's time, value and series are: NAB's "timestamp,value" by default; by name when
// the file has a header, so that `hashmon query counts --format csv` (time,tag,country,count)
// is read as one series per tag and country.
struct Columns {
  size_t time = 0, value = 1;
  std::vector<size_t> series;  // the columns that name a row's series (tag, country)
};

Columns ColumnsOf(const std::vector<std::string>& header) {
  Columns c;
  bool have_time = false, have_value = false;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = ColumnName(header[i]);
    if (!have_time && (name == "timestamp" || name == "time" || name == "date")) {
      c.time = i, have_time = true;
    } else if (!have_value && (name == "value" || name == "count")) {
      c.value = i, have_value = true;
    } else if (name == "tag" || name == "country") {
      c.series.push_back(i);
    }
  }
  return c;
}

struct Row {
  std::string line;    // as read, written back with the score
  std::string series;  // the values of the series columns
  int64_t t;
  double value;
};

// One row; nullopt with `error` set for a bad one.
std::optional<Row> ParseRow(const std::string& line, const Columns& columns, std::string* error) {
  const std::vector<std::string> cells = SplitCsv(line);
  const std::string stamp = columns.time < cells.size() ? cells[columns.time] : "";
  const auto t = ParseIsoTime(stamp);
  if (!t) {
    *error =
        "expected 'timestamp,value' with a time such as 2015-02-26 21:42:53 (UTC, years "
        "1970-2999), got: " +
        line.substr(0, 80);
    return std::nullopt;
  }
  Row row{line, "", *t, NAN};
  try {
    if (columns.value < cells.size()) row.value = std::stod(cells[columns.value]);
  } catch (const std::exception&) {
  }
  if (!std::isfinite(row.value) || row.value < 0) {
    *error = "not a count (a number, 0 or more): " + line.substr(0, 80);
    return std::nullopt;
  }
  for (size_t i : columns.series) row.series += (i < cells.size() ? cells[i] : "") + ',';
  return row;
}

int64_t Gcd(int64_t a, int64_t b) { return b == 0 ? a : Gcd(b, a % b); }

// The step of rows that may skip steps (a count export leaves out empty minutes): the
// greatest common divisor of the distances between the rows' times (all series together:
// they share one grid), unless the rows are not on a grid (timestamps a second off here and
// there), when it is the smallest distance.
int64_t InferStep(const std::vector<Row>& rows) {
  int64_t gcd = 0, smallest = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const int64_t d = std::abs(rows[i].t - rows[i - 1].t);
    if (d == 0) continue;
    gcd = Gcd(d, gcd);
    smallest = smallest == 0 ? d : std::min(smallest, d);
  }
  if (smallest == 0) return DetectorConfig{}.step_ms;
  return std::max<int64_t>(1000, smallest / gcd <= 60 ? gcd : smallest);
}

// A duration as --step reads it: "5m", "1h", "90s".
std::string StepText(int64_t ms) {
  if (ms % kMillisPerDay == 0) return std::to_string(ms / kMillisPerDay) + "d";
  if (ms % kMillisPerHour == 0) return std::to_string(ms / kMillisPerHour) + "h";
  if (ms % kMillisPerMinute == 0) return std::to_string(ms / kMillisPerMinute) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// Where nearly every row lies on a coarser grid than the step read off them, a few stray rows
// (a 21:47 among 5-minute rows) made the step: the steps between the others then count as
// zeros. The user is told, with the fix; a series that really skips steps (minute counts that
// leave out empty minutes) has distances too varied to be meant.
std::optional<std::string> StrayRowsWarning(const std::vector<Row>& rows, int64_t step) {
  std::map<int64_t, int> distances;  // rows at the same time (other series) are no distance
  int n = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const int64_t d = rows[i].t - rows[i - 1].t;
    if (d > 0) ++distances[d], ++n;
  }
  if (n < 16) return std::nullopt;
  const int64_t grid =
      std::max_element(distances.begin(), distances.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  if (grid <= step) return std::nullopt;
  int on_grid = 0;
  for (const auto& [d, count] : distances) on_grid += d % grid == 0 ? count : 0;
  if (on_grid < n * 9 / 10 || on_grid == n) return std::nullopt;
  size_t stray = 1;
  while ((rows[stray].t - rows[stray - 1].t) % grid == 0) ++stray;
  return "hashmon detect: most rows are " + StepText(grid) +
         " apart, but not all (the first: " + rows[stray].line.substr(0, 80) +
         "), so the step read off them is " + StepText(step) +
         " and the steps between rows count as zeros; if the series' step is " + StepText(grid) +
         ", say so with --step " + StepText(grid) +
         " (a row between steps is then a step of its own)";
}

// Reads the rows one by one and writes each row's score as soon as it is known: a long
// export needs no more memory than a short one. The step is set (--step) or read off the
// first rows (InferStep); each series (a tag in a country) has a detector of its own.
class DetectRun {
 public:
  // Rows read before the step is inferred, at most.
  static constexpr size_t kStepRows = 64;

  DetectRun(const DetectArgs& args, std::ostream* out, std::optional<int64_t> step)
      : args_(args), out_(out), step_(step) {}

  // False (with the message printed) when the row cannot be scored.
  bool Add(Row row, size_t line_no) {
    auto [it, first] = last_.emplace(row.series, Last{row.t, row.line});
    if (!first) {
      if (row.t <= it->second.t) {
        std::fprintf(stderr,
                     "hashmon detect: line %zu: %s is not after the row before it%s (%s); the "
                     "rows must be in time order, one per step: sort the file first, e.g. "
                     "sort -t, -k1,1 -u\n",
                     line_no, row.line.substr(0, 80).c_str(),
                     row.series.empty() ? "" : " of its series", it->second.line.c_str());
        return false;
      }
      it->second = Last{row.t, row.line.substr(0, 80)};
    }
    if (started_) {
      Score(row);
      return true;
    }
    pending_.push_back(std::move(row));
    return (!step_ && pending_.size() < kStepRows) || Start();
  }

  // Scores what is left (a series too short to have started).
  bool Finish() { return started_ || Start(); }

  // The file's header. With series columns (tag, country) it is hashmon's own minute counts
  // (`query counts`), judged as `collect` and `replay` judge them.
  void set_header(std::string header, const Columns& columns) {
    header_ = std::move(header);
    per_country_ = !columns.series.empty();
  }

 private:
  bool Start() {
    started_ = true;
    const int64_t step = step_ ? *step_ : InferStep(pending_);
    if (!step_) {
      if (auto warning = StrayRowsWarning(pending_, step))
        std::fprintf(stderr, "%s\n", warning->c_str());
    }
    if (per_country_) {
      config_ = DetectorConfig{};
      config_.step_ms = step;
    } else {
      config_ = CountExportConfig(step);
    }
    std::string error;
    if (!ApplyDetectorSettings(args_.settings, &config_, &error)) {
      std::fprintf(stderr, "hashmon detect: %s\n", error.c_str());
      return false;
    }
    *out_ << header_ << ",anomaly_score"
          << (args_.explain ? ",expected,log10_p,state,recent_peak" : "") << "\n";
    for (const Row& r : pending_) Score(r);
    pending_.clear();
    return true;
  }

  void Score(const Row& row) {
    std::unique_ptr<SeriesDetector>& detector = detectors_[row.series];
    if (first_t_ == INT64_MIN) first_t_ = row.t;
    if (!detector) {
      detector = std::make_unique<SeriesDetector>(&config_);
      // An export leaves out empty steps, so a series whose first row comes later was
      // silent from the file's first step on (as replay's baselines learn the silence
      // before a country's first mention).
      if (row.t > first_t_) detector->Observe(first_t_, 0);
    }
    const Assessment r = detector->Observe(row.t, row.value);
    char score[32];
    std::snprintf(score, sizeof score, "%.6f", r.score);
    *out_ << row.line << ',' << score;
    if (args_.explain) {
      static const char* kStates[] = {"quiet", "pending", "firing"};
      *out_ << ',' << r.expected << ',' << r.log10_p << ',' << kStates[static_cast<int>(r.state)]
            << ',';
      if (r.recent_peak >= 0) *out_ << r.recent_peak;
    }
    *out_ << '\n';
  }

  struct Last {
    int64_t t;
    std::string line;
  };
  const DetectArgs& args_;
  std::ostream* out_;
  std::optional<int64_t> step_;
  std::string header_ = "timestamp,value";
  DetectorConfig config_;
  bool started_ = false;
  bool per_country_ = false;
  int64_t first_t_ = INT64_MIN;
  std::map<std::string, std::unique_ptr<SeriesDetector>> detectors_;
  std::map<std::string, Last> last_;  // each series' last row, for the order check
  std::vector<Row> pending_;          // before the step is known
};

int ScoreRows(std::istream& in, DetectRun* run) {
  Columns columns;
  std::string line;
  size_t line_no = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 BOM
    if (line.empty()) continue;
    std::string error;
    std::optional<Row> row = ParseRow(line, columns, &error);
    // A first line whose first cell is no time is a header: the columns by name.
    if (!row && first && !ParseIsoTime(SplitCsv(line)[0])) {
      columns = ColumnsOf(SplitCsv(line));
      run->set_header(line, columns);
      first = false;
      continue;
    }
    first = false;
    if (!row) {
      std::fprintf(stderr, "hashmon detect: line %zu: %s\n", line_no, error.c_str());
      return 2;
    }
    if (!run->Add(std::move(*row), line_no)) return 2;
  }
  return run->Finish() ? 0 : 2;
}

int RunDetect(const DetectArgs& a) {
  std::optional<int64_t> step;
  if (!a.step.empty()) {
    step = ParseDuration(a.step);
    if (!step || *step < 1000) {
      std::fprintf(stderr, "hashmon detect: --step: expected a duration such as 1m or 5m, got %s\n",
                   a.step.c_str());
      return 2;
    }
  }
  std::ifstream file_in;
  if (a.series != "-") {
    file_in.open(a.series);
    if (!file_in) {
      std::fprintf(stderr, "hashmon detect: cannot read %s\n", a.series.c_str());
      return 1;
    }
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
  DetectRun run(a, out, step);
  const int status = ScoreRows(a.series == "-" ? std::cin : file_in, &run);
  if (status != 0 || out != &file) return status;  // stdout: checked as every command's is
  file.close();  // the last block is written here, and may not fit
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
  cmd->add_option("--series", args->series,
                  "CSV of timestamp,value rows (- for stdin); with a header, the columns "
                  "timestamp|time and value|count, and one series per tag and country")
      ->required();
  cmd->add_option("--step", args->step,
                  "The series' step, e.g. 1m (default: read off the first rows; a missing row "
                  "counts as zero)");
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
