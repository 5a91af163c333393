// The Grafana dashboard in scripts/grafana imports as it is: one Prometheus data source to
// choose at import, a job to pick, panels that do not overlap, every query on that job.
// (That its metrics are served is checked against a live collector in CollectorOpsTest, and
// its PromQL by promtool in scripts/test.)
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace hashmon {
namespace {

class GrafanaDashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = testing::ReadFile(std::string(HASHMON_SOURCE_DIR) +
                              "/scripts/grafana/hashmon-dashboard.json");
    dashboard_.Parse(text_.c_str());
    ASSERT_FALSE(dashboard_.HasParseError());
    ASSERT_TRUE(dashboard_.IsObject());
    ASSERT_TRUE(dashboard_.HasMember("panels") && dashboard_["panels"].IsArray());
  }

  static bool IsRow(const rapidjson::Value& panel) {
    return std::string(panel["type"].GetString()) == "row";
  }

  std::string text_;
  rapidjson::Document dashboard_;
};

TEST_F(GrafanaDashboardTest, AsksForItsPrometheusDataSourceAtImport) {
  const auto& inputs = dashboard_["__inputs"];
  ASSERT_EQ(inputs.Size(), 1u);
  EXPECT_STREQ(inputs[0]["name"].GetString(), "DS_PROMETHEUS");
  EXPECT_STREQ(inputs[0]["pluginId"].GetString(), "prometheus");
  for (const auto& panel : dashboard_["panels"].GetArray()) {
    if (IsRow(panel)) continue;
    EXPECT_STREQ(panel["datasource"]["uid"].GetString(), "${DS_PROMETHEUS}")
        << panel["title"].GetString();
  }
}

TEST_F(GrafanaDashboardTest, EveryQueryIsOnTheChosenJob) {
  const auto& variables = dashboard_["templating"]["list"];
  ASSERT_EQ(variables.Size(), 1u);
  EXPECT_STREQ(variables[0]["name"].GetString(), "job");
  int queries = 0;
  for (const auto& panel : dashboard_["panels"].GetArray()) {
    if (IsRow(panel)) continue;
    ASSERT_TRUE(panel.HasMember("targets")) << panel["title"].GetString();
    ASSERT_GT(panel["targets"].Size(), 0u) << panel["title"].GetString();
    std::set<std::string> ref_ids;
    for (const auto& target : panel["targets"].GetArray()) {
      const std::string expr = target["expr"].GetString();
      EXPECT_NE(expr.find("{job=\"$job\"}"), std::string::npos) << expr;
      EXPECT_TRUE(ref_ids.insert(target["refId"].GetString()).second) << expr;
      ++queries;
    }
  }
  EXPECT_GE(queries, 15);
}

TEST_F(GrafanaDashboardTest, PanelsHaveTheirOwnIdsAndPlacesOnTheGrid) {
  std::set<int> ids;
  // Grafana's grid is 24 columns wide; a cell held by two panels would hide one of them.
  std::set<std::pair<int, int>> cells;
  for (const auto& panel : dashboard_["panels"].GetArray()) {
    const std::string title = panel["title"].GetString();
    EXPECT_TRUE(ids.insert(panel["id"].GetInt()).second) << title;
    EXPECT_FALSE(title.empty());
    if (!IsRow(panel)) {
      EXPECT_GT(panel["description"].GetStringLength(), 20u) << title;
    }
    const auto& grid = panel["gridPos"];
    const int x = grid["x"].GetInt(), y = grid["y"].GetInt();
    const int w = grid["w"].GetInt(), h = grid["h"].GetInt();
    EXPECT_GE(x, 0) << title;
    EXPECT_LE(x + w, 24) << title;
    for (int row = y; row < y + h; ++row) {
      for (int column = x; column < x + w; ++column)
        EXPECT_TRUE(cells.insert({row, column}).second) << title << " overlaps another panel";
    }
  }
}

}  // namespace
}  // namespace hashmon
