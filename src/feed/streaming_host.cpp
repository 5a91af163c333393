#include "feed/streaming_host.h"

#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/base_uri.h>
#include <cpprest/uri_builder.h>

#include <exception>

#include "feed/http_stream.h"

namespace hashmon {
namespace {

bool IsSecure(const std::string& scheme) { return scheme == "https" || scheme == "wss"; }
bool IsWebSocket(const std::string& scheme) { return scheme == "ws" || scheme == "wss"; }

}  // namespace

std::optional<std::string> MovedToHostOf(const std::string& url, const std::string& location) {
  try {
    const web::uri from(url);
    const web::uri to(location);
    if (to.host().empty()) return std::nullopt;  // a relative redirect names no other host
    const bool secure = IsSecure(to.scheme());
    if (IsSecure(from.scheme()) && !secure) return std::nullopt;
    const std::string scheme =
        IsWebSocket(from.scheme()) ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
    web::uri_builder moved(from);
    moved.set_scheme(scheme).set_host(to.host()).set_port(to.port());
    return moved.to_string();
  } catch (const std::exception&) {  // not a URI
    return std::nullopt;
  }
}

StreamingHostAnswer AskStreamingHost(const std::string& discovery_url, const std::string& url,
                                     const std::map<std::string, std::string>& headers) {
  StreamingHostAnswer answer;
  const HttpReply reply =
      HttpCall("GET", discovery_url, headers, "", 30'000, /*follow_redirects=*/false);
  answer.answered = reply.status != 0;
  if (reply.status < 300 || reply.status >= 400) return answer;  // 404: it streams itself
  answer.url = MovedToHostOf(url, reply.location);
  if (!answer.url) answer.refused = reply.location.substr(0, 200);
  return answer;
}

}  // namespace hashmon
