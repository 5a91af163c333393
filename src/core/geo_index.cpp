#include "geo_index.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hashmon {
namespace {

using rapidjson::Value;

std::string CodeOf(const Value& props, bool natural_earth_110m) {
  const char* key = natural_earth_110m ? "ISO_A2" : "iso_a2";
  auto it = props.FindMember(key);
  std::string code = it != props.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  if (code == "-99" && natural_earth_110m) {
    // Natural Earth leaves ISO_A2 out for a few countries; their ADM0_A3 says which.
    auto a3 = props.FindMember("ADM0_A3");
    std::string adm = a3 != props.MemberEnd() && a3->value.IsString() ? a3->value.GetString() : "";
    code = adm == "FRA" ? "FR" : adm == "NOR" ? "NO" : adm == "KOS" ? "XK" : "";
  }
  return code;
}

// Distance in km from p to segment ab, on a local equirectangular projection.
double SegmentKm(double lat, double lon, double ax, double ay, double bx, double by) {
  const double kKmPerDeg = 111.195;
  const double c = std::cos(lat * M_PI / 180.0);
  const double px = 0, py = 0;
  const double x1 = (ax - lon) * c * kKmPerDeg, y1 = (ay - lat) * kKmPerDeg;
  const double x2 = (bx - lon) * c * kKmPerDeg, y2 = (by - lat) * kKmPerDeg;
  const double dx = x2 - x1, dy = y2 - y1;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - x1) * dx + (py - y1) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double qx = x1 + t * dx, qy = y1 + t * dy;
  return std::sqrt(qx * qx + qy * qy);
}

}  // namespace

bool GeoIndex::AddGeoJson(std::string_view geojson, bool natural_earth_110m) {
  rapidjson::Document doc;
  doc.Parse(geojson.data(), geojson.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("features")) return false;
  for (const auto& f : doc["features"].GetArray()) {
    if (!f.HasMember("properties") || !f.HasMember("geometry") || !f["geometry"].IsObject())
      continue;
    const std::string code = CodeOf(f["properties"], natural_earth_110m);
    if (code.empty()) continue;
    const Value& geom = f["geometry"];
    const std::string type = geom["type"].GetString();
    const Value& coords = geom["coordinates"];
    auto add_polygon = [&](const Value& rings) {
      Polygon poly{code, 1e9, 1e9, -1e9, -1e9, {}};
      for (const auto& ring : rings.GetArray()) {
        Ring r;
        for (const auto& pt : ring.GetArray()) {
          const double x = pt[0].GetDouble(), y = pt[1].GetDouble();
          r.xy.push_back(x);
          r.xy.push_back(y);
          poly.min_x = std::min(poly.min_x, x);
          poly.max_x = std::max(poly.max_x, x);
          poly.min_y = std::min(poly.min_y, y);
          poly.max_y = std::max(poly.max_y, y);
        }
        poly.rings.push_back(std::move(r));
      }
      polygons_.push_back(std::move(poly));
    };
    if (type == "Polygon") {
      add_polygon(coords);
    } else if (type == "MultiPolygon") {
      for (const auto& p : coords.GetArray()) add_polygon(p);
    }
  }
  return true;
}

std::string GeoIndex::Find(double lat, double lon) const {
  for (const auto& poly : polygons_) {
    if (lon < poly.min_x || lon > poly.max_x || lat < poly.min_y || lat > poly.max_y) continue;
    bool inside = false;
    for (const auto& ring : poly.rings) {
      const auto& v = ring.xy;
      const size_t n = v.size() / 2;
      for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const double xi = v[2 * i], yi = v[2 * i + 1], xj = v[2 * j], yj = v[2 * j + 1];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
          inside = !inside;
      }
    }
    if (inside) return poly.code;
  }
  return "";
}

std::string GeoIndex::Nearest(double lat, double lon, double max_km) const {
  const double margin_deg = max_km / 100.0 + 0.5;
  double best = std::numeric_limits<double>::max();
  std::string code;
  for (const auto& poly : polygons_) {
    if (lon < poly.min_x - margin_deg || lon > poly.max_x + margin_deg ||
        lat < poly.min_y - margin_deg || lat > poly.max_y + margin_deg) {
      continue;
    }
    for (const auto& ring : poly.rings) {
      const auto& v = ring.xy;
      for (size_t i = 2; i + 1 < v.size(); i += 2) {
        const double d = SegmentKm(lat, lon, v[i - 2], v[i - 1], v[i], v[i + 1]);
        if (d < best) {
          best = d;
          code = poly.code;
        }
      }
    }
  }
  return best <= max_km ? code : "";
}

}  // namespace hashmon
