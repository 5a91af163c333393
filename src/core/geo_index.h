// Point-in-polygon lookup over country polygons (GeoJSON, [lon, lat]), with bounding boxes
// to skip most polygons and a distance query for points that fall just off a coastline.
#ifndef HASHMON_CORE_GEO_INDEX_H_
#define HASHMON_CORE_GEO_INDEX_H_

#include <string>
#include <string_view>
#include <vector>

namespace hashmon {

class GeoIndex {
 public:
  // Adds every feature of a GeoJSON FeatureCollection; `code_of` maps properties to ISO code.
  // Returns false if the text is not a FeatureCollection.
  bool AddGeoJson(std::string_view geojson, bool natural_earth_110m);

  // The code of the polygon that contains (lat, lon), or "".
  std::string Find(double lat, double lon) const;

  // The nearest polygon within max_km of (lat, lon), or "".
  std::string Nearest(double lat, double lon, double max_km) const;

 private:
  struct Ring {
    std::vector<double> xy;  // lon, lat pairs
  };
  struct Polygon {
    std::string code;
    double min_x, min_y, max_x, max_y;
    std::vector<Ring> rings;  // outer first, then holes; even-odd rule over all
  };
  std::vector<Polygon> polygons_;
};

}  // namespace hashmon

#endif  // HASHMON_CORE_GEO_INDEX_H_
