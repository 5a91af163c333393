// libFuzzer target: any bytes as a count series through the detector, as `hashmon detect`
// feeds a user's export and the pipeline feeds a country's minutes: steps skipped (days of
// silence), gaps, counts from none to 1e308, open steps peeked at, an incident elsewhere,
// and the state saved and resumed midway. Each 4 bytes are one step: how many steps on, a
// flag byte, and the count's mantissa and exponent. Besides memory errors and undefined
// behaviour, it stops on an assessment that is no number (a NaN test never alerts), out of
// its range, or a score that says other than the alert state.
#include <cmath>
#include <cstdint>
#include <string>

#include "hashmon/detector.h"
#include "hashmon/detector_config.h"

namespace {

// Whether an alert that fired in step `t` was decided by the step's close, with an onset
// no later, back-dated at most max_backdate_steps before the step, and not before the last
// alert was resolved (a series' alerts never overlap).
bool BacksOnset(const hashmon::AlertEvent& fired, int64_t t, int64_t last_resolved_at,
                const hashmon::DetectorConfig& c) {
  return fired.detected_at <= t + c.step_ms && fired.started <= fired.detected_at &&
         fired.started >= t - c.max_backdate_steps * c.step_ms && fired.started >= last_resolved_at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Minute steps with hashmon's defaults, or an export's steps of 10 s to 4 h.
  static constexpr int64_t kStepMs[] = {60'000, 10'000, 300'000, 14'400'000};
  const bool export_config = (data[0] & 0x4) != 0;
  const int64_t step = kStepMs[data[0] & 0x3];
  const hashmon::DetectorConfig config =
      export_config ? hashmon::CountExportConfig(step) : hashmon::DetectorConfig{};
  hashmon::SeriesDetector detector(&config);
  int64_t t = 1453204800000;
  int long_silences = 0;
  int64_t last_resolved_at = INT64_MIN;  // as far as events tell
  for (size_t i = 1; i + 4 <= size; i += 4) {
    const uint8_t skip = data[i], flags = data[i + 1];
    // Mostly small counts, sometimes huge ones, up to 1e308: mantissa * 10^(exponent * 1.2).
    // (Until 2026-12 the exponent stopped at 10: counts from 1e155 on came out as NaN.)
    const double count = flags & 0x80
                             ? data[i + 2] / 255.0 * std::pow(10.0, data[i + 3] * (308.0 / 255))
                             : static_cast<double>(data[i + 2] & 0x1f);
    // (Rarely a long silence, at most one per input: Observe fills up to MaxFillSteps steps
    // of it, a couple of weeks of steps each time.)
    const bool long_silence = skip == 255 && (flags & 0x10) != 0 && long_silences++ < 1;
    const int64_t steps_on = 1 + (long_silence ? 100'000 : skip % 8);
    t += config.step_ms * steps_on;
    const bool gap = flags & 0x1, incident = flags & 0x2;
    if (flags & 0x4) {
      const bool was_firing = detector.state() == hashmon::AlertState::kFiring;
      const auto fired = detector.Peek(t, count, {{t - config.step_ms, count / 2}}, incident);
      if (fired && (was_firing || !BacksOnset(*fired, t, last_resolved_at, config)))
        __builtin_trap();
    }
    // (Steps skipped are observed as silence first, and an alert may end in them unreported:
    // then the state before this step is not known here.)
    const bool was_firing = detector.state() == hashmon::AlertState::kFiring && steps_on == 1;
    const bool was_quiet = detector.state() != hashmon::AlertState::kFiring;
    const hashmon::Assessment a = detector.Observe(t, count, gap, incident);
    // The state machine's promises: it fires only from quiet, decided by the close of the step
    // at the latest, with an onset no later (back-dated at most max_backdate_steps), and
    // resolves only what fired, with an end no later than the decision. Alerts never overlap.
    if (a.event && a.event->kind == hashmon::AlertEvent::kFired &&
        (was_firing || !BacksOnset(*a.event, t, last_resolved_at, config)))
      __builtin_trap();
    if (a.event && a.event->kind == hashmon::AlertEvent::kResolved &&
        (was_quiet || a.event->ended > a.event->resolved_at ||
         a.event->resolved_at > t + config.step_ms))
      __builtin_trap();
    if (a.event && a.event->kind == hashmon::AlertEvent::kResolved)
      last_resolved_at = a.event->resolved_at;
    if (a.state == hashmon::AlertState::kFiring && a.started > t) __builtin_trap();
    if (!(a.score >= 0 && a.score <= 1) || !(a.log10_p <= 0) || !(a.expected >= 0))
      __builtin_trap();
    // What `hashmon detect` promises its users: 0.5 or more while an alert fires.
    if ((a.score >= 0.5) != (a.state == hashmon::AlertState::kFiring)) __builtin_trap();
    if (flags & 0x8) {
      hashmon::SeriesDetector resumed(&config);
      if (!resumed.Deserialize(detector.Serialize())) __builtin_trap();
      detector = resumed;
    }
  }
  return 0;
}
