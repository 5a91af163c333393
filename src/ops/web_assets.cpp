#include "ops/web_assets.h"

#include "common/embed.h"

HASHMON_EMBED(hm_web_index, HASHMON_WEB_DIR "/index.html")
HASHMON_EMBED(hm_web_app, HASHMON_WEB_DIR "/app.js")
HASHMON_EMBED(hm_web_style, HASHMON_WEB_DIR "/style.css")
HASHMON_EMBED(hm_web_uplot_js, HASHMON_UPLOT_DIR "/uPlot.iife.min.js")
HASHMON_EMBED(hm_web_uplot_css, HASHMON_UPLOT_DIR "/uPlot.min.css")

namespace hashmon {
namespace {

struct File {
  const char* path;
  const char* begin;
  const char* end;
  const char* content_type;
};

const File kFiles[] = {
    {"/", hm_web_index_begin, hm_web_index_end, "text/html; charset=utf-8"},
    {"/assets/app.js", hm_web_app_begin, hm_web_app_end, "text/javascript; charset=utf-8"},
    {"/assets/style.css", hm_web_style_begin, hm_web_style_end, "text/css; charset=utf-8"},
    {"/assets/uPlot.iife.min.js", hm_web_uplot_js_begin, hm_web_uplot_js_end,
     "text/javascript; charset=utf-8"},
    {"/assets/uPlot.min.css", hm_web_uplot_css_begin, hm_web_uplot_css_end,
     "text/css; charset=utf-8"},
};

}  // namespace

WebAsset FindWebAsset(std::string_view path) {
  if (path == "/index.html") path = "/";
  for (const auto& f : kFiles) {
    if (path == f.path) return {{f.begin, static_cast<size_t>(f.end - f.begin)}, f.content_type};
  }
  return {{}, "text/plain"};
}

}  // namespace hashmon
