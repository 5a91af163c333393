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

// `text` with ASCII letters in lower case (host names, tag names: case-insensitive).
std::string AsciiLower(std::string text);

// The host `url` names, in lower case, without user, password, port or the brackets of an
// IPv6 address: "https://me@API.x.com:443/s" is "api.x.com". Empty when `url` has no "://".
std::string HostOf(const std::string& url);

// `url` fit to show, log and store as a source's name: without the user and password
// before its host, nor its fragment, and with the values of query parameters named by a
// credential's word (token, access_token, apiKey, secret, password, auth, signature,
// session; not keyword) as "REDACTED".
// Text that is not a URL (no "://") comes back as it is.
std::string UrlWithoutSecrets(const std::string& url);

}  // namespace hashmon

#endif  // HASHMON_FEED_URL_TEXT_H_
