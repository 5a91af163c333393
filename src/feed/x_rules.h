// Keeps the X API v2 filtered stream's rules in line with the watched tags: one rule
// "#tag" (tagged "hashmon:tag") per watched tag. Idempotent: rules that already exist are
// left alone, and only rules hashmon created for tags no longer watched are deleted, so
// rules the user made by hand survive.
#ifndef HASHMON_FEED_X_RULES_H_
#define HASHMON_FEED_X_RULES_H_

#include <string>
#include <vector>

#include "hashmon/log.h"

namespace hashmon {

inline constexpr const char* kXRulesUrl = "https://api.x.com/2/tweets/search/stream/rules";

struct XRulesChange {
  std::vector<std::string> added;    // rule values
  std::vector<std::string> deleted;  // rule ids
};

// Returns false with *error (saying what to fix) when the rules cannot be read or set.
bool EnsureXRules(const std::string& rules_url, const std::string& bearer_token,
                  const std::vector<std::string>& tags, Logger* log, std::string* error,
                  XRulesChange* change = nullptr);

}  // namespace hashmon

#endif  // HASHMON_FEED_X_RULES_H_
