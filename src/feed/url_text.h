// Small pieces of URL text for the feed adapters.
#ifndef HASHMON_FEED_URL_TEXT_H_
#define HASHMON_FEED_URL_TEXT_H_

#include <string>

namespace hashmon {

// `text` as one URL path segment or query value (UTF-8 bytes outside the unreserved set
// percent-encoded): Mastodon tags may be any letters, "#störung" among them.
std::string PercentEncoded(const std::string& text);

// `url` with the query parameter name=value added (value already encoded).
std::string WithParam(const std::string& url, const std::string& name, const std::string& value);

}  // namespace hashmon

#endif  // HASHMON_FEED_URL_TEXT_H_
