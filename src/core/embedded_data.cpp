#include "hashmon/embedded_data.h"

#include <cstddef>

#include "common/embed.h"

HASHMON_EMBED(hm_gazetteer, HASHMON_DATA_DIR "/countries/gazetteer.tsv")
HASHMON_EMBED(hm_ne50, HASHMON_DATA_DIR "/countries/ne_50m_admin_0_seven_countries.geojson")
HASHMON_EMBED(hm_ne110, HASHMON_DATA_DIR "/countries/ne_110m_admin_0_countries.geojson")
HASHMON_EMBED(hm_rails, HASHMON_DATA_DIR "/countries/rails_timezones.json")
HASHMON_EMBED(hm_zonetab, HASHMON_DATA_DIR "/countries/zone.tab")
HASHMON_EMBED(hm_schema1, HASHMON_SCHEMA_DIR "/001_init.sql")
HASHMON_EMBED(hm_schema2, HASHMON_SCHEMA_DIR "/002_detection.sql")
HASHMON_EMBED(hm_schema3, HASHMON_SCHEMA_DIR "/003_alerts.sql")
HASHMON_EMBED(hm_schema4, HASHMON_SCHEMA_DIR "/004_silences.sql")
HASHMON_EMBED(hm_schema5, HASHMON_SCHEMA_DIR "/005_confirmation.sql")
HASHMON_EMBED(hm_schema6, HASHMON_SCHEMA_DIR "/006_waves.sql")
HASHMON_EMBED(hm_schema7, HASHMON_SCHEMA_DIR "/007_wave_counts.sql")
HASHMON_EMBED(hm_schema8, HASHMON_SCHEMA_DIR "/008_checkpoint_names.sql")
HASHMON_EMBED(hm_schema9, HASHMON_SCHEMA_DIR "/009_series_totals.sql")
HASHMON_EMBED(hm_schema10, HASHMON_SCHEMA_DIR "/010_gap_missing_from.sql")
HASHMON_EMBED(hm_schema11, HASHMON_SCHEMA_DIR "/011_checkpoint_tags.sql")

namespace hashmon {
namespace {

struct File {
  const char* name;
  const char* begin;
  const char* end;
};

const File kFiles[] = {
    {"countries/gazetteer.tsv", hm_gazetteer_begin, hm_gazetteer_end},
    {"countries/ne_50m_admin_0_seven_countries.geojson", hm_ne50_begin, hm_ne50_end},
    {"countries/ne_110m_admin_0_countries.geojson", hm_ne110_begin, hm_ne110_end},
    {"countries/rails_timezones.json", hm_rails_begin, hm_rails_end},
    {"countries/zone.tab", hm_zonetab_begin, hm_zonetab_end},
};

}  // namespace

std::string_view EmbeddedDataFile(std::string_view name) {
  for (const auto& f : kFiles) {
    if (name == f.name) return {f.begin, static_cast<size_t>(f.end - f.begin)};
  }
  return {};
}

std::vector<std::pair<std::string_view, std::string_view>> EmbeddedMigrations() {
  return {
      {"001_init.sql", {hm_schema1_begin, static_cast<size_t>(hm_schema1_end - hm_schema1_begin)}},
      {"002_detection.sql",
       {hm_schema2_begin, static_cast<size_t>(hm_schema2_end - hm_schema2_begin)}},
      {"003_alerts.sql",
       {hm_schema3_begin, static_cast<size_t>(hm_schema3_end - hm_schema3_begin)}},
      {"004_silences.sql",
       {hm_schema4_begin, static_cast<size_t>(hm_schema4_end - hm_schema4_begin)}},
      {"005_confirmation.sql",
       {hm_schema5_begin, static_cast<size_t>(hm_schema5_end - hm_schema5_begin)}},
      {"006_waves.sql", {hm_schema6_begin, static_cast<size_t>(hm_schema6_end - hm_schema6_begin)}},
      {"007_wave_counts.sql",
       {hm_schema7_begin, static_cast<size_t>(hm_schema7_end - hm_schema7_begin)}},
      {"008_checkpoint_names.sql",
       {hm_schema8_begin, static_cast<size_t>(hm_schema8_end - hm_schema8_begin)}},
      {"009_series_totals.sql",
       {hm_schema9_begin, static_cast<size_t>(hm_schema9_end - hm_schema9_begin)}},
      {"010_gap_missing_from.sql",
       {hm_schema10_begin, static_cast<size_t>(hm_schema10_end - hm_schema10_begin)}},
      {"011_checkpoint_tags.sql",
       {hm_schema11_begin, static_cast<size_t>(hm_schema11_end - hm_schema11_begin)}},
  };
}

}  // namespace hashmon
