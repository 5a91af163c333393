// The dashboard's files (web/ and the vendored uPlot), compiled into the binary.
#ifndef HASHMON_OPS_WEB_ASSETS_H_
#define HASHMON_OPS_WEB_ASSETS_H_

#include <string_view>

namespace hashmon {

struct WebAsset {
  std::string_view body;
  const char* content_type;
};

// "/" or "/assets/NAME"; an empty body when there is no such file.
WebAsset FindWebAsset(std::string_view path);

}  // namespace hashmon

#endif  // HASHMON_OPS_WEB_ASSETS_H_
